import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { membershipKey } from '../../src/store/models/membership';
import { entra, okta, oktaGroups } from '../fixtures/scimRequests';
import { newIdp, samlSignIn, startHarness, user, type Harness, type SamlConnectionInfo } from '../support/harness';
import { createDirectory, type ScimClient } from '../support/scimClient';
import { waitForSignInRuns } from '../support/temporal';

/**
 * The tenant's say over its directories: an
 * authoritative directory (JIT adds nobody it did not push) and
 * deprovisioning that removes the membership instead of suspending it.
 */
describe('SCIM directory policies', () => {
  let h: Harness;
  let scim: ScimClient & { id: string };
  let saml: SamlConnectionInfo;
  let tenantId: string;
  const idp = newIdp('pol-co');

  beforeAll(async () => {
    h = await startHarness();
    await h.createTenant('pol-co', { enabled: true, defaultRoles: ['member'] }); // JIT on
    expect((await h.admin('PUT', '/tenants/pol-co/domains', { domains: [{ domain: 'pol-co.test', verified: true }] })).status).toBe(200);
    expect((await h.admin('PUT', '/tenants/pol-co/link-policy', { policy: 'auto', fallback: 'deny' })).status).toBe(200);
    saml = await h.createSamlConnection('pol-co', idp);
    scim = await createDirectory(h, 'pol-co', 'okta');
    tenantId = String((await h.services.db.models.tenants.findOne({ slug: 'pol-co' }).lean())?._id);
  });
  afterAll(async () => h?.close());

  const models = () => h.services.db.models;
  const settings = (body: { authoritative: boolean; deprovision: 'suspend' | 'remove'; subjectMatch?: 'none' | 'userName' | 'externalId' }) =>
    h.admin('PUT', '/tenants/pol-co/directory-sync', body);

  it('authoritative: a sign-in the directory did not push is refused (and audited); once pushed, the same person signs in to the same account', async () => {
    expect((await h.admin('GET', '/tenants/pol-co/directory-sync')).body).toEqual({ authoritative: false, deprovision: 'suspend', subjectMatch: 'none' });
    expect((await settings({ authoritative: true, deprovision: 'suspend' })).status).toBe(200);
    expect((await h.admin('PUT', '/tenants/pol-co/directory-sync', { authoritative: 'yes' })).status).toBe(400);

    const refused = await samlSignIn(saml, idp, user('walt', 'pol-co.test'));
    expect(refused.status).toBe(403);
    expect(refused.body).toContain('not_provisioned_by_directory');
    expect(await models().users.countDocuments({ email: 'walt@pol-co.test' })).toBe(0);
    expect(await models().auditEvents.countDocuments({ tenantId, reason: 'not_provisioned_by_directory' })).toBeGreaterThanOrEqual(1);

    expect((await scim.call('POST', '/Users', okta.create('walt@pol-co.test', 'okta-walt'))).status).toBe(201);
    expect((await samlSignIn(saml, idp, user('walt', 'pol-co.test'))).status).toBe(303);
    await waitForSignInRuns(h.services.client, saml.id, 'walt@pol-co.test');
    expect(await models().users.countDocuments({ email: 'walt@pol-co.test' })).toBe(1);
    expect((await settings({ authoritative: false, deprovision: 'suspend' })).status).toBe(200);
  });

  it("subject rule: a first sign-in whose NameID is a directory User's externalId lands on that User's account, whatever its email; without the rule it would not", async () => {
    expect((await settings({ authoritative: false, deprovision: 'suspend', subjectMatch: 'externalId' })).status).toBe(200);
    expect((await h.admin('PUT', '/tenants/pol-co/directory-sync', { authoritative: false, deprovision: 'suspend', subjectMatch: 'upn' })).status).toBe(400);
    expect((await scim.call('POST', '/Users', okta.create('ivy@pol-co.test', 'EMP-4711'))).status).toBe(201);
    const ivy = String((await models().users.findOne({ email: 'ivy@pol-co.test' }).lean())?._id);
    // The IdP names her by employee id and sends a private address the tenant never verified.
    const signedIn = await samlSignIn(saml, idp, { nameId: 'EMP-4711', email: 'ivy.private@elsewhere.test', name: 'Ivy' });
    expect(signedIn.status).toBe(303);
    await waitForSignInRuns(h.services.client, saml.id, 'EMP-4711');
    expect(await models().users.countDocuments({ email: 'ivy.private@elsewhere.test' })).toBe(0);
    expect(await models().identities.countDocuments({ userId: ivy })).toBe(2); // the directory's and the SAML connection's
    expect(await models().memberships.countDocuments({ userId: ivy, tenantId })).toBe(1);

    // The rule off: the same shape of sign-in is a stranger (JIT makes a second account — the ghost the rule prevents).
    expect((await settings({ authoritative: false, deprovision: 'suspend', subjectMatch: 'none' })).status).toBe(200);
    expect((await scim.call('POST', '/Users', okta.create('joe@pol-co.test', 'EMP-5000'))).status).toBe(201);
    expect((await samlSignIn(saml, idp, { nameId: 'EMP-5000', email: 'joe.private@elsewhere.test', name: 'Joe' })).status).toBe(303);
    await waitForSignInRuns(h.services.client, saml.id, 'EMP-5000');
    expect(await models().users.countDocuments({ email: 'joe.private@elsewhere.test' })).toBe(1);
  });

  it("deprovision 'remove': the membership goes (grants revoked, sessions ended) and SSO stays refused even with JIT on, until the directory reactivates", async () => {
    expect((await settings({ authoritative: false, deprovision: 'remove' })).status).toBe(200);
    const created = await scim.call('POST', '/Users', okta.create('rae@pol-co.test', 'okta-rae'));
    const id = String(created.body.id);
    expect((await scim.call('POST', '/Groups', { ...oktaGroups.create('Ops'), members: [{ value: id }] })).status).toBe(201);
    expect((await samlSignIn(saml, idp, user('rae', 'pol-co.test'))).status).toBe(303);
    await waitForSignInRuns(h.services.client, saml.id, 'rae@pol-co.test');
    const userId = String((await models().users.findOne({ email: 'rae@pol-co.test' }).lean())?._id);
    const key = membershipKey(tenantId, userId);
    expect(await models().grants.countDocuments({ membershipId: key })).toBe(1);

    expect((await scim.call('PATCH', `/Users/${id}`, okta.deactivate)).status).toBe(200);
    expect(await models().memberships.findById(key).lean()).toBeNull();
    expect(await models().grants.countDocuments({ membershipId: key })).toBe(0);
    expect(await models().sessions.countDocuments({ 'session.userId': userId })).toBe(0);
    expect(await models().users.countDocuments({ _id: userId })).toBe(1); // the account stays
    expect(await models().auditEvents.countDocuments({ action: 'membership.removed', userId })).toBe(1);

    const refused = await samlSignIn(saml, idp, user('rae', 'pol-co.test'));
    expect(refused.status).toBe(403);
    expect(refused.body).toContain('membership_suspended');
    expect(await models().memberships.findById(key).lean()).toBeNull();

    expect((await scim.call('PATCH', `/Users/${id}`, entra.enable)).status).toBe(200);
    expect(await models().memberships.findById(key).lean()).toMatchObject({ status: 'active', roles: ['member'] });
    expect(await models().grants.countDocuments({ membershipId: key, value: 'Ops' })).toBe(1);
    expect((await samlSignIn(saml, idp, user('rae', 'pol-co.test'))).status).toBe(303);

    // Deleted, then pushed again as a new User (Entra after a re-assignment): the hold ends with the new membership.
    expect((await scim.call('DELETE', `/Users/${id}`)).status).toBe(204);
    expect(await models().memberships.findById(key).lean()).toBeNull();
    expect((await samlSignIn(saml, idp, user('rae', 'pol-co.test'))).status).toBe(403);
    expect((await scim.call('POST', '/Users', okta.create('rae@pol-co.test', 'okta-rae-2'))).status).toBe(201);
    expect(await models().memberships.findById(key).lean()).toMatchObject({ status: 'active' });
    expect((await samlSignIn(saml, idp, user('rae', 'pol-co.test'))).status).toBe(303);
    expect((await settings({ authoritative: false, deprovision: 'suspend' })).status).toBe(200);
  });
});
