import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entra, okta } from '../fixtures/scimRequests';
import { newIdp, samlSignIn, startHarness, user, type Harness, type SamlConnectionInfo } from '../support/harness';
import { createDirectory, type ScimClient } from '../support/scimClient';
import { listRuns, waitForSignInRuns } from '../support/temporal';

/**
 * Users: every write a durable run of the
 * provisioning core, the request shapes Entra ID and Okta send, deprovisioning
 * and reactivation seen by SSO, and every refusal in SCIM's error format.
 */
describe('SCIM Users', () => {
  let h: Harness;
  let scim: ScimClient & { id: string };
  let saml: SamlConnectionInfo;
  const idp = newIdp('scim-co');
  const tenantId = async () => String((await h.services.db.models.tenants.findOne({ slug: 'scim-co' }).lean())?._id);

  beforeAll(async () => {
    h = await startHarness();
    await h.createTenant('scim-co', { enabled: false, defaultRoles: ['member'] }); // JIT off: the directory still provisions
    await h.createTenant('other-co');
    expect((await h.admin('PUT', '/tenants/scim-co/domains', { domains: [{ domain: 'scim-co.test', verified: true }] })).status).toBe(200);
    expect((await h.admin('PUT', '/tenants/other-co/domains', { domains: [{ domain: 'other-co.test', verified: true }] })).status).toBe(200);
    expect((await h.admin('PUT', '/tenants/scim-co/link-policy', { policy: 'auto', fallback: 'deny' })).status).toBe(200);
    saml = await h.createSamlConnection('scim-co', idp);
    scim = await createDirectory(h, 'scim-co', 'entra');
  });
  afterAll(async () => h?.close());

  const membershipOf = async (userId: string) => h.services.db.models.memberships.findOne({ userId, tenantId: await tenantId() }).lean();

  it("answers Entra's Test Connection with an empty list, and serves discovery", async () => {
    const test = await scim.call('GET', entra.testConnectionQuery);
    expect(test.status).toBe(200);
    expect(test.headers.get('content-type')).toMatch(/^application\/scim\+json/);
    expect(test.body).toMatchObject({ totalResults: 0, Resources: [], startIndex: 1, itemsPerPage: 0 });
    expect((await scim.call('GET', '/ServiceProviderConfig')).body).toMatchObject({ patch: { supported: true }, bulk: { supported: false } });
    expect((await scim.call('GET', '/ResourceTypes')).body.Resources?.map((r) => r.id)).toEqual(['User', 'Group']);
    const schemas = await scim.call('GET', '/Schemas');
    expect(schemas.body.Resources?.map((r) => r.id)).toEqual([
      'urn:ietf:params:scim:schemas:core:2.0:User',
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
      'urn:ietf:params:scim:schemas:core:2.0:Group',
    ]);
    expect((await scim.call('GET', '/Schemas/urn:nope')).status).toBe(404);
    expect((await scim.call('PUT', '/ServiceProviderConfig', {})).status).toBe(405);
  });

  it('Entra: probe, create, update, deactivate (SSO refused, sessions ended), reactivate (SSO works) — each a run, each audited once', async () => {
    const email = 'ada@scim-co.test';
    expect((await scim.call('GET', entra.probe('ada'))).body.totalResults).toBe(0);
    const created = await scim.call('POST', '/Users', entra.create('ada', email, 'entra-ada'));
    expect(created.status).toBe(201);
    const id = String(created.body.id);
    expect(created.headers.get('location')).toBe(`${scim.baseUrl}/Users/${id}`);
    expect(created.body).toMatchObject({ userName: 'ada', active: true, meta: { resourceType: 'User', version: 'W/"1"' } });
    expect(created.body).not.toHaveProperty('roles');

    // The account exists before any sign-in, with a membership, although the tenant's JIT is off.
    const { models } = h.services.db;
    const account = await models.users.findOne({ email }).lean();
    expect(account).not.toBeNull();
    const userId = String(account?._id);
    expect(await membershipOf(userId)).toMatchObject({ status: 'active', roles: ['member'] });
    expect((await scim.call('GET', entra.probe('ADA'))).body.Resources?.map((r) => r.id)).toEqual([id]); // userName is not caseExact

    const updated = await scim.call('PATCH', `/Users/${id}`, entra.replaceAttributes(email));
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ name: { familyName: 'updatedFamilyName' }, meta: { version: 'W/"2"' } });
    expect((await scim.call('PATCH', `/Users/${id}`, entra.pathlessReplace)).body).toMatchObject({
      name: { givenName: 'Updated' },
      displayName: 'Updated Name',
    });
    expect((await models.users.findById(userId).lean())?.name).toBe('Updated Name'); // the directory keeps the account's name in sync

    // First SSO sign-in: the same account (email in a verified domain, auto linking) — no ghost user.
    const first = await samlSignIn(saml, idp, user('ada', 'scim-co.test'));
    expect(first.status).toBe(303);
    await waitForSignInRuns(h.services.client, saml.id, 'ada@scim-co.test');
    expect(await models.users.countDocuments({ email })).toBe(1);
    expect(await models.identities.countDocuments({ userId })).toBe(2);
    expect(await models.sessions.countDocuments({ 'session.userId': userId })).toBeGreaterThan(0);

    const disabled = await scim.call('PATCH', `/Users/${id}`, entra.disable);
    expect(disabled.status).toBe(200);
    expect(disabled.body.active).toBe(false);
    expect(await membershipOf(userId)).toMatchObject({ status: 'suspended', suspendedBy: `directory:${scim.id}` });
    expect(await models.sessions.countDocuments({ 'session.userId': userId })).toBe(0);
    const refused = await samlSignIn(saml, idp, user('ada', 'scim-co.test'));
    expect(refused.status).toBe(403);
    expect(refused.body).toContain('membership_suspended');
    // Deactivated users stay readable.
    expect((await scim.call('GET', `/Users/${id}`)).body).toMatchObject({ id, active: false });

    expect((await scim.call('PATCH', `/Users/${id}`, entra.enable)).body.active).toBe(true);
    expect(await membershipOf(userId)).toMatchObject({ status: 'active', suspendedBy: null });
    expect((await samlSignIn(saml, idp, user('ada', 'scim-co.test'))).status).toBe(303);

    const actions = (
      await models.auditEvents
        .find({ 'actor.type': 'directory', 'actor.id': scim.id, $or: [{ 'target.id': id }, { userId }] })
        .sort({ at: 1 })
        .lean()
    ).map((e) => e.action);
    expect(actions.filter((a) => a === 'user.created')).toHaveLength(1);
    expect(actions.filter((a) => a === 'membership.created')).toHaveLength(1);
    expect(actions.filter((a) => a === 'scim.user_created')).toHaveLength(1);
    expect(actions.filter((a) => a === 'scim.user_deactivated')).toHaveLength(1);
    expect(actions.filter((a) => a === 'membership.suspended')).toHaveLength(1);
    expect(actions.filter((a) => a === 'sessions.ended')).toHaveLength(1);
    expect(actions.filter((a) => a === 'scim.user_reactivated')).toHaveLength(1);
    expect(actions.filter((a) => a === 'membership.restored')).toHaveLength(1);
    // Ops find the directory's runs by its search attributes.
    const runs = await listRuns(h.services.client, `OnrampDirectory = "${scim.id}" AND OnrampOperation = "PATCH User"`, 1);
    expect(runs.length).toBeGreaterThan(0);
  });

  it('Okta: PUT without active keeps the user active, deactivation is a PATCH, the user stays readable, a re-POST reactivates (201, same id)', async () => {
    const created = await scim.call('POST', '/Users', okta.create('grace@scim-co.test', 'okta-grace'));
    expect(created.status).toBe(201);
    const id = String(created.body.id);
    const put = await scim.call('PUT', `/Users/${id}`, okta.put(id, 'grace@scim-co.test', 'Grace', 'Hopper'));
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ active: true, name: { givenName: 'Grace', familyName: 'Hopper' } });
    expect((await scim.call('PATCH', `/Users/${id}`, okta.deactivate)).body.active).toBe(false);
    const read = await scim.call('GET', okta.probe('grace@scim-co.test'));
    expect(read.body.Resources?.[0]).toMatchObject({ id, active: false });
    const again = await scim.call('POST', '/Users', okta.create('grace@scim-co.test', 'okta-grace'));
    expect(again.status).toBe(201);
    expect(again.body).toMatchObject({ id, active: true });
    const account = await h.services.db.models.users.findOne({ email: 'grace@scim-co.test' }).lean();
    expect(await membershipOf(String(account?._id))).toMatchObject({ status: 'active' });
  });

  it('refuses what it must, in SCIM error format, writing nothing', async () => {
    const { models } = h.services.db;
    const before = { users: await models.users.countDocuments(), scim: await models.scimUsers.countDocuments() };
    const expectError = async (p: Promise<{ status: number; body: Record<string, unknown> }>, status: number, scimType?: string) => {
      const res = await p;
      expect(res.status).toBe(status);
      expect(res.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: String(status), ...(scimType ? { scimType } : {}) });
      expect(typeof res.body.detail).toBe('string');
    };
    await expectError(scim.call('POST', '/Users', '{"schemas": ['), 400, 'invalidSyntax');
    await expectError(scim.call('POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'] }), 400, 'invalidValue');
    await expectError(scim.call('POST', '/Users', { ...okta.create('x@scim-co.test', 'x'), shoeSize: 44 }), 400, 'invalidValue');
    await expectError(scim.call('POST', '/Users', okta.create('ada', 'another-ada')), 409, 'uniqueness');
    await expectError(scim.call('POST', '/Users', okta.create('mallory@other-co.test', 'mallory')), 403);
    await expectError(scim.call('GET', '/Users?filter=userName+eq'), 400, 'invalidFilter');
    await expectError(scim.call('GET', '/Users/does-not-exist'), 404);
    await expectError(scim.call('PATCH', '/Users/does-not-exist', okta.deactivate), 404);
    await expectError(scim.call('POST', '/Users', { ...okta.create('big@scim-co.test', 'big'), displayName: 'x'.repeat(1_100_000) }), 413);
    await expectError(scim.call('GET', '/Widgets'), 404);
    // A NUL character (JSON's \u0000) is refused as input, never a failed write.
    await expectError(scim.call('POST', '/Users', { ...okta.create('nul@scim-co.test', 'nul'), displayName: 'Ada\u0000' }), 400, 'invalidValue');
    // Another directory's token, another tenant's: 401, nothing read.
    const other = await createDirectory(h, 'other-co');
    const res = await fetch(`${scim.baseUrl}/Users`, { headers: { authorization: `Bearer ${other.token}` } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await res.json()).toMatchObject({ status: '401' });
    expect((await fetch(`${scim.baseUrl}/Users`)).status).toBe(401);
    // A disabled directory: 403 once the token is proven.
    expect((await h.admin('PATCH', `/tenants/other-co/directories/${other.id}`, { enabled: false })).status).toBe(200);
    await expectError(other.call('GET', '/Users'), 403);
    expect({ users: await models.users.countDocuments(), scim: await models.scimUsers.countDocuments() }).toEqual(before);
    expect(await models.auditEvents.countDocuments({ action: 'scim.write_refused', 'actor.id': scim.id })).toBeGreaterThanOrEqual(2);
  });

  it('parallel creates of one userName: one User, one account, the rest 409', async () => {
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => scim.call('POST', '/Users', okta.create('twin@scim-co.test', `twin-${i}`))));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 409)).toHaveLength(5);
    const { models } = h.services.db;
    expect(await models.scimUsers.countDocuments({ userName: 'twin@scim-co.test' })).toBe(1);
    expect(await models.users.countDocuments({ email: 'twin@scim-co.test' })).toBe(1);
  });

  it('20 concurrent PATCHes to one User: all applied, as if one after the other; none twice', async () => {
    const created = await scim.call('POST', '/Users', okta.create('busy@scim-co.test', 'okta-busy'));
    const id = String(created.body.id);
    const patches = Array.from({ length: 20 }, (_, i) =>
      scim.call('PATCH', `/Users/${id}`, {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'add', path: 'phoneNumbers', value: [{ value: `+1 555 01${String(i).padStart(2, '0')}`, type: 'work' }] }],
      }),
    );
    const answers = await Promise.all(patches);
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    const final = await scim.call('GET', `/Users/${id}`);
    expect((final.body.phoneNumbers as unknown[]).length).toBe(20);
    expect(final.body.meta).toMatchObject({ version: 'W/"21"' });
    // Each write bumped the version once (21 = create + 20): none was applied twice, none lost.
    const versions = answers.map((a) => Number(/W\/"(\d+)"/.exec((a.body.meta as { version: string }).version)?.[1]));
    expect(Math.min(...versions)).toBeGreaterThanOrEqual(2);
    expect(Math.max(...versions)).toBe(21);
    expect(
      await h.services.db.models.memberships.countDocuments({ userId: (await h.services.db.models.users.findOne({ email: 'busy@scim-co.test' }).lean())?._id }),
    ).toBe(1);
  });

  it('a write re-sent after its run ended (a lost answer, a client retry) is answered from the stored state, not applied again', async () => {
    const created = await scim.call('POST', '/Users', okta.create('again@scim-co.test', 'okta-again'));
    const target = { directoryId: scim.id, tenantId: await tenantId(), scimId: String(created.body.id) };
    const write = {
      id: 'resent-write-1',
      kind: 'patch' as const,
      ops: [{ op: 'add' as const, path: 'phoneNumbers', value: [{ value: '+1 555 0199', type: 'work' }] }],
    };
    const first = await h.services.libraries.scimUsers.write(target, write, null);
    const second = await h.services.libraries.scimUsers.write(target, write, null);
    expect(first).toMatchObject({ ok: true, status: 200, user: { version: 2 } });
    expect(second).toMatchObject({ ok: true, status: 200, user: { version: 2 } });
    const audits = await h.services.db.models.auditEvents.countDocuments({ action: 'scim.user_updated', 'target.id': target.scimId });
    expect(audits).toBe(1);
  });

  it('filters, pages from startIndex=1 and honours count=0, attributes and excludedAttributes', async () => {
    const all = await scim.call('GET', '/Users?count=0');
    expect(all.body).toMatchObject({ Resources: [], itemsPerPage: 0 });
    const total = Number(all.body.totalResults);
    expect(total).toBeGreaterThanOrEqual(3);
    const first = await scim.call('GET', '/Users?startIndex=1&count=2');
    const second = await scim.call('GET', '/Users?startIndex=3&count=2');
    expect(first.body.Resources).toHaveLength(2);
    const ids = [...(first.body.Resources ?? []), ...(second.body.Resources ?? [])].map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    const byEmail = await scim.call('GET', `/Users?filter=${encodeURIComponent('emails[type eq "work" and value co "grace@"]')}&attributes=userName`);
    expect(byEmail.body.Resources).toEqual([{ schemas: expect.any(Array), id: expect.any(String), userName: 'grace@scim-co.test' }]);
    // emails.value (any address, any case) and meta.lastModified: the indexed narrowings, same answers as the schema's rules.
    const byAddress = await scim.call('GET', `/Users?filter=${encodeURIComponent('emails.value eq "GRACE@scim-co.test"')}&attributes=userName`);
    expect(byAddress.body.Resources?.map((r) => r.userName)).toEqual(['grace@scim-co.test']);
    const grace = byAddress.body.Resources?.[0]?.id;
    const graceMeta = (await scim.call('GET', `/Users/${String(grace)}`)).body.meta as { lastModified: string };
    const since = await scim.call('GET', `/Users?filter=${encodeURIComponent(`meta.lastModified ge "${graceMeta.lastModified}"`)}&attributes=userName`);
    expect(since.body.Resources?.map((r) => r.id)).toContain(grace);
    const later = new Date(Date.parse(graceMeta.lastModified) + 1).toISOString();
    const after = await scim.call(
      'GET',
      `/Users?filter=${encodeURIComponent(`meta.lastModified gt "${graceMeta.lastModified}" and meta.lastModified lt "${later}"`)}`,
    );
    expect(after.body.totalResults).toBe(0);
    const searched = await scim.call('POST', '/Users/.search', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
      filter: 'externalId eq "okta-grace"',
      excludedAttributes: ['emails', 'name'],
    });
    expect(searched.body.Resources?.[0]).not.toHaveProperty('emails');
    expect(searched.body.Resources?.[0]).toMatchObject({ userName: 'grace@scim-co.test' });
  });

  it('DELETE deprovisions and forgets the resource; a second DELETE is 404', async () => {
    const created = await scim.call('POST', '/Users', okta.create('linus@scim-co.test', 'okta-linus'));
    const id = String(created.body.id);
    const account = await h.services.db.models.users.findOne({ email: 'linus@scim-co.test' }).lean();
    expect((await scim.call('DELETE', `/Users/${id}`)).status).toBe(204);
    expect((await scim.call('GET', `/Users/${id}`)).status).toBe(404);
    expect((await scim.call('DELETE', `/Users/${id}`)).status).toBe(404);
    expect(await membershipOf(String(account?._id))).toMatchObject({ status: 'suspended' });
    // The userName is free again.
    expect((await scim.call('POST', '/Users', okta.create('linus@scim-co.test', 'okta-linus-2'))).status).toBe(201);
  });
});

describe('SCIM rate limit', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ worker: false, env: { ONRAMP_SCIM_RATE_PER_SECOND: '2' } });
    await h.createTenant('busy-co');
  });
  afterAll(async () => h?.close());

  it('answers 429 with Retry-After once a directory spends its budget', async () => {
    const scim = await createDirectory(h, 'busy-co');
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await scim.call('GET', '/ServiceProviderConfig'));
    const limited = answers.find((a) => a.status === 429);
    expect(limited?.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(limited?.body).toMatchObject({ status: '429' });
  });
});
