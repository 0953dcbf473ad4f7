import type { ErrorRequestHandler, Request } from 'express';
import { OnrampError } from '../errors';
import type { Logger } from '../logger';
import { errorPage } from './pages';

const wantsHtml = (req: Request): boolean => !req.path.startsWith('/api/');

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
    if (wantsHtml(req)) {
      const title =
        e.code === 'forbidden' ? 'Not allowed' : e.status === 401 || e.status === 403 ? 'Sign-in refused' : e.status === 503 ? 'Almost there' : 'Something went wrong';
      res.type('html').send(errorPage(title, message, e.code));
    } else {
      res.json({ error: { code: e.code, message, ...(e.details && e.expose ? { details: e.details } : {}) } });
    }
  };
}
