import type { ErrorRequestHandler } from 'express';
import type { Logger } from '../../logger';
import { scimTypeOf, type ScimType } from '../../scim/errors';
import { ERROR_SCHEMA } from '../../scim/schemas';
import type { ScimRefusal } from '../../scim/userWrites';
import { answerError, asOnrampError } from '../errorHandler';

export const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';

/** An RFC 7644 §3.12 error body. */
export const scimErrorBody = (status: number, detail: string, scimType?: ScimType) => ({
  schemas: [ERROR_SCHEMA],
  status: String(status),
  ...(scimType ? { scimType } : {}),
  detail,
});

/** Refusals from the write's run, in the same form. */
export const refusalBody = (r: ScimRefusal) => scimErrorBody(r.status, r.detail, r.scimType);

/** Every error under /scim/v2 answered in SCIM's error format (the rest of onramp keeps `{ error: { code, message } }`). */
export function scimErrorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const e = asOnrampError(err);
    const detail = answerError(e, err, req, res, logger);
    if (detail === null) return;
    const scimType = scimTypeOf(e) ?? (e.code === 'invalid_body' ? 'invalidSyntax' : e.code === 'validation_failed' ? 'invalidValue' : undefined);
    if (e.status === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="onramp SCIM"');
    if (e.status === 429) res.setHeader('Retry-After', String(e.details?.retryAfterSeconds ?? 1));
    res.type(SCIM_CONTENT_TYPE).send(JSON.stringify(scimErrorBody(e.status, detail, scimType)));
  };
}
