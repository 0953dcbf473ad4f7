import type { ErrorRequestHandler, Request } from 'express';
import { OnrampError, RETRY_AFTER_SECONDS } from '../errors';
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

/** One place turns errors into answers: JSON `{ error: { code, message } }` for APIs, a page for browsers, never a stack trace. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    let e: OnrampError;
    if (err instanceof OnrampError) e = err;
    else if (typeof err === 'object' && err !== null && 'type' in err && (err as { type: unknown }).type === 'entity.parse.failed') {
      e = new OnrampError('invalid_body', 'request body is not valid JSON', { status: 400 });
    } else if (typeof err === 'object' && err !== null && 'type' in err && (err as { type: unknown }).type === 'entity.too.large') {
      e = new OnrampError('body_too_large', 'request body is too large', { status: 413 });
    } else {
      e = new OnrampError('internal_error', 'internal error', { status: 500, expose: false, cause: err });
    }
    if (e.status >= 500 && !e.expose) logger.error({ err, path: req.path }, 'request failed');
    else if (e.status >= 500) logger.warn({ code: e.code, path: req.path }, e.message);
    const message = e.expose ? e.message : 'internal error';
    if (res.headersSent) return;
    res.status(e.status);
    if (e.status === 503) {
      const after = e.details?.retryAfterSeconds;
      res.setHeader('Retry-After', String(typeof after === 'number' ? after : RETRY_AFTER_SECONDS));
    }
    if (wantsHtml(req)) {
      res.type('html').send(errorPage(pageTitle(req, e), message, e.code));
    } else {
      res.json({ error: { code: e.code, message, ...(e.details && e.expose ? { details: e.details } : {}) } });
    }
  };
}
