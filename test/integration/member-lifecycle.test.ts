import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../support/browser';
import { newIdp, samlSignIn, startHarness, user, type Harness, type SamlConnectionInfo } from '../support/harness';
import { waitForSignInRuns } from '../support/temporal';

/**
 * Suspend, reactivate and remove a membership, and remove a
 * group — each a durable run of the tenant's admin workflow, each step
 * audited once; the last active owner cannot be taken away.
 */
describe('member lifecycle', () => {
  let h: Harness;
  let saml: SamlConnectionInfo;
  let tenantId: string;
  const idp = newIdp('life-co');
  const models = () => h.services.db.models;

  /** Sign in through the tenant's SAML connection; the account's id. */
  const signIn = async (local: string) => {
    const res = await samlSignIn(saml, idp, user(local, 'life-co.test'));
    expect(res.status).toBe(303);
    await waitForSignInRuns(h.services.client, saml.id, `${local}@life-co.test`);
    return String(
      (
        await models()
          .users.findOne({ email: `${local}@life-co.test` })
          .lean()
      )?._id,
    );
  };
  const audits = (action: string, userId: string) => models().auditEvents.countDocuments({ tenantId, action, userId });

  beforeAll(async () => {
    h = await startHarness();
    await h.createTenant('life-co', { enabled: true, defaultRoles: ['member'] });
    saml = await h.createSamlConnection('life-co', idp);
    tenantId = String((await models().tenants.findOne({ slug: 'life-co' }).lean())?._id);
    expect((await h.admin('POST', '/tenants/life-co/groups', { name: 'Owners', roles: ['owner'] })).status).toBe(201);
    expect((await h.admin('POST', '/tenants/life-co/groups', { name: 'Support', roles: [] })).status).toBe(201);
  });
  afterAll(async () => h?.close());

  it('suspend → sessions end and SSO is refused → reactivate → SSO works; twice changes nothing twice', async () => {
    const sam = await signIn('sam');
    expect(await models().sessions.countDocuments({ 'session.userId': sam })).toBeGreaterThan(0);

    const suspended = await h.admin('POST', `/tenants/life-co/members/${sam}/suspend`);
    expect(suspended).toMatchObject({ status: 200, body: { userId: sam, status: 'suspended', changed: true } });
    expect(await models().sessions.countDocuments({ 'session.userId': sam })).toBe(0);
    expect((await h.admin('POST', `/tenants/life-co/members/${sam}/suspend`)).body).toMatchObject({ status: 'suspended', changed: false });

    const refused = await samlSignIn(saml, idp, user('sam', 'life-co.test'));
    expect(refused.status).toBe(403);
    expect(refused.body).toContain('membership_suspended');

    expect((await h.admin('POST', `/tenants/life-co/members/${sam}/reactivate`)).body).toMatchObject({ status: 'active', changed: true });
    expect((await samlSignIn(saml, idp, user('sam', 'life-co.test'))).status).toBe(303);
    expect(await audits('membership.suspended', sam)).toBe(1);
    expect(await audits('membership.restored', sam)).toBe(1);
    expect((await h.admin('GET', `/tenants/life-co/members/${sam}`)).body).toMatchObject({ status: 'active' });
  });

  it('remove revokes every grant, ends sessions and removes the membership — each audited once; the account stays', async () => {
    const rob = await signIn('rob');
    expect((await h.admin('PUT', `/tenants/life-co/members/${rob}/groups/Support`)).status).toBe(201);
    expect((await h.admin('DELETE', `/tenants/life-co/members/${rob}`)).status).toBe(204);
    expect(await models().grants.countDocuments({ userId: rob })).toBe(0);
    expect(await models().sessions.countDocuments({ 'session.userId': rob })).toBe(0);
    expect(await models().memberships.countDocuments({ userId: rob })).toBe(0);
    expect(await models().users.countDocuments({ _id: rob })).toBe(1);
    expect(await audits('membership.removed', rob)).toBe(1);
    expect(await audits('group.revoked', rob)).toBe(1);
    expect(await audits('sessions.ended', rob)).toBe(1);
    const again = await h.admin('DELETE', `/tenants/life-co/members/${rob}`);
    expect(again).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    expect(await models().auditEvents.countDocuments({ tenantId, action: 'membership.remove_refused', userId: rob, reason: 'member_not_found' })).toBe(1);
  });

  it('the last active owner cannot be suspended or removed, not even by two admins at once; a group removal revokes its grants', async () => {
    const olga = await signIn('olga');
    const otto = await signIn('otto');
    expect((await h.admin('PUT', `/tenants/life-co/members/${olga}/groups/Owners`)).status).toBe(201);
    const lastOwner = await h.admin('POST', `/tenants/life-co/members/${olga}/suspend`);
    expect(lastOwner).toMatchObject({ status: 409, body: { error: { code: 'last_owner' } } });
    expect(await models().auditEvents.countDocuments({ tenantId, action: 'membership.suspend_refused', reason: 'last_owner' })).toBe(1);

    // Two owners, two admins removing one each at the same moment: one goes, the other is the last.
    expect((await h.admin('PUT', `/tenants/life-co/members/${otto}/groups/Owners`)).status).toBe(201);
    const both = await Promise.all([h.admin('DELETE', `/tenants/life-co/members/${olga}`), h.admin('DELETE', `/tenants/life-co/members/${otto}`)]);
    expect(both.map((r) => r.status).sort()).toEqual([204, 409]);
    expect(await models().memberships.countDocuments({ tenantId, userId: { $in: [olga, otto] } })).toBe(1);

    // Removing the group: its grants go (the remaining owner is no owner any more), then the group.
    expect((await h.admin('DELETE', '/tenants/life-co/groups/Owners')).status).toBe(204);
    expect(await models().grants.countDocuments({ tenantId, kind: 'group', value: 'Owners' })).toBe(0);
    expect(await models().groups.countDocuments({ tenantId, name: 'Owners' })).toBe(0);
    expect(await models().auditEvents.countDocuments({ tenantId, action: 'group.deleted', 'target.id': 'Owners' })).toBe(1);
    expect((await h.admin('DELETE', '/tenants/life-co/groups/Owners')).status).toBe(404);
  });

  it('the console: an admin suspends and reactivates a member and sends an invitation from the members page', async () => {
    const cora = await signIn('cora');
    const b = new Browser(h.url);
    await b.open('/console');
    expect((await b.submit('/console/login/token', { token: h.adminToken })).status).toBe(303);
    const page = await b.open('/console/t/life-co/members');
    expect(page.html).toContain(`data-member="${cora}"`);
    // After acting on a member, the console shows that member's page with the outcome.
    expect((await b.submit(`/console/t/life-co/members/${cora}/suspend`, {})).location).toBe(`/console/t/life-co/members/${cora}`);
    expect((await b.open(`/console/t/life-co/members/${cora}`)).html).toContain('Done: the member is suspended.');
    expect((await models().memberships.findOne({ userId: cora, tenantId }).lean())?.status).toBe('suspended');
    await b.submit(`/console/t/life-co/members/${cora}/reactivate`, {});
    expect((await models().memberships.findOne({ userId: cora, tenantId }).lean())?.status).toBe('active');
    await b.submit('/console/t/life-co/invitations', { email: 'newbie@elsewhere.test', roles: 'member', groups: 'Support' });
    expect((await b.open('/console/t/life-co/members')).html).toContain('Invitation sent to newbie@elsewhere.test');
    expect(await models().invitations.countDocuments({ email: 'newbie@elsewhere.test', groups: ['Support'] })).toBe(1);
    // Without the session's CSRF token: refused, nothing done.
    const forged = await fetch(`${h.url}/console/t/life-co/members/${cora}/remove`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: b.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    expect(forged.status).toBe(403);
    expect(await models().memberships.countDocuments({ userId: cora, tenantId })).toBe(1);
  });
});
