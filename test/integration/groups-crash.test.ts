import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newIdp, samlSignIn, startHarness, user, type Harness, type SamlConnectionInfo } from '../support/harness';
import { waitForSignInRuns } from '../support/temporal';
import { startWorkerProcess, type WorkerProcess } from '../support/workerProcess';

describe('the worker dies in the middle of applying grants and revokes', () => {
  let h: Harness;
  let conn: SamlConnectionInfo;
  const idp = newIdp('grp-crash');
  const workers: Array<Pick<WorkerProcess, 'stop'>> = [];
  const who = user('gina', 'grp-crash.test');
  const groups = Array.from({ length: 40 }, (_, i) => `g${String(i).padStart(2, '0')}`);

  beforeAll(async () => {
    h = await startHarness({ worker: false, env: { ONRAMP_WORKFLOW_TASK_TIMEOUT_MS: '2000' } });
    await h.createTenant('grp-crash');
    conn = await h.createSamlConnection('grp-crash', idp);
    const res = await h.admin('PUT', `/tenants/grp-crash/connections/${conn.id}/group-sync`, { mode: 'full', unmapped: 'create-group' });
    expect(res.status).toBe(200);
  });
  afterAll(async () => {
    for (const w of workers) await w.stop();
    await h?.close();
  });

  /** Sign in with a worker that kills itself right after `activity` wrote its effect, then finish with a healthy one. */
  const signInThroughCrash = async (activity: string, asserted: string[]) => {
    const doomed = await startWorkerProcess(h, { ONRAMP_FAULT_KILL_AFTER_ACTIVITY: activity });
    workers.push(doomed);
    const signIn = samlSignIn(conn, idp, { ...who, groups: asserted });
    expect(await doomed.exited).toBeNull();
    expect(doomed.child.signalCode).toBe('SIGKILL');
    const healthy = await h.startWorker();
    workers.push(healthy);
    try {
      expect((await signIn).status).toBe(303);
      await waitForSignInRuns(h.services.client, conn.id, who.nameId);
    } finally {
      await healthy.stop();
    }
  };

  const state = async () => {
    const { models } = h.services.db;
    const u = await models.users.findOne({ email: who.email }).lean();
    const count = (action: string) => models.auditEvents.countDocuments({ userId: u?._id, action });
    return {
      held: (await models.grants.find({ userId: u?._id }).lean()).map((g) => g.value).sort(),
      granted: await count('group.granted'),
      revoked: await count('group.revoked'),
      created: await models.auditEvents.countDocuments({ action: 'group.created' }),
      groups: await models.groups.countDocuments({}),
    };
  };

  it('killed after the first grant of 40 (after the answer): the restarted worker grants the rest, one event per grant', async () => {
    await signInThroughCrash('applyGroupGrant', groups);
    expect(await state()).toEqual({ held: groups, granted: 40, revoked: 0, created: 40, groups: 40 });
  });

  it('killed after the first revoke of 20 (before the answer): the rerun revokes the rest, one event per revoke', async () => {
    await signInThroughCrash('revokeGroupGrant', groups.slice(0, 20));
    expect(await state()).toEqual({ held: groups.slice(0, 20), granted: 40, revoked: 20, created: 40, groups: 40 });
  });
});
