import { createHash } from 'node:crypto';
import { OnrampError } from '../errors';

/**
 * A console form's key (a random value the page put in the form): the same
 * form sent twice — a double click, a reload — names the same thing, so a
 * create keyed by it makes one. `scope` keeps two tenants' keys apart.
 */
export const keyedHex = (scope: string, formKey: string, length: number): string =>
  createHash('sha256').update(`${scope}\u0000${formKey}`).digest('hex').slice(0, length);

/** The answer to a form sent again: the first sending created `id` (and showed its one-time secret). */
export const formAlreadySent = (what: string, id: string): OnrampError =>
  new OnrampError('form_already_sent', `This form was already sent: ${what} was created then, and its secret shown that once.`, {
    status: 409,
    details: { id },
  });
