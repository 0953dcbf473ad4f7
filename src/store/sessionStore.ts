import session, { type SessionData } from 'express-session';
import type { Models } from './models';
import { retryTransient } from '../errors';

type Callback<T = void> = (err?: unknown, value?: T) => void;

/**
 * express-session's store over the `sessions` collection, through the
 * guarded mongoose connection (db/replyGuard.ts): every write is
 * acknowledged, a read by session ID checks the document it got, and a
 * write that meets a transient database error is retried briefly before the
 * request fails. (connect-mongo, used before, swept expired sessions with
 * unacknowledged deletes, which FerretDB v1 answers anyway — see docs/operations.md.)
 */
export class MongooseSessionStore extends session.Store {
  constructor(
    private readonly models: Models,
    private readonly ttlSeconds: number,
  ) {
    super();
  }

  private expiresOf(sess: SessionData): Date {
    const cookieExpiry = sess.cookie?.expires;
    return cookieExpiry ? new Date(cookieExpiry) : new Date(Date.now() + this.ttlSeconds * 1000);
  }

  override get(sid: string, cb: Callback<SessionData | null>): void {
    this.models.sessions
      .findById(sid)
      .lean()
      // A session without a valid expiry is treated as expired.
      .then((doc) => cb(null, doc && doc.expires instanceof Date && doc.expires.getTime() > Date.now() ? (doc.session as SessionData) : null), cb);
  }

  override set(sid: string, sess: SessionData, cb: Callback = () => undefined): void {
    // The cookie becomes plain data (Cookie#toJSON); express-session rebuilds it on read.
    const data = JSON.parse(JSON.stringify(sess)) as Record<string, unknown>;
    const expires = this.expiresOf(sess);
    retryTransient(() => this.models.sessions.updateOne({ _id: sid }, { $set: { session: data, expires } }, { upsert: true })).then(() => cb(), cb);
  }

  /**
   * A request that did not change its session writes nothing. The stored
   * expiry is the cookie's, set by every save (the cookie is sent again only
   * when the session changes: `rolling` is off), so there is nothing to
   * extend. And a write here would race the saves of the session's other
   * requests: FerretDB v1 applies no update atomically, so setting `expires`
   * could put back the session as this request read it, undoing a sign-in or
   * a new CSRF token saved at the same moment.
   */
  override touch(_sid: string, _sess: SessionData, cb: Callback = () => undefined): void {
    cb();
  }

  override destroy(sid: string, cb: Callback = () => undefined): void {
    retryTransient(() => this.models.sessions.deleteOne({ _id: sid })).then(() => cb(), cb);
  }
}
