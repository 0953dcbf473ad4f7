import { RETRY_AFTER_SECONDS } from '../../errors';
import type { RefusalStatus } from '../routeDoc';

/** Every status an admin route may refuse with, and the component each is described by. */
export type ErrorStatus = 400 | 401 | 404 | 413 | 503 | RefusalStatus;

const DESCRIPTIONS: Record<ErrorStatus, [name: string, description: string]> = {
  400: ['BadRequest', 'The input is not valid (`validation_failed` names the field in `details.field`), or the body is not JSON (`invalid_body`).'],
  401: ['Unauthorized', 'No valid admin bearer token (`unauthorized`).'],
  403: ['Forbidden', 'The caller may not do this (`forbidden`).'],
  404: ['NotFound', 'The tenant, or the resource the path names, does not exist (`not_found`).'],
  409: ['Conflict', "The resource's state refuses the change (the code says which: `tenant_exists`, `last_owner`, `approval_already_decided`, …)."],
  410: ['Gone', 'The resource is gone for good.'],
  413: ['PayloadTooLarge', 'The body or the document it names is too large (`body_too_large`, `import_too_large`, `saml_metadata_too_large`).'],
  415: ['UnsupportedMediaType', 'The body is not in a media type the route reads (`unsupported_media_type`).'],
  422: [
    'UnprocessableEntity',
    'The input is well-formed but names something the tenant does not have or allow (`unknown_role`, `unknown_group`, `domain_not_verified`, `idempotency_key_reused`), or a URL that yields no document (`saml_metadata_unreachable`).',
  ],
  429: ['TooManyRequests', 'Too many requests (`rate_limited`); retry after `details.retryAfterSeconds`.'],
  503: ['ServiceUnavailable', 'The database, Temporal or DNS did not answer in time; nothing was decided. Retry after `Retry-After` seconds.'],
};

/** The component name of an error status's response (`#/components/responses/<name>`). */
export const errorResponseName = (status: ErrorStatus): string => DESCRIPTIONS[status][0];

/** The one error body of onramp (src/http/errorHandler.ts). */
export const errorSchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: {
        code: { type: 'string', description: 'A stable code (src/errorCodes.ts lists them all with their statuses).' },
        message: { type: 'string', description: 'What went wrong, for people.' },
        details: { type: 'object', description: 'Machine-readable specifics, e.g. `field` for `validation_failed`, `retryAfterSeconds` for 503.' },
      },
      required: ['code', 'message'],
      additionalProperties: false,
    },
  },
  required: ['error'],
  additionalProperties: false,
} as const;

/** `components.responses`: one response per error status, all with the error body. */
export function errorResponses(): Record<string, object> {
  const out: Record<string, object> = {};
  for (const [status, [name, description]] of Object.entries(DESCRIPTIONS)) {
    out[name] = {
      description,
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      ...(status === '503'
        ? { headers: { 'Retry-After': { description: `Seconds to wait (usually ${RETRY_AFTER_SECONDS}).`, schema: { type: 'integer', minimum: 0 } } } }
        : {}),
    };
  }
  return out;
}
