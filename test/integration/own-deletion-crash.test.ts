import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupKey } from '../../src/store/models/group';
import { membershipKey } from '../../src/store/models/membership';
import { entraGroups, okta } from '../fixtures/scimRequests';
import { startHarness, type Harness } from '../support/harness';
import { createDirectory, type ScimClient } from '../support/scimClient';
import { startWorkerProcess, type WorkerProcess } from '../support/workerProcess';

/**
 * The worker dies right after a step that deleted or renamed something, before
 * its completion reaches Temporal; the step and the rest of the write run
 * again with the same run. The write answers as one clean run would, and the
 * world holds what one clean run leaves: a DELETE still answers 204, a group
 * removal still answers 204, a rename still moves every member's grant and
 * drops the old tenant group — each audited once.
 */
describe('the worker dies right after a write deleted or renamed something', () => {
  let h: Harness;
  let scim: ScimClient & { id: string };
  let tenantId: string;
  const workers: Array<Pick<WorkerProcess, 'stop'>> = [];
  const models = () => h.services.db.models;

  beforeAll(async () => {
    h = await startHarness({ worker: false, env: { ONRAMP_WORKFLOW_TASK_TIMEOUT_MS: '2000' } });
    await h.createTenant('own-del', { enabled: false, defaultRoles: ['member'] });
    expect((await h.admin('PUT', '/tenants/own-del/domains', { domains: [{ domain: 'own-del.test', verified: true }] })).status).toBe(200);
    scim = await createDirectory(h, 'own-del', 'entra');
    tenantId = String((await models().tenants.findOne({ slug: 'own-del' }).lean())?._id);
  });
  afterAll(async () => {
    for (const w of workers) await w.stop();
    await h?.close();
  });

  /** Run `work` with a healthy worker. */
  const healthy = async <T>(work: () => Promise<T>): Promise<T> => {
    const w = await h.startWorker();
    workers.push(w);
    try {
      return await work();
    } finally {
      await w.stop();
    }
  };
  /** Send a request to a worker that kills itself right after `activity` wrote its effect; a healthy one finishes it. */
  const throughCrash = async <T>(activity: string, request: () => Promise<T>): Promise<T> => {
    const doomed = await startWorkerProcess(h, { ONRAMP_FAULT_KILL_AFTER_ACTIVITY: activity });
    workers.push(doomed);
    const answer = request();
    expect(await doomed.exited).toBeNull();
    expect(doomed.child.signalCode).toBe('SIGKILL');
    return healthy(() => answer);
  };
  const newUser = async (name: string) => {
    const res = await scim.call('POST', '/Users', okta.create(`${name}@own-del.test`, `ext-${name}`));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const doc = await models()
      .scimUsers.findById(`${scim.id}:${String(res.body.id)}`)
      .lean();
    return { id: String(res.body.id), userId: String(doc?.userId) };
  };
  const directoryGroups = async (userId: string) =>
    (
      await models()
        .grants.find({ membershipId: membershipKey(tenantId, userId), source: `directory:${scim.id}` })
        .lean()
    )
      .map((g) => g.value)
      .sort();
  const audits = (action: string, target: string) => models().auditEvents.countDocuments({ tenantId, action, 'target.id': target });

  it('a rename killed once the new name is recorded: the rerun moves every grant and drops the old group; one event each', async () => {
    const { id, members } = await healthy(async () => {
      const members = [await newUser('ren-a'), await newUser('ren-b')];
      const created = await scim.call('POST', '/Groups', entraGroups.create('Design', 'ext-design'));
      expect(created.status).toBe(201);
      const id = String(created.body.id);
      expect((await scim.call('PATCH', `/Groups/${id}`, entraGroups.addMembers(...members.map((m) => m.id)))).status).toBe(200);
      return { id, members };
    });
    const renamed = await throughCrash('renameScimGroup', () => scim.call('PATCH', `/Groups/${id}`, entraGroups.rename('Studio')));
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ id, displayName: 'Studio' });
    for (const m of members) expect(await directoryGroups(m.userId)).toEqual(['Studio']);
    expect(await models().groups.findById(groupKey(tenantId, 'Design')).lean()).toBeNull();
    expect(await models().groups.findById(groupKey(tenantId, 'Studio')).lean()).toMatchObject({ createdFrom: `directory:${scim.id}` });
    expect(await models().scimGroups.findById(`${scim.id}:${id}`).lean()).toMatchObject({ displayName: 'Studio', groupName: 'Studio', renamedFrom: null });
    expect(await audits('group.granted', 'Studio')).toBe(2);
    expect(await audits('group.revoked', 'Design')).toBe(2);
    expect(await audits('group.deleted', 'Design')).toBe(1);
    expect(await models().auditEvents.countDocuments({ action: 'scim.group_updated', 'target.id': id })).toBe(2);
  });

  it('a Group DELETE killed once the resource is deleted: the rerun answers 204; one deletion event', async () => {
    const id = await healthy(async () => {
      const created = await scim.call('POST', '/Groups', entraGroups.create('Doomed', 'ext-doomed'));
      expect(created.status).toBe(201);
      return String(created.body.id);
    });
    const deleted = await throughCrash('deleteScimGroup', () => scim.call('DELETE', `/Groups/${id}`));
    expect(deleted.status).toBe(204);
    expect(await models().scimGroups.countDocuments({ _id: `${scim.id}:${id}` })).toBe(0);
    expect(await models().groups.findById(groupKey(tenantId, 'Doomed')).lean()).toBeNull();
    expect(await models().auditEvents.countDocuments({ action: 'scim.group_deleted', 'target.id': id })).toBe(1);
    expect(await models().auditEvents.countDocuments({ action: 'scim.write_refused', 'target.id': id })).toBe(0);
    // Another DELETE of it is another write: 404.
    expect((await healthy(() => scim.call('DELETE', `/Groups/${id}`))).status).toBe(404);
  });

  it('a User DELETE killed once the resource is deleted: the rerun answers 204; one deletion event', async () => {
    const { id } = await healthy(() => newUser('del-u'));
    const deleted = await throughCrash('deleteScimUser', () => scim.call('DELETE', `/Users/${id}`));
    expect(deleted.status).toBe(204);
    expect(await models().scimUsers.countDocuments({ _id: `${scim.id}:${id}` })).toBe(0);
    expect(await models().auditEvents.countDocuments({ action: 'scim.user_deleted', 'target.id': id })).toBe(1);
    expect(await models().auditEvents.countDocuments({ action: 'scim.write_refused', 'target.id': id })).toBe(0);
  });

  it('an admin group removal killed once the group is deleted: the rerun answers 204, not group_not_found; nothing refused', async () => {
    const { userId } = await healthy(async () => {
      expect((await h.admin('POST', '/tenants/own-del/groups', { name: 'Support', roles: [] })).status).toBe(201);
      const u = await newUser('rm-g');
      expect((await h.admin('PUT', `/tenants/own-del/members/${u.userId}/groups/Support`)).status).toBe(201);
      return u;
    });
    const removed = await throughCrash('deleteTenantGroup', () => h.admin('DELETE', '/tenants/own-del/groups/Support'));
    expect(removed.status).toBe(204);
    expect(await models().groups.findById(groupKey(tenantId, 'Support')).lean()).toBeNull();
    expect(await models().grants.countDocuments({ tenantId, kind: 'group', value: 'Support' })).toBe(0);
    expect(await audits('group.deleted', 'Support')).toBe(1);
    expect(await models().auditEvents.countDocuments({ tenantId, action: 'group.remove_refused' })).toBe(0);
    expect(await models().auditEvents.countDocuments({ tenantId, action: 'group.revoked', userId })).toBe(1);
  });
});
