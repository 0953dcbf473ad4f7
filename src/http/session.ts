import { csrfToken } from './csrf';
import session from 'express-session';
import type { RequestHandler, Request } from 'express';
import type { Models } from '../store/models';
import { retryTransient } from '../errors';
import { MongooseSessionStore } from '../store/sessionStore';

declare module 'express-session' {
  interface SessionData {
    userId: string;
    /** The tenant the person signed in to: deprovisioning there ends this session (activities/directory.ts). */
    tenantId: string;
    /** Signed in to the admin console with the global admin token (not a person's SSO). */
    globalAdmin: boolean;
    /** The console's CSRF token (http/console/csrf.ts). */
    csrf: string;
    /** One message for the next console page. */
    flash: string;
  }
}

export interface SessionOptions {
  models: Models;
  secret: string;
  ttlSeconds: number;
  secure: boolean;
}

/**
 * Server-side sessions in MongoDB, shared by every instance. FerretDB v1 has
 * no TTL indexes, so expired sessions are swept by the sweeper (db/sweeper.ts).
 */
export function sessionMiddleware(opts: SessionOptions): RequestHandler {
  const store = new MongooseSessionStore(opts.models, opts.ttlSeconds);
  const middleware = session({
    name: 'onramp.sid',
    secret: opts.secret,
    store,
    resave: false,
    saveUninitialized: false,
    rolling: false,
    cookie: { httpOnly: true, sameSite: 'lax', secure: opts.secure, maxAge: opts.ttlSeconds * 1000 },
  });
  return middleware;
}

/**
 * Start a fresh session for a signed-in user, or the console's token admin
 * (new ID: no session fixation). The store retries transient write errors;
 * a regenerate that still fails is tried again as a whole, so the answer
 * after provisioning does not hang on one write attempt.
 */
export function establishSession(req: Request, who: { userId: string; tenantId: string } | { globalAdmin: true }): Promise<void> {
  return retryTransient(() => regenerate(req, who), 5, 100);
}

function regenerate(req: Request, who: { userId: string; tenantId: string } | { globalAdmin: true }): Promise<void> {
  return new Promise((resolve, reject) => {
    req.session.regenerate((err) => {
      if (err) return reject(err);
      if ('userId' in who) {
        req.session.userId = who.userId;
        req.session.tenantId = who.tenantId;
      } else req.session.globalAdmin = true;
      // The console's CSRF token is made with the session, so no later page has to change (and save) the session
      // to make one: two first pages at once would each save a token of their own, and one of them would lose.
      csrfToken(req);
      req.session.save((e) => (e ? reject(e) : resolve()));
    });
  });
}

/** Persist the session now: a browser follows a redirect as soon as it sees the headers, before an implicit save ends. */
export function saveSession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.save((err) => (err ? reject(err) : resolve())));
}
