import MongoStore from 'connect-mongo';
import session from 'express-session';
import type { RequestHandler, Request } from 'express';
import type { MongoClient } from 'mongodb';

declare module 'express-session' {
  interface SessionData {
    userId: string;
    /** Signed in to the admin console with the global admin token (not a person's SSO). */
    globalAdmin: boolean;
    /** The console's CSRF token (http/console/csrf.ts). */
    csrf: string;
    /** One message for the next console page. */
    flash: string;
  }
}

export interface SessionOptions {
  client: MongoClient;
  dbName: string;
  secret: string;
  ttlSeconds: number;
  secure: boolean;
}

/**
 * Server-side sessions in MongoDB, shared by every instance. FerretDB v1 has
 * no TTL indexes, so expired sessions are swept on an interval instead.
 */
export function sessionMiddleware(opts: SessionOptions): { middleware: RequestHandler; store: MongoStore } {
  const store = MongoStore.create({
    client: opts.client,
    dbName: opts.dbName,
    collectionName: 'sessions',
    ttl: opts.ttlSeconds,
    autoRemove: 'interval',
    autoRemoveInterval: 10,
    stringify: false,
  });
  const middleware = session({
    name: 'onramp.sid',
    secret: opts.secret,
    store,
    resave: false,
    saveUninitialized: false,
    rolling: false,
    cookie: { httpOnly: true, sameSite: 'lax', secure: opts.secure, maxAge: opts.ttlSeconds * 1000 },
  });
  return { middleware, store };
}

/** Start a fresh session for a signed-in user, or the console's token admin (new ID: no session fixation). */
export function establishSession(req: Request, who: { userId: string } | { globalAdmin: true }): Promise<void> {
  return new Promise((resolve, reject) => {
    req.session.regenerate((err) => {
      if (err) return reject(err);
      if ('userId' in who) req.session.userId = who.userId;
      else req.session.globalAdmin = true;
      req.session.save((e) => (e ? reject(e) : resolve()));
    });
  });
}

/** Persist the session now: a browser follows a redirect as soon as it sees the headers, before an implicit save ends. */
export function saveSession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.save((err) => (err ? reject(err) : resolve())));
}
