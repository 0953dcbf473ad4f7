import type { ErrorRequestHandler, Request, Response } from 'express';
import { isInfrastructureError, OnrampError, RETRY_AFTER_SECONDS, serviceUnavailable } from '../errors';
import { catalogueMessage } from '../errorCodes';
import type { Logger } from '../logger';
import { errorPage } from './pages';

const wantsHtml = (req: Request): boolean => !req.path.startsWith('/api/');

function pageTitle(req: Request, e: OnrampError): string {
  if (e.code === 'forbidden') return 'Not allowed';
  if (e.code === 'signin_pending') return 'Almost there';
  if (e.status === 503) return 'Temporarily unavailable';
  if (e.status === 401 || e.status === 403 || (e.status < 500 && req.path.startsWith('/sso/'))) return 'Sign-in refused';
  return 'Something went wrong';
}

/** Any thrown value as an OnrampError: body-parser's refusals by their type; anything unknown an internal error (its message hidden). */
export function asOnrampError(err: unknown): OnrampError {
  if (err instanceof OnrampError) return err;
  const type = typeof err === 'object' && err !== null && 'type' in err ? (err as { type: unknown }).type : null;
  if (type === 'entity.parse.failed') return new OnrampError('invalid_body', 'request body is not valid JSON', { status: 400 });
  if (type === 'entity.too.large') return new OnrampError('body_too_large', catalogueMessage('body_too_large'), { status: 413 });
  if (type === 'charset.unsupported' || type === 'encoding.unsupported')
    return new OnrampError('invalid_body', 'request body encoding is not supported', { status: 400 });
  if (isInfrastructureError(err)) return serviceUnavailable(err);
  return new OnrampError('internal_error', 'internal error', { status: 500, expose: false, cause: err });
}

/** A path as logged: an invitation link's token is a secret, so it never reaches the logs. */
export const loggedPath = (path: string): string => path.replace(/^\/invite\/[^/]+/, '/invite/:token');

/**
 * What every error answer shares (logging, status, Retry-After on 503);
 * returns the message the caller may see, or null when the answer was
 * already under way.
 */
export function answerError(e: OnrampError, err: unknown, req: Request, res: Response, logger: Logger): string | null {
  const path = loggedPath(req.path);
  if (e.status >= 500 && !e.expose) logger.error({ err, path }, 'request failed');
  else if (e.status >= 500) logger.warn({ code: e.code, path }, e.message);
  if (res.headersSent) return null;
  res.status(e.status);
  if (e.status === 503) {
    const after = e.details?.retryAfterSeconds;
    res.setHeader('Retry-After', String(typeof after === 'number' ? after : RETRY_AFTER_SECONDS));
  }
  return e.expose ? e.message : 'internal error';
}

/** One place turns errors into answers: JSON `{ error: { code, message } }` for APIs, a page for browsers, never a stack trace. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const e = asOnrampError(err);
    const message = answerError(e, err, req, res, logger);
    if (message === null) return;
    if (wantsHtml(req)) {
      res.type('html').send(errorPage(pageTitle(req, e), message, e.code));
    } else {
      res.json({ error: { code: e.code, message, ...(e.details && e.expose ? { details: e.details } : {}) } });
    }
  };
}
