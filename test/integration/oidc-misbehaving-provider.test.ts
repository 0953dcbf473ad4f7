import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieJar, followUntil } from '../../src/demo/oidcProvider';
import { newIdp, samlSignIn, startHarness, type Harness } from '../support/harness';
import { startRogueOidcProvider, type Misbehaviour, type RogueOidcProvider } from '../support/rogueOidcProvider';
import { waitForSignInRuns } from '../support/temporal';

/**
 * What an OpenID Provider may send is checked and bounded —
 * against a loopback provider the test controls.
 */
describe('OIDC against a provider that misbehaves', () => {
  let h: Harness;
  let op: RogueOidcProvider;
  let conn: { id: string; loginUrl: string; redirectUri: string };
  const client = { clientId: 'onramp-rogue', clientSecret: 'a-client-secret-for-the-rogue-provider' };

  beforeAll(async () => {
    h = await startHarness();
    await h.createTenant('rogue');
    op = await startRogueOidcProvider(client);
    const created = await h.admin('POST', '/tenants/rogue/connections/oidc', { name: 'Rogue', issuer: op.issuer, ...client });
    expect(created.status).toBe(201);
    conn = created.body as unknown as typeof conn;
  });
  afterAll(async () => {
    await h?.close();
    await op?.close();
  });

  const signIn = async (next: Misbehaviour, sub: string) => {
    op.next = next;
    op.user = { ...op.user, sub };
    const callback = await followUntil(conn.loginUrl, conn.redirectUri, new CookieJar());
    const res = await fetch(callback, { redirect: 'manual' });
    return { status: res.status, body: await res.text() };
  };
  const written = async () => {
    const { models } = h.services.db;
    return { users: await models.users.countDocuments(), identities: await models.identities.countDocuments() };
  };
  const rejectedAs = async (code: string) =>
    h.services.db.models.auditEvents.countDocuments({
      action: 'signin.rejected',
      reason: code,
      tenantId: (await h.services.db.models.tenants.findOne({ slug: 'rogue' }).lean())?._id,
    });

  it('an honest answer signs in (the provider works)', async () => {
    const res = await signIn({ kind: 'honest' }, 'honest-sub');
    expect(res.status).toBe(303);
    await waitForSignInRuns(h.services.client, conn.id, 'honest-sub');
  });

  it.each([
    ['signed by a key the provider never published', { kind: 'unknown-key' } as const, 401, 'oidc_bad_signature'],
    ['with a corrupted signature', { kind: 'corrupt-signature' } as const, 401, 'oidc_bad_signature'],
    ['in a 3 MB token response', { kind: 'huge-token-response', bytes: 3 * 1024 * 1024 } as const, 401, 'oidc_response_too_large'],
    ['with a 1 MB claim', { kind: 'huge-claim', bytes: 1024 * 1024 } as const, 401, 'oidc_response_too_large'],
    ['with 1,500 groups', { kind: 'many-groups', count: 1_500 } as const, 400, 'claim_too_large'],
    ['issued an hour in the future', { kind: 'iat-ahead', seconds: 3_600 } as const, 401, 'oidc_invalid'],
  ])('an ID token %s is refused with its reason code, audited, nothing written', async (_label, next, status, code) => {
    const before = await written();
    const audited = await rejectedAs(code);
    const res = await signIn(next, `bad-${next.kind}`);
    expect(res.status).toBe(status);
    expect(res.body).toContain(`Reason code: <code>${code}</code>`);
    expect(res.body).not.toMatch(/\.ts:\d+|node_modules/);
    expect(await written()).toEqual(before);
    expect(await rejectedAs(code)).toBe(audited + 1);
    // The server keeps answering.
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
  });

  it('a NUL character in a claim is refused as input (claim_invalid), audited, nothing written', async () => {
    const honest = op.user;
    op.user = { ...op.user, name: 'Ada\u0000Lovelace' };
    const before = await written();
    const audited = await rejectedAs('claim_invalid');
    const res = await signIn({ kind: 'honest' }, 'nul-sub');
    op.user = honest;
    expect(res.status).toBe(400);
    expect(res.body).toContain('Reason code: <code>claim_invalid</code>');
    expect(await written()).toEqual(before);
    expect(await rejectedAs('claim_invalid')).toBe(audited + 1);
  });

  it('an email the provider did not verify does not take the address from its real owner', async () => {
    op.user = { ...op.user, email: 'owner@free-mailbox.test', email_verified: false, name: 'Squatter' };
    const squatter = await signIn({ kind: 'honest' }, 'squatter-sub');
    expect(squatter.status).toBe(303);
    await waitForSignInRuns(h.services.client, conn.id, 'squatter-sub');
    const { models } = h.services.db;
    expect(await models.userEmails.findById('owner@free-mailbox.test').lean()).toBeNull();
    const squatterAccount = await models.users.findOne({ unverifiedEmail: 'owner@free-mailbox.test' }).lean();
    expect(squatterAccount?.email).toBeUndefined();

    // The real owner arrives through an IdP that vouches for the address: a new account of their own.
    await h.createTenant('owner-co');
    const idp = newIdp('owner-co');
    const saml = await h.createSamlConnection('owner-co', idp);
    const owner = await samlSignIn(saml, idp, { nameId: 'owner', email: 'owner@free-mailbox.test', name: 'Owner' });
    expect(owner.status).toBe(303);
    await waitForSignInRuns(h.services.client, saml.id, 'owner');
    const ownerAccount = await models.users.findOne({ email: 'owner@free-mailbox.test' }).lean();
    expect(String(ownerAccount?._id)).not.toBe(String(squatterAccount?._id));
    expect(String((await models.userEmails.findById('owner@free-mailbox.test').lean())?.userId)).toBe(String(ownerAccount?._id));
    // A second unverified sign-in (another subject) is another account without the address, not a link to the owner's.
    op.user = { ...op.user, email: 'owner@free-mailbox.test', email_verified: false };
    expect((await signIn({ kind: 'honest' }, 'squatter-2')).status).toBe(403); // the address is held: never linked on an unverified email
    await waitForSignInRuns(h.services.client, conn.id, 'squatter-2');
    expect(await models.identities.countDocuments({ userId: ownerAccount?._id })).toBe(1);
  });

  it('a broken discovery document is a 502 for an admin to fix; a provider answering 503 is "try again"; both reported at creation', async () => {
    await h.createTenant('rogue-discovery');
    const login = async (loginUrl: string) => {
      const res = await fetch(loginUrl, { redirect: 'manual' });
      return { status: res.status, page: await res.text() };
    };
    try {
      op.discovery = 'wrong-issuer';
      const created = await h.admin('POST', '/tenants/rogue-discovery/connections/oidc', { name: 'Rogue again', issuer: op.issuer, ...client });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ discovery: 'failed', discoveryError: { code: 'oidc_discovery_invalid' } });
      const { loginUrl } = created.body as unknown as { loginUrl: string };
      const broken = await login(loginUrl);
      expect(broken.status).toBe(502);
      expect(broken.page).toContain('Reason code: <code>oidc_discovery_invalid</code>');
      expect(broken.page).toContain(`${op.issuer}/.well-known/openid-configuration`);

      op.discovery = 'unavailable';
      const down = await login(loginUrl);
      expect(down.status).toBe(503);
      expect(down.page).toContain('Reason code: <code>oidc_discovery_failed</code>');

      // Once the provider is fixed, the next sign-in discovers again (failures are not cached).
      op.discovery = 'honest';
      expect((await login(loginUrl)).status).toBe(302);
    } finally {
      op.discovery = 'honest';
    }
  });
});
