import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyGrant } from '../../src/store/grants';
import { membershipKey } from '../../src/store/models/membership';
import { directorySource } from '../../src/domain/groups';
import { entra } from '../fixtures/scimRequests';
import { newIdp, samlSignIn, startHarness, user, type Harness, type SamlConnectionInfo } from '../support/harness';
import { createDirectory, type ScimClient } from '../support/scimClient';
import { waitForSignInRuns } from '../support/temporal';
import { startWorkerProcess, type WorkerProcess } from '../support/workerProcess';

/**
 * The worker dies in the middle of a deprovisioning, which the tenant's
 * lifecycle run carries out by the one lifecycle rule: a suspension keeps
 * every grant and ends the sessions; a removal (tenant setting) revokes
 * every grant. The retried runs end exactly as planned, each step audited once.
 */
describe('the worker dies in the middle of a deprovisioning', () => {
  let h: Harness;
  let scim: ScimClient & { id: string };
  let saml: SamlConnectionInfo;
  const idp = newIdp('deprov');
  const workers: Array<Pick<WorkerProcess, 'stop'>> = [];

  beforeAll(async () => {
    h = await startHarness({ worker: false, env: { ONRAMP_WORKFLOW_TASK_TIMEOUT_MS: '2000' } });
    await h.createTenant('deprov');
    expect((await h.admin('PUT', '/tenants/deprov/domains', { domains: [{ domain: 'deprov.test', verified: true }] })).status).toBe(200);
    expect((await h.admin('PUT', '/tenants/deprov/link-policy', { policy: 'auto', fallback: 'deny' })).status).toBe(200);
    saml = await h.createSamlConnection('deprov', idp);
    scim = await createDirectory(h, 'deprov', 'entra');
  });
  afterAll(async () => {
    for (const w of workers) await w.stop();
    await h?.close();
  });

  /** A provisioned, signed-in user holding three grants from the directory and one from an admin. */
  const provisioned = async (local: string) => {
    const healthy = await h.startWorker();
    workers.push(healthy);
    try {
      const created = await scim.call('POST', '/Users', entra.create(local, `${local}@deprov.test`, `ext-${local}`));
      expect(created.status).toBe(201);
      expect((await samlSignIn(saml, idp, user(local, 'deprov.test'))).status).toBe(303);
      await waitForSignInRuns(h.services.client, saml.id, `${local}@deprov.test`);
    } finally {
      await healthy.stop();
    }
    const { models } = h.services.db;
    const account = await models.users.findOne({ email: `${local}@deprov.test` }).lean();
    const userId = String(account?._id);
    const tenantId = String((await models.tenants.findOne({ slug: 'deprov' }).lean())?._id);
    const member = { membershipId: membershipKey(tenantId, userId), tenantId, userId };
    // Directory grants as Group pushes will write them (Groups are not served yet): the same writer, the directory's source.
    for (const value of ['eng', 'oncall', 'vpn'])
      await applyGrant(models, member, { kind: 'group', value, source: directorySource(scim.id) }, { grantedBy: `directory:${scim.id}`, run: null });
    await applyGrant(models, member, { kind: 'group', value: 'admins-pick', source: 'admin' }, { grantedBy: 'admin', run: null });
    return { id: String((await scim.call('GET', entra.probe(local))).body.Resources?.[0]?.id), userId };
  };

  const deactivateThroughCrash = async (id: string, activity: string) => {
    const doomed = await startWorkerProcess(h, { ONRAMP_FAULT_KILL_AFTER_ACTIVITY: activity });
    workers.push(doomed);
    const answer = scim.call('PATCH', `/Users/${id}`, entra.disable);
    expect(await doomed.exited).toBeNull();
    expect(doomed.child.signalCode).toBe('SIGKILL');
    const healthy = await h.startWorker();
    workers.push(healthy);
    try {
      const res = await answer;
      expect(res.status).toBe(200);
      expect(res.body.active).toBe(false);
    } finally {
      await healthy.stop();
    }
  };

  const endState = async (userId: string) => {
    const { models } = h.services.db;
    const count = (action: string) => models.auditEvents.countDocuments({ userId, action });
    return {
      status: (await models.memberships.findOne({ userId }).lean())?.status,
      grants: (await models.grants.find({ userId }).lean()).map((g) => `${g.source === 'admin' ? 'admin' : 'directory'}:${g.value}`).sort(),
      sessions: await models.sessions.countDocuments({ 'session.userId': userId }),
      suspended: await count('membership.suspended'),
      revoked: await count('group.revoked'),
      ended: await count('sessions.ended'),
      deactivated: await models.auditEvents.countDocuments({ action: 'scim.user_deactivated', userId }),
    };
  };
  const allGrants = ['admin:admins-pick', 'directory:eng', 'directory:oncall', 'directory:vpn'];
  const suspendedPlan = { status: 'suspended', grants: allGrants, sessions: 0, suspended: 1, revoked: 0, ended: 1, deactivated: 1 };

  it('killed after the suspension, before the sessions end: the retry ends them; grants kept (a suspension keeps them), one event each', async () => {
    const { id, userId } = await provisioned('sam');
    await deactivateThroughCrash(id, 'setMembershipStatus');
    expect(await endState(userId)).toEqual(suspendedPlan);
  });

  it('killed after the sessions ended: the retry finds it done, one event each', async () => {
    const { id, userId } = await provisioned('pat');
    await deactivateThroughCrash(id, 'endTenantSessions');
    expect(await endState(userId)).toEqual(suspendedPlan);
  });

  it('a removal (tenant setting) killed after the first revoke: every grant, from any source, revoked once; the membership gone', async () => {
    expect((await h.admin('PUT', '/tenants/deprov/directory-sync', { authoritative: false, deprovision: 'remove' })).status).toBe(200);
    try {
      const { id, userId } = await provisioned('lee');
      await deactivateThroughCrash(id, 'revokeGroupGrant');
      const state = await endState(userId);
      expect(state).toMatchObject({ status: undefined, grants: [], sessions: 0, suspended: 1, revoked: 4, ended: 1, deactivated: 1 });
      expect(await h.services.db.models.auditEvents.countDocuments({ userId, action: 'membership.removed' })).toBe(1);
    } finally {
      await h.admin('PUT', '/tenants/deprov/directory-sync', { authoritative: false, deprovision: 'suspend' });
    }
  });
});
