import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SA_DECISIONS, SA_OUTCOME } from '../../src/runs/searchAttributes';
import { newIdp, samlSignIn, startHarness, useSamlTenant, type Harness, type SamlConnectionInfo } from '../support/harness';
import { listRuns, waitForSignInRuns } from '../support/temporal';

/** Acquisitions (Peter): a new IdP identity joins the account that already holds the email — or, per policy, does not. */
describe('linking an IdP identity to an existing account', () => {
  let h: Harness;
  const magicIdp = newIdp('magictech');
  const sfIdp = newIdp('superfantasy');
  let magic: SamlConnectionInfo;
  let sf: SamlConnectionInfo;

  const person = (local: string, email: string) => ({ nameId: `${local}-subject`, email, name: local });

  beforeAll(async () => {
    h = await startHarness();
    await h.createTenant('magictech');
    await h.createTenant('superfantasy');
    magic = await h.createSamlConnection('magictech', magicIdp);
    sf = await h.createSamlConnection('superfantasy', sfIdp);
    // Before the acquisition: these people already have accounts through MagicTech's IdP.
    for (const [local, email] of [
      ['peter', 'peter@magictech.test'],
      ['ann', 'ann@unverified.test'],
      ['eve', 'eve@magictech.test'],
    ] as const) {
      expect((await samlSignIn(magic, magicIdp, person(local, email))).status).toBe(303);
      await waitForSignInRuns(h.services.client, magic.id, `${local}-subject`);
    }
  });
  afterAll(async () => h?.close());

  const signIn = async (conn: SamlConnectionInfo, idp: typeof magicIdp, who: ReturnType<typeof person>) => {
    const res = await samlSignIn(conn, idp, who);
    await waitForSignInRuns(h.services.client, conn.id, who.nameId);
    return res;
  };

  it('refuses to verify a domain another tenant verified (409), and verifies a free one', async () => {
    const ok = await h.admin('PUT', '/tenants/superfantasy/domains', {
      domains: [
        { domain: 'MagicTech.TEST.', verified: true },
        { domain: 'superfantasy.test', verified: true },
      ],
    });
    expect(ok.status).toBe(200);
    expect(ok.body.domains).toEqual([
      { domain: 'magictech.test', verified: true },
      { domain: 'superfantasy.test', verified: true },
    ]);
    const taken = await h.admin('PUT', '/tenants/magictech/domains', { domains: [{ domain: 'magictech.test', verified: true }] });
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe('domain_verified_by_other_tenant');
    const bad = await h.admin('PUT', '/tenants/magictech/domains', { domains: [{ domain: 'not a domain', verified: true }] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^domains\.0\.domain/);
  });

  it('Peter: signs in through the acquirer with auto linking → one account, two identities, two memberships', async () => {
    expect((await h.admin('PUT', '/tenants/superfantasy/link-policy', { policy: 'auto', fallback: 'deny' })).status).toBe(200);
    // Same person through SuperFantasy's IdP: another subject, the email in another case with a trailing dot.
    const peterAtSf = person('peter-sf', 'Peter@MagicTech.test.');
    const res = await signIn(sf, sfIdp, peterAtSf);
    expect(res.status).toBe(303);
    const { models } = h.services.db;
    const users = await models.users.find({ email: 'peter@magictech.test' }).lean();
    expect(users).toHaveLength(1);
    expect(await models.identities.countDocuments({ userId: users[0]?._id })).toBe(2);
    expect(await models.memberships.countDocuments({ userId: users[0]?._id })).toBe(2);
    const linked = await models.auditEvents.find({ userId: users[0]?._id, action: 'identity.linked' }).lean();
    expect(linked.map((e) => String(e.tenantId)).sort()).toEqual([magic.tenantId, sf.tenantId].sort());
    // Peter's original identity keeps working after SuperFantasy verified the domain.
    expect((await signIn(magic, magicIdp, person('peter', 'peter@magictech.test'))).status).toBe(303);

    // SuperFantasy's admin sees the identity at its own connection, and only a count of the others.
    const peterId = String(users[0]?._id);
    const listed = await h.admin('GET', `/tenants/superfantasy/members/${peterId}/identities`);
    expect(listed.status).toBe(200);
    expect(listed.body.data.map((i) => i.subject)).toEqual(['peter-sf-subject']);
    expect(listed.body.linkedElsewhere).toBe(1);
    expect((await h.admin('GET', `/tenants/superfantasy/members/${'0'.repeat(24)}/identities`)).status).toBe(404);
    expect((await h.admin('GET', '/tenants/superfantasy/members/nope/identities')).status).toBe(400);
    // Another tenant's identity cannot be unlinked from here.
    const magicIdentity = `${magic.id}:peter-subject`;
    expect((await h.admin('DELETE', `/tenants/superfantasy/members/${peterId}/identities/${encodeURIComponent(magicIdentity)}`)).status).toBe(404);
    const unlink = await h.admin('DELETE', `/tenants/superfantasy/members/${peterId}/identities/${encodeURIComponent(listed.body.data[0]?.id ?? '')}`);
    expect(unlink.status).toBe(204);
    expect(await models.identities.countDocuments({ userId: users[0]?._id })).toBe(1);
    const audit = await models.auditEvents.findOne({ action: 'identity.unlinked', userId: users[0]?._id }).lean();
    expect(audit?.before).toEqual({ connectionId: sf.id, subject: 'peter-sf-subject', protocol: 'saml' });
    const runs = await listRuns(h.services.client, `OnrampConnection = "${sf.id}" AND OnrampOutcome = "Linked"`, 1);
    expect(runs[0]?.typedSearchAttributes.get(SA_OUTCOME)).toBe('Linked');
    expect(runs[0]?.typedSearchAttributes.get(SA_DECISIONS)).toEqual(['linked']);
  });

  it.each([
    ['an unverified domain', 'ann@unverified.test', async () => undefined, 'domain_not_verified'],
    [
      'an excluded account',
      'eve@magictech.test',
      async (userId: string) => {
        await h.admin('PUT', '/tenants/superfantasy/link-policy', { policy: 'auto', fallback: 'deny', excludedUserIds: [userId] });
      },
      'excluded_account',
    ],
  ])('does not link %s: refused with a reason, nothing written but the denial', async (_n, email, setup, detail) => {
    const local = email.split('@')[0] ?? 'x';
    const { models } = h.services.db;
    const user = await models.users.findOne({ email }).lean();
    await setup(String(user?._id));
    const res = await signIn(sf, sfIdp, person(`${local}-sf`, email));
    expect(res.status).toBe(403);
    expect(res.body).toContain('link_refused');
    expect(await models.users.countDocuments({ email })).toBe(1);
    expect(await models.identities.countDocuments({ userId: user?._id })).toBe(1);
    expect(await models.memberships.countDocuments({ userId: user?._id })).toBe(1);
    const denial = await models.auditEvents.findOne({ action: 'signin.denied', 'context.email': email }).lean();
    expect(denial?.reason).toBe('link_refused');
    expect((denial?.context as { detail?: string } | null)?.detail).toBe(detail);
    // This connection's runs only: other files of the suite share the namespace.
    const runs = await listRuns(h.services.client, `OnrampConnection = "${sf.id}" AND OnrampDecisions = "denied:link_refused:${detail}"`, 1);
    expect(runs.map((r) => r.typedSearchAttributes.get(SA_OUTCOME))).toEqual(['Denied']);
    await h.admin('PUT', '/tenants/superfantasy/link-policy', { policy: 'auto', fallback: 'deny' });
  });

  it('never auto-links an account holding a privileged role', async () => {
    await h.createTenant('adminco', { enabled: true, defaultRoles: ['admin'] });
    const adminIdp = newIdp('adminco');
    const adminConn = await h.createSamlConnection('adminco', adminIdp);
    expect((await signIn(adminConn, adminIdp, person('root', 'root@adminco.test'))).status).toBe(303);
    await h.admin('PUT', '/tenants/superfantasy/domains', {
      domains: [
        { domain: 'magictech.test', verified: true },
        { domain: 'superfantasy.test', verified: true },
        { domain: 'adminco.test', verified: true },
      ],
    });
    const res = await signIn(sf, sfIdp, person('root-sf', 'root@adminco.test'));
    expect(res.status).toBe(403);
    const denial = await h.services.db.models.auditEvents.findOne({ action: 'signin.denied', 'context.email': 'root@adminco.test' }).lean();
    expect((denial?.context as { detail?: string } | null)?.detail).toBe('privileged_account');
  });

  it('treats the internationalized form of a verified domain as the same email, and a lookalike as another', async () => {
    await h.createTenant('bucher');
    const bIdp = newIdp('bucher');
    const b = await h.createSamlConnection('bucher', bIdp);
    expect((await signIn(b, bIdp, person('jo', 'jo@bücher.test'))).status).toBe(303);
    await h.admin('PUT', '/tenants/superfantasy/domains', {
      domains: [
        { domain: 'magictech.test', verified: true },
        { domain: 'superfantasy.test', verified: true },
        { domain: 'adminco.test', verified: true },
        { domain: 'bücher.test', verified: true },
      ],
    });
    const { models } = h.services.db;
    // Punycode form through SuperFantasy's IdP → linked to the same account.
    expect((await signIn(sf, sfIdp, person('jo-sf', 'JO@xn--bcher-kva.test'))).status).toBe(303);
    const jo = await models.users.find({ email: 'jo@xn--bcher-kva.test' }).lean();
    expect(jo).toHaveLength(1);
    expect(await models.identities.countDocuments({ userId: jo[0]?._id })).toBe(2);
    // A lookalike (Cyrillic "е" in magictеch) is another domain: Peter's account is not touched.
    const peter = await models.users.findOne({ email: 'peter@magictech.test' }).lean();
    const before = await models.identities.countDocuments({ userId: peter?._id });
    await signIn(sf, sfIdp, person('fake-peter', 'peter@magictеch.test'));
    expect(await models.identities.countDocuments({ userId: peter?._id })).toBe(before);
  });

  it("refuses a tenant's IdP asserting an email in a domain another tenant verified (no JIT, no link)", async () => {
    const res = await signIn(magic, magicIdp, person('mallory', 'mallory@superfantasy.test'));
    expect(res.status).toBe(403);
    expect(res.body).toContain('domain_owned_by_other_tenant');
    expect(await h.services.db.models.users.countDocuments({ email: 'mallory@superfantasy.test' })).toBe(0);
  });
});

describe('two identities with one email sign in at the same moment', () => {
  let h: Harness;
  const idpX = newIdp('okta-x');
  const idpY = newIdp('entra-y');
  let x: SamlConnectionInfo;
  let y: SamlConnectionInfo;

  beforeAll(async () => {
    h = await startHarness();
    await h.createTenant('twin');
    x = await h.createSamlConnection('twin', idpX);
    y = await h.createSamlConnection('twin', idpY);
    await h.admin('PUT', '/tenants/twin/domains', { domains: [{ domain: 'twin.test', verified: true }] });
  });
  afterAll(async () => h?.close());

  const race = async (email: string) => {
    const [a, b] = await Promise.all([
      samlSignIn(x, idpX, { nameId: `x-${email}`, email, name: 'X' }),
      samlSignIn(y, idpY, { nameId: `y-${email}`, email, name: 'Y' }),
    ]);
    await waitForSignInRuns(h.services.client, x.id, `x-${email}`);
    await waitForSignInRuns(h.services.client, y.id, `y-${email}`);
    return [a.status, b.status].sort();
  };

  it('with auto linking: one account, both identities linked, no error', async () => {
    await h.admin('PUT', '/tenants/twin/link-policy', { policy: 'auto', fallback: 'deny' });
    expect(await race('sam@twin.test')).toEqual([303, 303]);
    const { models } = h.services.db;
    const users = await models.users.find({ email: 'sam@twin.test' }).lean();
    expect(users).toHaveLength(1);
    expect(await models.identities.countDocuments({ userId: users[0]?._id })).toBe(2);
    expect(await models.memberships.countDocuments({ userId: users[0]?._id })).toBe(1);
  });

  it('with linking denied: one account, one identity, the other refused with a page (not a duplicate-key error)', async () => {
    await h.admin('PUT', '/tenants/twin/link-policy', { policy: 'deny', fallback: 'deny' });
    expect(await race('kim@twin.test')).toEqual([303, 403]);
    const { models } = h.services.db;
    const users = await models.users.find({ email: 'kim@twin.test' }).lean();
    expect(users).toHaveLength(1);
    expect(await models.identities.countDocuments({ userId: users[0]?._id })).toBe(1);
    expect(await models.auditEvents.countDocuments({ action: 'signin.denied', reason: 'link_refused', 'context.email': 'kim@twin.test' })).toBe(1);
  });
});

describe('an account from before email claims existed', () => {
  let h: Harness;
  let conn: SamlConnectionInfo;
  const idp = newIdp('legacy');

  useSamlTenant('legacy', idp, (t) => ({ h, conn } = t));

  it('is found (the claim is repaired), never duplicated, and the link policy decides', async () => {
    const { models } = h.services.db;
    // Written as older data was: an account with the email, no email claim.
    const old = await models.users.create({ email: 'lee@legacy.test', displayEmail: 'lee@legacy.test', name: 'Lee' });
    const res = await samlSignIn(conn, idp, { nameId: 'lee', email: 'lee@legacy.test', name: 'Lee' });
    expect(res.status).toBe(202); // default link policy: approval (the run now waits for an admin)
    expect(await models.users.countDocuments({ email: 'lee@legacy.test' })).toBe(1);
    expect(String((await models.userEmails.findById('lee@legacy.test').lean())?.userId)).toBe(String(old._id));
    expect(await models.identities.countDocuments({ userId: old._id })).toBe(0);
  });
});
