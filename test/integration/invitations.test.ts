import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../support/browser';
import { newIdp, startHarness, user, type Harness, type SamlConnectionInfo } from '../support/harness';
import type { IdpUser } from '../../src/demo/samlIdp';
import { CookieJar, followUntil, issuerAt, startOidcProvider, type TestOidcProvider } from '../../src/demo/oidcProvider';
import { freePort } from '../../src/devservices/ports';

/**
 * An admin invites; the invitee opens the mailed link and signs
 * in — through the tenant's SAML connection (the demo IdP, samlify) when it
 * governs the address, else with a code sent to it — and the acceptance run
 * makes them a member with the invited roles and groups. Expired, revoked,
 * reused, wrong-account and two-tab cases.
 */
describe('invitations', () => {
  let h: Harness;
  let saml: SamlConnectionInfo;
  let tenantId: string;
  const idp = newIdp('inv-co');
  const models = () => h.services.db.models;

  beforeAll(async () => {
    h = await startHarness();
    await h.createTenant('inv-co', { enabled: false, defaultRoles: ['member'] }); // JIT off: only invitations add people
    await h.createTenant('other-co');
    expect((await h.admin('PUT', '/tenants/inv-co/domains', { domains: [{ domain: 'inv-co.test', verified: true }] })).status).toBe(200);
    expect((await h.admin('PUT', '/tenants/other-co/domains', { domains: [{ domain: 'other-co.test', verified: true }] })).status).toBe(200);
    expect((await h.admin('POST', '/tenants/inv-co/groups', { name: 'Eng', roles: [] })).status).toBe(201);
    saml = await h.createSamlConnection('inv-co', idp);
    tenantId = String((await models().tenants.findOne({ slug: 'inv-co' }).lean())?._id);
  });
  afterAll(async () => h?.close());

  const invite = async (body: Record<string, unknown>) => {
    const res = await h.admin('POST', '/tenants/inv-co/invitations', body);
    expect(res.status).toBe(201);
    return res.body as unknown as { invitation: { id: string; status: string }; acceptUrl: string };
  };
  /** The accept link as the invitee receives it: from the mail in the outbox. */
  const mailedLink = async (email: string) => {
    const mail = await models()
      .outbox.findOne({ to: email, subject: /invited/ })
      .sort({ _id: -1 })
      .lean();
    const url = /(https?:\/\/\S+\/invite\/[A-Za-z0-9_-]+)/.exec(mail?.text ?? '')?.[1];
    if (!url) throw new Error(`no invitation mailed to ${email}`);
    return new URL(url).pathname;
  };

  /** Open the link, choose SSO: the IdP login URL (its RelayState carries the handoff). */
  const chooseSso = async (b: Browser, path: string) => {
    expect((await b.open(path)).html).toContain('single sign-on');
    const chosen = await b.submit(`${path}/sso`, {});
    expect(chosen.status).toBe(303);
    return String(chosen.location);
  };
  /** Let the IdP sign `who` in and post its answer (with the RelayState) to the ACS from browser `b`. */
  const completeSso = async (b: Browser, loginUrl: string, who: IdpUser) => {
    const login = await fetch(loginUrl, { redirect: 'manual' });
    const answer = await idp.respond(saml.metadataXml, login.headers.get('location'), who);
    expect(answer.RelayState).toMatch(/^invite:/);
    const res = await fetch(answer.acsUrl, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: b.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ SAMLResponse: answer.SAMLResponse, RelayState: answer.RelayState ?? '' }).toString(),
    });
    return { status: res.status, location: res.headers.get('location'), html: await res.text() };
  };
  const acceptWithSso = async (b: Browser, path: string, who: IdpUser) => completeSso(b, await chooseSso(b, path), who);
  const membershipOf = async (email: string) => {
    const u = await models().users.findOne({ email }).lean();
    return u ? models().memberships.findOne({ userId: u._id, tenantId }).lean() : null;
  };

  it('SSO-governed address: mailed link → sign in through the tenant SAML IdP → member with the invited roles and groups (JIT off)', async () => {
    const { invitation, acceptUrl } = await invite({ email: 'Ann@inv-co.test', roles: ['admin'], groups: ['Eng'] });
    const path = await mailedLink('ann@inv-co.test');
    expect(new URL(acceptUrl).pathname).toBe(path);
    const b = new Browser(h.url);
    // The invitation is no way around SSO: no code for an address the tenant's IdP governs.
    await b.open(path);
    expect((await b.submit(`${path}/code`, {})).status).toBe(409);

    const accepted = await acceptWithSso(b, path, user('ann', 'inv-co.test'));
    expect(accepted).toMatchObject({ status: 303, location: '/' });
    expect(await membershipOf('ann@inv-co.test')).toMatchObject({ status: 'active', roles: ['admin'] });
    const ann = await models().users.findOne({ email: 'ann@inv-co.test' }).lean();
    expect(await models().grants.countDocuments({ userId: ann?._id, value: 'Eng', source: 'invitation' })).toBe(1);
    expect(await models().identities.countDocuments({ userId: ann?._id, connectionId: saml.id })).toBe(1);
    expect((await h.admin('GET', `/tenants/inv-co/invitations/${invitation.id}`)).body).toMatchObject({ status: 'accepted', acceptedBy: String(ann?._id) });
    expect(await models().auditEvents.countDocuments({ tenantId, action: 'invitation.accepted' })).toBe(1);

    // Reused: the link now says it was accepted; accepting again through SSO as someone else is refused.
    const again = await new Browser(h.url).open(path);
    expect(again.status).toBe(409);
    expect(again.html).toContain('already accepted');
  });

  it('wrong account: signing in as someone else is refused (and audited); the invited person can still accept', async () => {
    await invite({ email: 'dana@inv-co.test', roles: ['member'] });
    const path = await mailedLink('dana@inv-co.test');
    const refused = await acceptWithSso(new Browser(h.url), path, user('eve', 'inv-co.test'));
    expect(refused.status).toBe(403);
    expect(refused.html).toContain('invitation_wrong_account');
    expect(await models().users.countDocuments({ email: 'eve@inv-co.test' })).toBe(0);
    expect(await models().auditEvents.countDocuments({ tenantId, action: 'invitation.accept_refused', reason: 'invitation_wrong_account' })).toBe(1);
    expect((await acceptWithSso(new Browser(h.url), path, user('dana', 'inv-co.test'))).status).toBe(303);
    expect(await membershipOf('dana@inv-co.test')).toMatchObject({ status: 'active' });
  });

  it('the handoff is bound to the browser that started it: a sign-in completed in another browser accepts nothing; the starting browser still can', async () => {
    await invite({ email: 'pat@inv-co.test', roles: ['admin'] });
    const path = await mailedLink('pat@inv-co.test');
    const started = new Browser(h.url);
    const loginUrl = await chooseSso(started, path); // e.g. the login link, sent to someone else
    expect(started.cookie).toMatch(/onramp\.invite=/);

    const other = new Browser(h.url);
    await other.open('/sso/email'); // a browser with a session of its own, but not the one that started
    const auditsBefore = await models().auditEvents.countDocuments({});
    const foreign = await completeSso(other, loginUrl, user('pat', 'inv-co.test'));
    expect(foreign.status).toBe(403);
    expect(foreign.html).toContain('invitation_other_browser');
    expect(await models().users.countDocuments({ email: 'pat@inv-co.test' })).toBe(0);
    // Nothing but the denial was written.
    expect(await models().auditEvents.countDocuments({})).toBe(auditsBefore + 1);
    expect(await models().auditEvents.countDocuments({ tenantId, action: 'invitation.link_refused', reason: 'invitation_other_browser' })).toBe(1);
    // No cookie at all: refused the same way.
    const bare = await completeSso(new Browser(h.url), loginUrl, user('pat', 'inv-co.test'));
    expect(bare.status).toBe(403);
    expect(bare.html).toContain('invitation_other_browser');

    // The browser that started it completes the acceptance.
    expect(await completeSso(started, loginUrl, user('pat', 'inv-co.test'))).toMatchObject({ status: 303, location: '/' });
    expect(await membershipOf('pat@inv-co.test')).toMatchObject({ status: 'active', roles: ['admin'] });
    // Used: the handle is spent even for the browser that held it.
    expect((await completeSso(started, loginUrl, user('pat', 'inv-co.test'))).status).toBe(410);
  });

  it('two tabs accepting at once: both signed in, one account, one membership, one audit event; a forwarded link in a third tab is refused', async () => {
    await invite({ email: 'tom@inv-co.test', groups: ['Eng'] });
    const path = await mailedLink('tom@inv-co.test');
    const [one, two, mallory] = await Promise.all([
      acceptWithSso(new Browser(h.url), path, user('tom', 'inv-co.test')),
      acceptWithSso(new Browser(h.url), path, user('tom', 'inv-co.test')),
      acceptWithSso(new Browser(h.url), path, user('mallory', 'inv-co.test')), // a forwarded link, in a third tab
    ]);
    expect([one.status, two.status]).toEqual([303, 303]);
    expect([403, 409]).toContain(mallory.status);
    expect(await models().users.countDocuments({ email: 'mallory@inv-co.test' })).toBe(0);
    const tom = await models().users.findOne({ email: 'tom@inv-co.test' }).lean();
    expect(await models().users.countDocuments({ email: 'tom@inv-co.test' })).toBe(1);
    expect(await models().memberships.countDocuments({ userId: tom?._id })).toBe(1);
    expect(await models().grants.countDocuments({ userId: tom?._id })).toBe(1);
    expect(await models().auditEvents.countDocuments({ userId: tom?._id, action: 'membership.created' })).toBe(1);
  });

  it('ungoverned address (a contractor): a code to the invited address accepts; sendInvitation on POST …/members invites instead of creating', async () => {
    const created = await h.admin('POST', '/tenants/inv-co/members', { email: 'bob@freelance.test', roles: ['member'], groups: ['Eng'], sendInvitation: true });
    expect(created).toMatchObject({ status: 202, body: { outcome: 'invited', invitation: { email: 'bob@freelance.test', status: 'pending' } } });
    const path = await mailedLink('bob@freelance.test');
    const b = new Browser(h.url);
    expect((await b.open(path)).html).toContain('Send me a code');
    expect((await b.submit(`${path}/sso`, {})).status).toBe(409); // no SSO governs freelance.test
    expect((await b.submit(`${path}/code`, {})).html).toContain('Check your email');
    const mail = await models().outbox.findOne({ to: 'bob@freelance.test', subject: /code/ }).sort({ _id: -1 }).lean();
    const code = /is (\d{6})/.exec(mail?.text ?? '')?.[1] ?? '';
    expect((await b.submit(`${path}/verify`, { email: 'bob@freelance.test', code: '000000' === code ? '111111' : '000000' })).status).toBe(401);
    const accepted = await b.submit(`${path}/verify`, { email: 'bob@freelance.test', code });
    expect(accepted).toMatchObject({ status: 303, location: '/' });
    expect(await membershipOf('bob@freelance.test')).toMatchObject({ status: 'active', roles: ['member'] });

    // Next time: email sign-in names the organization he joined (freelance.test is nobody's domain-JIT domain).
    const again = new Browser(h.url);
    expect((await again.open('/sso/email?tenant=inv-co')).html).toContain('name="tenant" value="inv-co"');
    await again.submit('/sso/email/start', { email: 'bob@freelance.test', tenant: 'inv-co' });
    const next = await models().outbox.findOne({ to: 'bob@freelance.test', subject: 'Your sign-in code' }).sort({ _id: -1 }).lean();
    const signInCode = /code is (\d{6})/.exec(next?.text ?? '')?.[1] ?? '';
    expect(signInCode).toMatch(/^\d{6}$/);
    expect(await again.submit('/sso/email/verify', { email: 'bob@freelance.test', code: signInCode })).toMatchObject({ status: 303 });
    // Naming an organization where the address has no identity sends nothing.
    const stranger = new Browser(h.url);
    await stranger.open('/sso/email?tenant=inv-co');
    expect((await stranger.submit('/sso/email/start', { email: 'stranger@freelance.test', tenant: 'inv-co' })).html).toContain('Check your email'); // the same answer: no probing
    expect(await models().outbox.countDocuments({ to: 'stranger@freelance.test' })).toBe(0);
  });

  it("a code-joined member whose domain the tenant's SSO now covers is sent to that SSO by /sso/email?tenant=, and gets no code", async () => {
    // Bob joined with a code (the contractor above); now inv-co verifies freelance.test, which its SAML connection may assert.
    expect(await membershipOf('bob@freelance.test')).toMatchObject({ status: 'active' });
    expect(
      (
        await h.admin('PUT', '/tenants/inv-co/domains', {
          domains: [
            { domain: 'inv-co.test', verified: true },
            { domain: 'freelance.test', verified: true },
          ],
        })
      ).status,
    ).toBe(200);
    try {
      const mailsBefore = await models().outbox.countDocuments({ to: 'bob@freelance.test' });
      const codesBefore = await models().emailCodes.countDocuments({ _id: 'bob@freelance.test' });
      // Scoped to Bob: an earlier test's run may still be writing its own audit events in this database.
      const bobAudits = () => models().auditEvents.countDocuments({ 'target.id': 'bob@freelance.test' });
      const auditsBefore = await bobAudits();
      const b = new Browser(h.url);
      await b.open('/sso/email?tenant=inv-co');
      const sent = await b.submit('/sso/email/start', { email: 'Bob@freelance.test', tenant: 'inv-co' });
      expect(sent).toMatchObject({ status: 303, location: saml.loginUrl });
      expect(sent.html).not.toContain('Check your email');
      // The location is the tenant's SAML login: it sends the browser on to the IdP.
      const login = await fetch(String(sent.location), { redirect: 'manual' });
      expect(login.status).toBe(302);
      expect(await models().outbox.countDocuments({ to: 'bob@freelance.test' })).toBe(mailsBefore);
      expect(await models().emailCodes.countDocuments({ _id: 'bob@freelance.test' })).toBe(codesBefore);
      expect(await bobAudits()).toBe(auditsBefore + 1);
      expect(
        await models().auditEvents.countDocuments({
          tenantId,
          action: 'email_signin.refused',
          reason: 'email_requires_sso',
          'target.id': 'bob@freelance.test',
        }),
      ).toBe(1);
      // The answer depends on the domain only: an address with no account anywhere gets the same one (no probing).
      const nobody = new Browser(h.url);
      await nobody.open('/sso/email?tenant=inv-co');
      expect(await nobody.submit('/sso/email/start', { email: 'nobody@freelance.test', tenant: 'inv-co' })).toMatchObject({
        status: 303,
        location: saml.loginUrl,
      });
      expect(await models().outbox.countDocuments({ to: 'nobody@freelance.test' })).toBe(0);
    } finally {
      expect((await h.admin('PUT', '/tenants/inv-co/domains', { domains: [{ domain: 'inv-co.test', verified: true }] })).status).toBe(200);
    }
  });

  it('sendInvitation honours the Idempotency-Key: retries (also concurrent) get the same invitation, one mail, one audit; another request under the key is 422 and writes nothing', async () => {
    const post = (path: string, body: Record<string, unknown>, key: string) =>
      fetch(`${h.url}/api/admin/tenants/inv-co/${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${h.adminToken}`, 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify(body),
      }).then(async (res) => ({
        status: res.status,
        body: (await res.json()) as {
          invitation?: { id: string; email: string; roles: string[] };
          acceptUrl?: string | null;
          outcome?: string;
          error?: { code: string };
        },
      }));
    const body = { email: 'Ida@freelance.test', roles: ['member'], groups: ['Eng'], sendInvitation: true };
    const answers = await Promise.all([1, 2, 3].map(() => post('members', body, 'invite-ida-1')));
    const again = await post('members', body, 'invite-ida-1');
    for (const a of [...answers, again])
      expect(a).toMatchObject({ status: 202, body: { outcome: 'invited', invitation: { email: 'ida@freelance.test', roles: ['member'] } } });
    const ids = new Set([...answers, again].map((a) => a.body.invitation?.id));
    expect(ids.size).toBe(1);
    const [id] = [...ids];
    const written = async () => ({
      invitations: await models().invitations.countDocuments({ email: 'ida@freelance.test' }),
      mails: await models().outbox.countDocuments({ to: 'ida@freelance.test' }),
      audits: await models().auditEvents.countDocuments({ tenantId }),
      created: await models().auditEvents.countDocuments({ tenantId, action: 'invitation.created', 'target.id': id }),
      events: await models().events.countDocuments({ tenantId }),
    });
    const before = await written();
    expect(before).toMatchObject({ invitations: 1, mails: 1, created: 1 });

    // The same key with another request: refused, nothing written.
    const reused = await post('members', { ...body, roles: ['admin'] }, 'invite-ida-1');
    expect(reused).toMatchObject({ status: 422, body: { error: { code: 'idempotency_key_reused' } } });
    expect(await written()).toEqual(before);

    // POST …/invitations too: 201 with the link once, then 200 with the same invitation and no link.
    const first = await post('invitations', { email: 'ivo@freelance.test' }, 'invite-ivo');
    expect(first.status).toBe(201);
    expect(first.body.acceptUrl).toMatch(/\/invite\//);
    const retry = await post('invitations', { email: 'ivo@freelance.test' }, 'invite-ivo');
    expect(retry).toMatchObject({ status: 200, body: { invitation: { id: first.body.invitation?.id }, acceptUrl: null } });
    expect(await models().outbox.countDocuments({ to: 'ivo@freelance.test' })).toBe(1);
    expect((await post('invitations', { email: 'ivo@freelance.test', roles: ['admin'] }, 'invite-ivo')).status).toBe(422);
    // Without a key a second invitation of the address is still 409 invitation_exists.
    expect((await h.admin('POST', '/tenants/inv-co/invitations', { email: 'ivo@freelance.test' })).body).toMatchObject({
      error: { code: 'invitation_exists' },
    });
  });

  it('the same address invited by several admins at once without a key: one invitation, one mail, one audit; the rest 409; after a revoke or an expiry the address can be invited again', async () => {
    const email = 'para@freelance.test';
    const answers = await Promise.all([1, 2, 3, 4, 5, 6].map(() => h.admin('POST', '/tenants/inv-co/invitations', { email })));
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    for (const a of answers.filter((x) => x.status === 409)) expect(a.body).toMatchObject({ error: { code: 'invitation_exists' } });
    const written = async () => ({
      invitations: await models().invitations.countDocuments({ email }),
      mails: await models().outbox.countDocuments({ to: email }),
      created: await models().auditEvents.countDocuments({ tenantId, action: 'invitation.created', 'context.email': email }),
    });
    expect(await written()).toEqual({ invitations: 1, mails: 1, created: 1 });

    // Revoked: the address is free again (once, even when asked twice at once).
    const first = (answers.find((a) => a.status === 201)?.body as unknown as { invitation: { id: string } }).invitation;
    await h.admin('DELETE', `/tenants/inv-co/invitations/${first.id}`);
    const again = await Promise.all([1, 2].map(() => h.admin('POST', '/tenants/inv-co/invitations', { email, expiresInSeconds: 1 })));
    expect(again.map((a) => a.status).sort()).toEqual([201, 409]);
    expect(await written()).toEqual({ invitations: 2, mails: 2, created: 2 });

    // Expired: free again.
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect((await h.admin('POST', '/tenants/inv-co/invitations', { email })).status).toBe(201);
    expect(await written()).toEqual({ invitations: 3, mails: 3, created: 3 });
  });

  it('lists by status in the query: an old revoked invitation is listed behind 500 newer pending ones', async () => {
    await h.createTenant('inv-many');
    const tid = (await models().tenants.findOne({ slug: 'inv-many' }).lean())?._id;
    const at = (ms: number) => new Date(Date.now() - ms);
    const doc = (i: number, status: string, createdAt: Date) => ({
      _id: `many-${i}`,
      tenantId: tid,
      email: `p${i}@many.test`,
      roles: [],
      groups: [],
      allowAnyEmail: false,
      status,
      expiresAt: at(-86_400_000),
      tokenHash: `hash-${i}`,
      sentCount: 1,
      invitedBy: { type: 'admin', id: null },
      createdAt,
      updatedAt: createdAt,
    });
    await models().invitations.collection.insertMany([
      doc(0, 'revoked', at(3_600_000)),
      ...Array.from({ length: 500 }, (_, i) => doc(i + 1, 'pending', at(60_000 - i))),
    ] as never);
    const revoked = await h.admin('GET', '/tenants/inv-many/invitations?status=revoked');
    expect(revoked.status).toBe(200);
    expect((revoked.body.data as Array<{ id: string; status: string }>).map((i) => [i.id, i.status])).toEqual([['many-0', 'revoked']]);
  });

  it('expired, resent (old link dead), revoked; list by status; refusals at creation', async () => {
    const short = await invite({ email: 'exp@freelance.test', expiresInSeconds: 1 });
    const oldPath = await mailedLink('exp@freelance.test');
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    const expired = await new Browser(h.url).open(oldPath);
    expect(expired.status).toBe(410);
    expect(expired.html).toContain('expired');
    expect(((await h.admin('GET', '/tenants/inv-co/invitations?status=expired')).body.data as Array<{ id: string }>).map((i) => i.id)).toContain(
      short.invitation.id,
    );

    const resent = await h.admin('POST', `/tenants/inv-co/invitations/${short.invitation.id}/resend`);
    expect(resent).toMatchObject({ status: 200, body: { invitation: { status: 'pending', sentCount: 2 } } });
    expect((await new Browser(h.url).open(oldPath)).status).toBe(404);
    const newPath = await mailedLink('exp@freelance.test');
    expect(newPath).not.toBe(oldPath);
    expect((await new Browser(h.url).open(newPath)).status).toBe(200);

    expect((await h.admin('DELETE', `/tenants/inv-co/invitations/${short.invitation.id}`)).body).toMatchObject({ status: 'revoked' });
    const revoked = await new Browser(h.url).open(newPath);
    expect(revoked.status).toBe(410);
    expect(revoked.html).toContain('withdrawn');
    expect((await h.admin('POST', `/tenants/inv-co/invitations/${short.invitation.id}/resend`)).status).toBe(409);

    // The tenant's own expiry applies to invitations that name none.
    expect((await h.admin('PUT', '/tenants/inv-co/invitation-settings', { expirySeconds: 3600 })).body).toEqual({ expirySeconds: 3600 });
    expect((await h.admin('PUT', '/tenants/inv-co/invitation-settings', { expirySeconds: 5 })).status).toBe(400);
    const hourly = await invite({ email: 'hour@freelance.test' });
    const expiresIn = Date.parse(String((hourly.invitation as unknown as { expiresAt: string }).expiresAt)) - Date.now();
    expect(expiresIn).toBeGreaterThan(3500_000);
    expect(expiresIn).toBeLessThanOrEqual(3600_000);

    expect((await h.admin('POST', '/tenants/inv-co/invitations', { email: 'x@other-co.test' })).body).toMatchObject({
      error: { code: 'domain_verified_by_other_tenant' },
    });
    expect((await h.admin('POST', '/tenants/inv-co/invitations', { email: 'ann@inv-co.test' })).body).toMatchObject({ error: { code: 'already_member' } });
    expect((await h.admin('POST', '/tenants/inv-co/invitations', { email: 'y@freelance.test', roles: ['god'] })).body).toMatchObject({
      error: { code: 'unknown_role' },
    });
    await invite({ email: 'twice@freelance.test' });
    expect((await h.admin('POST', '/tenants/inv-co/invitations', { email: 'twice@freelance.test' })).body).toMatchObject({
      error: { code: 'invitation_exists' },
    });
    expect((await new Browser(h.url).open('/invite/not-a-real-token-at-all-xxxxxxxx')).status).toBe(404);
    expect(
      await models().auditEvents.countDocuments({ tenantId, action: { $in: ['invitation.created', 'invitation.resent', 'invitation.revoked'] } }),
    ).toBeGreaterThanOrEqual(7);
  });
});

describe('invitations through an OIDC connection', () => {
  let h: Harness;
  let op: TestOidcProvider;
  const client = { clientId: 'onramp-inv', clientSecret: 'an-oidc-client-secret-for-invitations' };

  beforeAll(async () => {
    h = await startHarness();
    await h.createTenant('oinv', { enabled: false, defaultRoles: ['member'] });
    expect((await h.admin('PUT', '/tenants/oinv/domains', { domains: [{ domain: 'oinv.test', verified: true }] })).status).toBe(200);
    const port = await freePort();
    const conn = (await h.admin('POST', '/tenants/oinv/connections/oidc', { name: 'OIDC', issuer: issuerAt(port), ...client })).body as unknown as {
      redirectUri: string;
    };
    op = await startOidcProvider(port, { ...client, redirectUris: [conn.redirectUri] });
    op.users.set('sub-kim', { email: 'kim@oinv.test', email_verified: true, name: 'Kim' });
  });
  afterAll(async () => {
    await h?.close();
    await op?.close();
  });

  it('the OIDC connection governs the address: the invitee signs in through the OpenID Provider and joins with the invited roles', async () => {
    const created = await h.admin('POST', '/tenants/oinv/invitations', { email: 'kim@oinv.test', roles: ['admin'] });
    const path = new URL((created.body as unknown as { acceptUrl: string }).acceptUrl).pathname;
    const b = new Browser(h.url);
    expect((await b.open(path)).html).toContain('single sign-on');
    const chosen = await b.submit(`${path}/sso`, {});
    expect(chosen.location).toMatch(/\/sso\/oidc\/[0-9a-f]{24}\/login\?invite=/);
    op.loginAs('sub-kim');
    const redirectUri = new URL(String(chosen.location)).pathname.replace(/login$/, 'callback');
    // The sign-in completed in another browser (the login link sent to someone else) accepts nothing…
    const foreign = await fetch(await followUntil(String(chosen.location), `${h.url}${redirectUri}`, new CookieJar()), { redirect: 'manual' });
    expect(foreign.status).toBe(403);
    expect(await foreign.text()).toContain('invitation_other_browser');
    expect(await h.services.db.models.users.countDocuments({ email: 'kim@oinv.test' })).toBe(0);
    expect(await h.services.db.models.auditEvents.countDocuments({ action: 'invitation.link_refused', reason: 'invitation_other_browser' })).toBe(1);
    // …and the browser that started it joins.
    const callback = await followUntil(String(chosen.location), `${h.url}${redirectUri}`, new CookieJar());
    const res = await fetch(callback, { redirect: 'manual', headers: { cookie: b.cookie } });
    expect(res.status).toBe(303);
    const kim = await h.services.db.models.users.findOne({ email: 'kim@oinv.test' }).lean();
    expect(await h.services.db.models.memberships.findOne({ userId: kim?._id }).lean()).toMatchObject({ roles: ['admin'], status: 'active' });
    expect(await h.services.db.models.identities.countDocuments({ userId: kim?._id, protocol: 'oidc' })).toBe(1);
  });
});
