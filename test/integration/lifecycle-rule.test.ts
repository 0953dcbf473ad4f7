import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entra } from '../fixtures/scimRequests';
import { startHarness, type Harness } from '../support/harness';
import { createDirectory, type ScimClient } from '../support/scimClient';

/**
 * One lifecycle rule whoever asks (src/domain/memberLifecycle.ts): a
 * directory's deactivation keeps grants as an admin's suspension does, a
 * directory restores only its own suspension, the last owner offboarded by a
 * directory raises an alert, and an admin's and a directory's change to one
 * member are carried out one after the other by the tenant's lifecycle run.
 */
describe('one lifecycle rule for admins and directories', () => {
  let h: Harness;
  let scim: ScimClient & { id: string };
  let tenantId: string;
  const models = () => h.services.db.models;

  beforeAll(async () => {
    h = await startHarness();
    await h.createTenant('rule-co');
    expect((await h.admin('PUT', '/tenants/rule-co/domains', { domains: [{ domain: 'rule-co.test', verified: true }] })).status).toBe(200);
    expect((await h.admin('POST', '/tenants/rule-co/groups', { name: 'Owners', roles: ['owner'] })).status).toBe(201);
    expect((await h.admin('POST', '/tenants/rule-co/groups', { name: 'Support', roles: [] })).status).toBe(201);
    scim = await createDirectory(h, 'rule-co', 'entra');
    tenantId = String((await models().tenants.findOne({ slug: 'rule-co' }).lean())?._id);
  });
  afterAll(async () => h?.close());

  /** A directory-provisioned member holding the given admin-granted groups: the SCIM id and the account id. */
  const member = async (local: string, groups: string[]) => {
    const created = await scim.call('POST', '/Users', entra.create(local, `${local}@rule-co.test`, `ext-${local}`));
    expect(created.status).toBe(201);
    const userId = String(
      (
        await models()
          .users.findOne({ email: `${local}@rule-co.test` })
          .lean()
      )?._id,
    );
    for (const g of groups) expect((await h.admin('PUT', `/tenants/rule-co/members/${userId}/groups/${g}`)).status).toBe(201);
    return { scimId: String(created.body.id), userId };
  };
  const grantsOf = async (userId: string) => (await models().grants.find({ userId }).lean()).map((g) => g.value).sort();
  const statusOf = async (userId: string) => (await models().memberships.findOne({ userId }).lean())?.status;
  const audits = (action: string, userId: string) => models().auditEvents.countDocuments({ tenantId, action, userId });

  it('a directory deactivation keeps the grants (as an admin suspension does); reactivation gives the same access back', async () => {
    const { scimId, userId } = await member('dana', ['Support']);
    expect((await scim.call('PATCH', `/Users/${scimId}`, entra.disable)).status).toBe(200);
    expect(await statusOf(userId)).toBe('suspended');
    expect(await grantsOf(userId)).toEqual(['Support']);
    expect(await audits('group.revoked', userId)).toBe(0);
    // Carried out by the tenant's lifecycle run, where admins' changes also go.
    const suspended = await models().auditEvents.findOne({ tenantId, action: 'membership.suspended', userId }).lean();
    expect(suspended?.workflowId).toBe(`admin-${tenantId}`);
    expect(suspended?.actor).toMatchObject({ type: 'directory', id: scim.id });

    expect((await scim.call('PATCH', `/Users/${scimId}`, entra.enable)).status).toBe(200);
    expect(await statusOf(userId)).toBe('active');
    expect(await grantsOf(userId)).toEqual(['Support']);
    expect(await audits('membership.restored', userId)).toBe(1);
  });

  it("a directory does not undo an admin's suspension; the admin does", async () => {
    const { scimId, userId } = await member('abe', []);
    expect((await h.admin('POST', `/tenants/rule-co/members/${userId}/suspend`)).body).toMatchObject({ status: 'suspended', changed: true });
    expect((await scim.call('PATCH', `/Users/${scimId}`, entra.disable)).status).toBe(200);
    expect((await scim.call('PATCH', `/Users/${scimId}`, entra.enable)).status).toBe(200);
    expect(await statusOf(userId)).toBe('suspended');
    expect(await audits('membership.restored', userId)).toBe(0);
    expect((await h.admin('POST', `/tenants/rule-co/members/${userId}/reactivate`)).body).toMatchObject({ status: 'active', changed: true });
    expect(await audits('membership.suspended', userId)).toBe(1);
  });

  it('the last owner: an admin is refused; the directory offboards them and the tenant is alerted (audit and event)', async () => {
    const { scimId, userId } = await member('olga', ['Owners']);
    const refused = await h.admin('POST', `/tenants/rule-co/members/${userId}/suspend`);
    expect(refused).toMatchObject({ status: 409, body: { error: { code: 'last_owner' } } });
    expect(await statusOf(userId)).toBe('active');

    expect((await scim.call('PATCH', `/Users/${scimId}`, entra.disable)).status).toBe(200);
    expect(await statusOf(userId)).toBe('suspended');
    expect(await grantsOf(userId)).toEqual(['Owners']);
    expect(await audits('tenant.no_active_owner', userId)).toBe(1);
    // The events API answers events older than its settle time: poll.
    const alerts = async () => {
      const events = await h.admin('GET', '/tenants/rule-co/events?types=tenant.no_active_owner');
      return (events.body.data as unknown as Array<{ type: string; userId: string }>).map((e) => [e.type, e.userId]);
    };
    await expect.poll(alerts, { timeout: 20_000, interval: 500 }).toEqual([['tenant.no_active_owner', userId]]);
    // Restored by the directory: an owner again, no second alert.
    expect((await scim.call('PATCH', `/Users/${scimId}`, entra.enable)).status).toBe(200);
    expect(await statusOf(userId)).toBe('active');
    expect(await audits('tenant.no_active_owner', userId)).toBe(1);
  });

  it("an admin's and a directory's change to one member at the same moment: one after the other, one suspension, one audit", async () => {
    const { scimId, userId } = await member('max', ['Support']);
    const [byAdmin, byDirectory] = await Promise.all([
      h.admin('POST', `/tenants/rule-co/members/${userId}/suspend`),
      scim.call('PATCH', `/Users/${scimId}`, entra.disable),
    ]);
    expect(byAdmin.status).toBe(200);
    expect(byDirectory.status).toBe(200);
    // Exactly one of the two changed it (the audit names which); the other found it done.
    expect(await audits('membership.suspended', userId)).toBe(1);
    const audit = await models().auditEvents.findOne({ tenantId, action: 'membership.suspended', userId }).lean();
    expect(audit?.actor).toMatchObject({ type: (byAdmin.body as unknown as { changed: boolean }).changed ? 'admin' : 'directory' });
    expect(await statusOf(userId)).toBe('suspended');
    expect(await grantsOf(userId)).toEqual(['Support']);
  });
});
