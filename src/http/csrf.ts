import { randomBytes } from 'node:crypto';
import type { Request } from 'express';
import { OnrampError } from '../errors';
import { secretsMatch } from './adminAuth';

/** The session's CSRF token for console forms (created on first use). */
export function csrfToken(req: Request): string {
  req.session.csrf ??= randomBytes(32).toString('base64url');
  return req.session.csrf;
}

/**
 * A console POST must carry the session's token in `_csrf` and, when the
 * browser says where it comes from, come from this app's own origin (console
 * pages use `Referrer-Policy: same-origin`, so a browser names our origin on
 * our own forms and `null` on anyone else's). The session cookie is also SameSite=Lax.
 */
export function checkCsrf(req: Request, publicUrl: string): void {
  const origin = req.get('origin');
  if (origin && origin !== new URL(publicUrl).origin) throw new OnrampError('csrf_failed', 'this form was sent from another site', { status: 403 });
  const sent = (req.body as Record<string, unknown> | undefined)?._csrf;
  const expected = req.session.csrf;
  if (typeof sent !== 'string' || !expected || !secretsMatch(sent, expected)) {
    throw new OnrampError('csrf_failed', 'this form has expired; reload the page and try again', { status: 403 });
  }
}
