import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger';
import { guardConnection } from '../../src/store/replyGuard';
import { sweepExpired } from '../../src/store/sweeper';
import { newIdp, samlSignIn, startHarness, type Harness, type SamlConnectionInfo } from '../support/harness';
import { waitForSignInRuns } from '../support/temporal';

/**
 * FerretDB v1 replies to unacknowledged writes, and a pooled
 * connection that got such a reply answers every later request with the
 * previous one's document. The session sweep used to write with `w: 0`
 * every 10 minutes; these tests run the sweep (and worse) and check that
 * decisions that depend on lookups by `_id` stay right.
 */
describe('database replies stay with their requests', () => {
  let h: Harness;
  const xIdp = newIdp('x-corp');
  const yIdp = newIdp('y-corp');
  let x: SamlConnectionInfo;
  let y: SamlConnectionInfo;
  const person = (subject: string, email: string) => ({ nameId: subject, email, name: subject });
  const signIn = async (conn: SamlConnectionInfo, idp: typeof xIdp, who: ReturnType<typeof person>) => {
    const res = await samlSignIn(conn, idp, who);
    await waitForSignInRuns(h.services.client, conn.id, who.nameId);
    return res;
  };

  beforeAll(async () => {
    // Sweep every 200 ms, as if the stack had run for hours.
    h = await startHarness({ env: { ONRAMP_SWEEP_INTERVAL_MS: '200' } });
    await h.createTenant('xcorp');
    await h.createTenant('ycorp');
    x = await h.createSamlConnection('xcorp', xIdp);
    y = await h.createSamlConnection('ycorp', yIdp);
    expect((await h.admin('PUT', '/tenants/xcorp/domains', { domains: [{ domain: 'x.test', verified: true }] })).status).toBe(200);
    // Before ycorp acquired acq.test, its people had accounts through xcorp's IdP.
    for (let round = 0; round < 3; round++) expect((await signIn(x, xIdp, person(`peter-x-${round}`, `peter-${round}@acq.test`))).status).toBe(303);
    const domains = [
      { domain: 'y.test', verified: true },
      { domain: 'acq.test', verified: true },
    ];
    expect((await h.admin('PUT', '/tenants/ycorp/domains', { domains })).status).toBe(200);
    expect((await h.admin('PUT', '/tenants/ycorp/link-policy', { policy: 'auto', fallback: 'deny' })).status).toBe(200);
  });
  afterAll(async () => h?.close());

  it('after sessions expire and the sweeper has run many times, cross-tenant and linking decisions stay right', async () => {
    const { models } = h.services.db;
    // Sessions that expired long ago, as a stack that has been up for a while holds.
    await models.sessions.insertMany(
      Array.from({ length: 20 }, (_, i) => ({ _id: `old-${i}`, expires: new Date(Date.now() - 3600_000), session: { cookie: {} } })),
    );
    await new Promise((r) => setTimeout(r, 1_000)); // ≥ 4 sweeps by the app's own timer
    expect(await models.sessions.countDocuments({ _id: /^old-/ })).toBe(0);
    await sweepExpired(models); // and one more, explicitly

    for (let round = 0; round < 3; round++) {
      // x.test belongs to xcorp: ycorp's IdP may not provision it.
      const foreign = await signIn(y, yIdp, person(`own-${round}`, `own-${round}@x.test`));
      expect(foreign.status).toBe(403);
      expect(foreign.body).toContain('domain_owned_by_other_tenant');
      // A first sign-in of an unrelated person.
      const fresh = await signIn(y, yIdp, person(`new-${round}`, `new-${round}@y.test`));
      expect(fresh.status).toBe(303);
      // Someone with an account from xcorp, in a domain ycorp verified since: linked to that account (auto), not a second one.
      const linkEmail = `peter-${round}@acq.test`;
      expect((await signIn(y, yIdp, person(`peter-y-${round}`, linkEmail))).status).toBe(303);
      const peter = await models.users.find({ email: linkEmail }).lean();
      expect(peter).toHaveLength(1);
      expect(await models.identities.countDocuments({ userId: peter[0]?._id })).toBe(2);
      await sweepExpired(models);
    }
    expect(await models.users.countDocuments({ email: /@x\.test$/ })).toBe(0);
  });

  it('an unacknowledged write on the shared client resets the pool: later lookups get their own documents', async () => {
    const client = h.services.db.connection.getClient();
    const raw = client.db(h.config.mongo.database).collection('scratch');
    await raw.insertMany([{ _id: 'a' }, { _id: 'b' }, { _id: 'c' }] as never);
    // What connect-mongo's autoRemove did every 10 minutes.
    await raw.deleteMany({ nothing: 1 }, { writeConcern: { w: 0 } });
    for (const id of ['a', 'b', 'c']) expect(await raw.findOne({ _id: id } as never)).toEqual({ _id: id });
    const foreign = await signIn(y, yIdp, person('own-after-w0', 'own-after-w0@x.test'));
    expect(foreign.status).toBe(403);
  });

  it('a connection that is already out of step answers a lookup by _id with an error, never with another document, then recovers', async () => {
    // A connection of its own with one pooled socket and no w:0 watcher, poisoned on purpose.
    const conn = mongoose.createConnection(h.config.mongo.uri ?? '', { dbName: h.config.mongo.database, maxPoolSize: 1 });
    guardConnection(conn, createLogger('silent'));
    await conn.asPromise();
    try {
      const Doc = conn.model('GuardProbe', new mongoose.Schema({ _id: String, v: String }, { collection: `probe_${randomBytes(3).toString('hex')}` }));
      await Doc.insertMany([
        { _id: 'a', v: 'A' },
        { _id: 'b', v: 'B' },
        { _id: 'c', v: 'C' },
        { _id: 'd', v: 'D' },
      ]);
      // Whether the stray reply is read as an error or as the next answer depends on timing: poison it
      // again until the guard has had to catch a wrong document (bounded), and check no lookup ever got one.
      const outcomes: string[] = [];
      for (let attempt = 0; attempt < 10 && !outcomes.includes('mismatch'); attempt++) {
        await Doc.collection.deleteMany({ nothing: 1 }, { writeConcern: { w: 0 } });
        for (const id of ['a', 'b', 'c', 'd']) {
          try {
            const doc = await Doc.findById(id).lean();
            outcomes.push(doc?._id === id ? 'right' : `WRONG:${String(doc?._id)}`);
          } catch (err) {
            outcomes.push(err instanceof Error && 'code' in err && err.code === 'db_reply_mismatch' ? 'mismatch' : 'error');
          }
        }
        expect(outcomes.at(-1)).toBe('right'); // recovered within the four lookups
      }
      expect(outcomes.filter((o) => o.startsWith('WRONG'))).toEqual([]);
      expect(outcomes).toContain('mismatch');
      expect((await Doc.findById('b').lean())?.v).toBe('B');
    } finally {
      await conn.close();
    }
  });
});
