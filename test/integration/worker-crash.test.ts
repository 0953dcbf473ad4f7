import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listEvents } from '../../src/store/events';
import { newIdp, samlSignIn, startHarness, useSamlTenant, user, type Harness, type SamlConnectionInfo } from '../support/harness';
import { waitForSignInRuns } from '../support/temporal';
import { startWorkerProcess, type WorkerProcess } from '../support/workerProcess';

describe('the worker dies in the middle of a sign-in', () => {
  let h: Harness;
  let conn: SamlConnectionInfo;
  const idp = newIdp('crash');
  const workers: Array<Pick<WorkerProcess, 'stop'>> = [];

  useSamlTenant('crash', idp, (t) => ({ h, conn } = t), { harness: { worker: false, env: { ONRAMP_WORKFLOW_TASK_TIMEOUT_MS: '2000' } } });
  afterAll(async () => {
    for (const w of workers) await w.stop();
  });

  it.each(['ensureUser', 'linkIdentity', 'ensureMembership'])(
    'killed right after %s wrote its effect: the restarted worker finishes the run, nothing duplicated',
    async (activity) => {
      const doomed = await startWorkerProcess(h, { ONRAMP_FAULT_KILL_AFTER_ACTIVITY: activity });
      workers.push(doomed);
      const who = user(`crash-${activity.toLowerCase()}`, 'crash.test');
      const signIn = samlSignIn(conn, idp, who);

      expect(await doomed.exited).toBeNull(); // killed by SIGKILL, not a clean exit
      expect(doomed.child.signalCode).toBe('SIGKILL');
      const { models } = h.services.db;
      // The effect is written but the activity never reported back.
      expect(await models.users.countDocuments({ email: who.email })).toBe(1);

      const healthy = await h.startWorker();
      workers.push(healthy);
      try {
        const res = await signIn;
        expect(res.status).toBe(303);
        await waitForSignInRuns(h.services.client, conn.id, who.nameId);
      } finally {
        await healthy.stop(); // never leave a worker polling into the next case
      }

      const u = await models.users.findOne({ email: who.email }).lean();
      expect(await models.users.countDocuments({ email: who.email })).toBe(1);
      expect(await models.identities.countDocuments({ userId: u?._id })).toBe(1);
      expect(await models.memberships.countDocuments({ userId: u?._id })).toBe(1);
      const actions = (await models.auditEvents.find({ userId: u?._id }).sort({ _id: 1 }).lean()).map((e) => e.action);
      expect(actions).toEqual(['user.created', 'identity.linked', 'membership.created', 'signin.succeeded']);
      // Each audited fact has its one event: the retried step did not emit twice.
      const events = (await listEvents(models, { tenantId: null, after: null, limit: 500 })).filter((e) => e.userId === String(u?._id));
      expect(events.map((e) => e.type)).toEqual(['user.created', 'identity.linked', 'membership.created']);
    },
  );
});

describe('no worker is running when someone signs in', () => {
  let h: Harness;
  let conn: SamlConnectionInfo;
  const idp = newIdp('outage');
  let worker: Pick<WorkerProcess, 'stop'> | undefined;

  useSamlTenant('outage', idp, (t) => ({ h, conn } = t), { harness: { worker: false, env: { ONRAMP_SIGNIN_WAIT_MS: '2000' } } });
  afterAll(async () => {
    await worker?.stop();
  });

  it('answers "try again" (503) in bounded time, and the retry attaches to the same durable run', async () => {
    const who = user('olga', 'outage.test');
    const first = await samlSignIn(conn, idp, who);
    expect(first.status).toBe(503);
    expect(first.body).toContain('signin_pending');
    const { models } = h.services.db;
    expect(await models.users.countDocuments()).toBe(0);

    worker = await h.startWorker();
    const retry = await samlSignIn(conn, idp, who);
    expect(retry.status).toBe(303);
    await waitForSignInRuns(h.services.client, conn.id, who.nameId);
    expect(await models.users.countDocuments()).toBe(1);
    expect(await models.memberships.countDocuments()).toBe(1);
    // One run served both attempts: one signin.succeeded, one user.created.
    expect(await models.auditEvents.countDocuments({ action: 'signin.succeeded' })).toBe(1);
    expect(await models.auditEvents.countDocuments({ action: 'user.created' })).toBe(1);
  });
});

describe('the worker dies between linking and membership creation (Peter)', () => {
  let h: Harness;
  const magicIdp = newIdp('crash-magic');
  const sfIdp = newIdp('crash-sf');
  let magic: SamlConnectionInfo;
  let sf: SamlConnectionInfo;
  const workers: Array<Pick<WorkerProcess, 'stop'>> = [];

  beforeAll(async () => {
    h = await startHarness();
    await h.createTenant('crash-magic');
    await h.createTenant('crash-sf');
    magic = await h.createSamlConnection('crash-magic', magicIdp);
    sf = await h.createSamlConnection('crash-sf', sfIdp);
    expect((await samlSignIn(magic, magicIdp, { nameId: 'peter-a', email: 'peter@crash-magic.test', name: 'Peter' })).status).toBe(303);
    await waitForSignInRuns(h.services.client, magic.id, 'peter-a');
    await h.admin('PUT', '/tenants/crash-sf/domains', { domains: [{ domain: 'crash-magic.test', verified: true }] });
    await h.admin('PUT', '/tenants/crash-sf/link-policy', { policy: 'auto', fallback: 'deny' });
    await h.services.worker?.shutdown(); // from here on only the worker processes below poll
  });
  afterAll(async () => {
    for (const w of workers) await w.stop();
    await h?.close();
  });

  it('finishes with one link and one membership after a restart', async () => {
    const doomed = await startWorkerProcess(h, { ONRAMP_FAULT_KILL_AFTER_ACTIVITY: 'linkIdentity' });
    workers.push(doomed);
    const signIn = samlSignIn(sf, sfIdp, { nameId: 'peter-b', email: 'peter@crash-magic.test', name: 'Peter' });
    expect(await doomed.exited).toBeNull();
    const healthy = await h.startWorker();
    workers.push(healthy);
    try {
      expect((await signIn).status).toBe(303);
      await waitForSignInRuns(h.services.client, sf.id, 'peter-b');
    } finally {
      await healthy.stop();
    }
    const { models } = h.services.db;
    const users = await models.users.find({ email: 'peter@crash-magic.test' }).lean();
    expect(users).toHaveLength(1);
    expect(await models.identities.countDocuments({ userId: users[0]?._id })).toBe(2);
    expect(await models.memberships.countDocuments({ userId: users[0]?._id })).toBe(2);
    expect(await models.auditEvents.countDocuments({ tenantId: sf.tenantId, action: 'identity.linked' })).toBe(1);
    expect(await models.auditEvents.countDocuments({ tenantId: sf.tenantId, action: 'membership.created' })).toBe(1);
  });
});

/**
 * Production runs two workers. When one dies with sign-ins in
 * flight, its workflow tasks go to the other after the workflow task timeout
 * (ONRAMP_WORKFLOW_TASK_TIMEOUT_MS, 4 s here as in production), so every
 * in-flight sign-in is answered well within the login's 30 s limit.
 */
describe('one of two workers dies with sign-ins in flight', () => {
  let h: Harness;
  let conn: SamlConnectionInfo;
  const idp = newIdp('two-workers');
  const workers: Array<Pick<WorkerProcess, 'stop'>> = [];

  useSamlTenant('two-workers', idp, (t) => ({ h, conn } = t), { harness: { worker: false } });
  afterAll(async () => {
    for (const w of workers) await w.stop();
  });

  it('every sign-in is answered 303 by the surviving worker, nothing duplicated', async () => {
    const doomed = await startWorkerProcess(h, { ONRAMP_FAULT_KILL_AFTER_ACTIVITY: 'ensureUser' });
    const survivor = await h.startWorker();
    workers.push(doomed, survivor);
    const people = Array.from({ length: 12 }, (_, i) => user(`pair-${i}`, 'two-workers.test'));
    const started = Date.now();
    const answers = await Promise.all(
      people.map(async (who) => {
        const res = await samlSignIn(conn, idp, who);
        return { status: res.status, ms: Date.now() - started };
      }),
    );
    expect(doomed.child.signalCode).toBe('SIGKILL');
    expect(answers.map((a) => a.status)).toEqual(people.map(() => 303));
    const slowest = Math.max(...answers.map((a) => a.ms));
    console.info(`two workers, one killed: ${people.length} sign-ins answered, slowest after ${slowest} ms`);
    expect(slowest).toBeLessThan(h.config.signInWaitMs);
    for (const who of people) await waitForSignInRuns(h.services.client, conn.id, who.nameId);
    const { models } = h.services.db;
    expect(await models.users.countDocuments()).toBe(people.length);
    expect(await models.memberships.countDocuments()).toBe(people.length);
    expect(await models.auditEvents.countDocuments({ action: 'user.created' })).toBe(people.length);
  });
});
