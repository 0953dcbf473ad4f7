import { randomBytes } from 'node:crypto';
import type { SessionData } from 'express-session';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLogger } from '../../src/logger';
import { connectDatabase, type Database } from '../../src/store/connect';
import { MongooseSessionStore } from '../../src/store/sessionStore';

/**
 * The console's session store on the real MongoDB-wire server. FerretDB v1
 * applies no update atomically: a write of one field can put back another
 * field as it read it. A request that only reads its session (the store's
 * `touch`) must therefore never write it, or a change made by a request at
 * the same moment (a new CSRF token, a sign-in) could be undone.
 */
describe('the session store', () => {
  const stack = inject('stack');
  let db: Database;
  let store: MongooseSessionStore;
  const TTL = 3600;

  const call = <T>(fn: (cb: (err?: unknown, value?: T) => void) => void) =>
    new Promise<T | undefined>((resolve, reject) => fn((err, value) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(value))));
  const sessionOf = (extra: Partial<SessionData>, expires = new Date(Date.now() + TTL * 1000)): SessionData =>
    ({ cookie: { originalMaxAge: TTL * 1000, expires, httpOnly: true, path: '/' }, ...extra }) as unknown as SessionData;

  beforeAll(async () => {
    db = await connectDatabase(stack.mongoUri, `sessions_${randomBytes(4).toString('hex')}`, createLogger('warn'));
    store = new MongooseSessionStore(db.models, TTL);
  });
  afterAll(async () => {
    await db.connection.dropDatabase();
    await db.close();
  });

  it("keeps a session's change made while other requests of the session only read it (20 rounds, 4 readers each)", async () => {
    for (let round = 0; round < 20; round++) {
      const sid = `race-${round}`;
      const before = sessionOf({ userId: 'u1' });
      await call((cb) => store.set(sid, before, cb));
      const changed = sessionOf({ userId: 'u1', csrf: `token-${round}` });
      await Promise.all([call((cb) => store.set(sid, changed, cb)), ...Array.from({ length: 4 }, () => call((cb) => store.touch(sid, before, cb)))]);
      expect((await call<SessionData | null>((cb) => store.get(sid, cb)))?.csrf, `round ${round}`).toBe(`token-${round}`);
    }
  });

  it("expires a session at its cookie's expiry, which each save sets (so a read that does not save needs no write)", async () => {
    const expires = new Date(Date.now() + 60_000);
    await call((cb) => store.set('expiry', sessionOf({ userId: 'u2' }, expires), cb));
    const doc = await db.models.sessions.findById('expiry').lean();
    expect(doc?.expires?.getTime()).toBe(expires.getTime());
    await call((cb) => store.touch('expiry', sessionOf({ userId: 'u2' }, new Date(Date.now() + 120_000)), cb));
    expect((await db.models.sessions.findById('expiry').lean())?.expires?.getTime()).toBe(expires.getTime());

    await call((cb) => store.set('gone', sessionOf({ userId: 'u3' }, new Date(Date.now() - 1000)), cb));
    expect(await call<SessionData | null>((cb) => store.get('gone', cb))).toBeNull();
  });
});
