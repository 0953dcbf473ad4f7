import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attributeMappingFor, IDP_PROFILES, type IdpAttributeProfile } from '../../src/demo/idpProfiles';
import { createSamlIdp, type IdpUser, type SamlIdp } from '../../src/demo/samlIdp';
import { newIdp, samlSignIn, startHarness, type Harness, type SamlConnectionInfo } from '../support/harness';
import { waitForSignInRuns } from '../support/temporal';

interface Approval {
  id: string;
  email: string;
  kind: string;
  attributes: Array<{ name: string; values: string[] }>;
}
interface Member {
  email: string;
  name: string;
  attributes: Array<{ name: string; value: string | null }>;
}

/** What the IdP put in the assertion, as onramp must hand it back: names and values exactly as sent. */
function sent(profile: IdpAttributeProfile, who: IdpUser): Array<{ name: string; values: string[] }> {
  return [
    { name: profile.email, values: [who.email] },
    { name: profile.name, values: [who.name] },
    ...(who.department ? [{ name: profile.department, values: [who.department] }] : []),
    ...(who.groups?.length ? [{ name: profile.groups, values: [...who.groups] }] : []),
    ...profile.extra.map((x) => ({ name: x.name, values: [x.value] })),
  ].sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * IdPs that name attributes with claim URIs (Entra ID, ADFS) or
 * `urn:oid:` names (Shibboleth, Keycloak) — names full of dots and colons —
 * work in every feature that stores or uses attributes.
 */
/** One web app and worker for every IdP below (each IdP gets its own tenant). */
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

describe.each(['entra', 'adfs', 'shibboleth', 'keycloak'] as const)('SAML sign-ins from an IdP naming attributes like %s', (profileName) => {
  const profile: IdpAttributeProfile = IDP_PROFILES[profileName];
  const t = `names-${profileName}`;
  const domain = `${profileName}.test`;
  let idp: SamlIdp;
  let conn: SamlConnectionInfo;
  const oldIdp = newIdp(`old-${profileName}`);
  let oldConn: SamlConnectionInfo;
  const person = (local: string, extra: Partial<IdpUser> = {}): IdpUser => ({
    nameId: `${local}-${profileName}-subject`,
    email: `${local}@${domain}`,
    name: `${local} ${profileName}`,
    department: 'Research & Development',
    groups: ['Engineering.Platform', 'a$b'],
    ...extra,
  });
  const signIn = async (who: IdpUser) => {
    const res = await samlSignIn(conn, idp, who);
    if (res.status !== 202) await waitForSignInRuns(h.services.client, conn.id, who.nameId);
    return res;
  };
  const memberByEmail = async (email: string): Promise<Member> => {
    const u = await h.services.db.models.users.findOne({ email }).lean();
    const res = await h.admin('GET', `/tenants/${t}/members/${String(u?._id)}`);
    expect(res.status).toBe(200);
    return res.body as unknown as Member;
  };
  const pending = async () => (await h.admin('GET', `/tenants/${t}/approvals`)).body.data as unknown as Approval[];

  beforeAll(async () => {
    idp = createSamlIdp({ entityId: `https://idp.${profileName}.test/metadata`, ssoUrl: `https://idp.${profileName}.test/sso`, profile });
    await h.createTenant(t);
    await h.createTenant(`old-${profileName}`);
    conn = await h.createSamlConnection(t, idp, { attributeMapping: attributeMappingFor(profile) });
    oldConn = await h.createSamlConnection(`old-${profileName}`, oldIdp);
    // Carol has an account from before, through another tenant's IdP.
    const carol = { nameId: 'carol-old', email: `carol@${domain}`, name: 'Carol' };
    expect((await samlSignIn(oldConn, oldIdp, carol)).status).toBe(303);
    await waitForSignInRuns(h.services.client, oldConn.id, 'carol-old');
    expect((await h.admin('PUT', `/tenants/${t}/domains`, { domains: [{ domain, verified: true }] })).status).toBe(200);
  });

  it('JIT: the account gets the email, name and mapped custom attribute from the named attributes', async () => {
    const alice = person('alice');
    expect((await signIn(alice)).status).toBe(303);
    const member = await memberByEmail(alice.email);
    expect(member).toMatchObject({ email: alice.email, name: alice.name, attributes: [{ name: 'department', value: 'Research & Development' }] });
  });

  it('attribute sync with review: changed values become conflicts, the account keeps its own', async () => {
    expect((await h.admin('PUT', `/tenants/${t}/connections/${conn.id}/attribute-sync`, { mode: 'every-sign-in' })).status).toBe(200);
    expect((await h.admin('PUT', `/tenants/${t}/conflict-policy`, { policy: 'review' })).status).toBe(200);
    const alice = person('alice', { name: 'Alice Renamed', department: 'Sales' });
    expect((await signIn(alice)).status).toBe(303);
    const conflicts = (await h.admin('GET', `/tenants/${t}/conflicts`)).body.data as unknown as Array<{ field: string; local: string; asserted: string }>;
    expect(conflicts.map((c) => [c.field, c.local, c.asserted]).sort()).toEqual([
      ['attr:department', 'Research & Development', 'Sales'],
      ['name', `alice ${profileName}`, 'Alice Renamed'],
    ]);
    expect((await memberByEmail(alice.email)).name).toBe(`alice ${profileName}`);
    expect((await h.admin('PUT', `/tenants/${t}/connections/${conn.id}/attribute-sync`, { mode: 'on-first-sign-in' })).status).toBe(200);
  });

  it('new-account approval: 202, the request holds every attribute exactly as sent, approval provisions', async () => {
    expect((await h.admin('PUT', `/tenants/${t}/approval-policy`, { when: ['new-accounts'] })).status).toBe(200);
    const bob = person('bob');
    const first = await signIn(bob);
    expect(first.status).toBe(202);
    expect(first.body).toContain('approval_required');
    const request = (await pending()).find((r) => r.email === bob.email);
    expect(request?.kind).toBe('new-member');
    expect([...(request?.attributes ?? [])].sort((a, b) => a.name.localeCompare(b.name))).toEqual(sent(profile, bob));
    expect((await h.admin('POST', `/tenants/${t}/approvals/${encodeURIComponent(request?.id ?? '')}/approve`, {})).status).toBe(200);
    await waitForSignInRuns(h.services.client, conn.id, bob.nameId);
    expect((await signIn(bob)).status).toBe(303);
    expect((await memberByEmail(bob.email)).attributes).toEqual([{ name: 'department', value: 'Research & Development' }]);
    expect((await h.admin('PUT', `/tenants/${t}/approval-policy`, { when: ['never'] })).status).toBe(200);
  });

  it('link approval: the existing account is linked once an admin approves', async () => {
    expect((await h.admin('PUT', `/tenants/${t}/link-policy`, { policy: 'approval', fallback: 'deny' })).status).toBe(200);
    const carol = person('carol', { name: 'Carol' });
    const first = await signIn(carol);
    expect(first.status).toBe(202);
    expect(first.body).toContain('link_requires_approval');
    const request = (await pending()).find((r) => r.email === carol.email);
    expect(request?.kind).toBe('link');
    expect([...(request?.attributes ?? [])].sort((a, b) => a.name.localeCompare(b.name))).toEqual(sent(profile, carol));
    expect((await h.admin('POST', `/tenants/${t}/approvals/${encodeURIComponent(request?.id ?? '')}/approve`, {})).status).toBe(200);
    await waitForSignInRuns(h.services.client, conn.id, carol.nameId);
    expect((await signIn(carol)).status).toBe(303);
    const { models } = h.services.db;
    const accounts = await models.users.find({ email: carol.email }).lean();
    expect(accounts).toHaveLength(1);
    expect(await models.identities.countDocuments({ userId: accounts[0]?._id })).toBe(2);
  });
});
