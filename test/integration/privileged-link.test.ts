import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieJar, followUntil, issuerAt, startOidcProvider, type TestOidcProvider } from '../../src/demo/oidcProvider';
import type { IdpUser } from '../../src/demo/samlIdp';
import { freePort } from '../../src/devservices/ports';
import { Browser } from '../support/browser';
import { newIdp, samlSignIn, startHarness, type Harness, type SamlConnectionInfo } from '../support/harness';
import { importDone, importResults, postImport } from '../support/imports';
import { waitForSignInRuns } from '../support/temporal';

/**
 * The cross-tenant takeover: tenant P1 makes Alice privileged — not only by a
 * role on her membership but through what her effective roles are made of
 * (a role grant from an IdP mapping, a group carrying `admin` or `owner`,
 * granted by the IdP or an admin). Tenant P2 verified her domain and links
 * automatically. Whatever way her address reaches P2 — SAML, OIDC, an email
 * code, an invitation, the admin API, an import — P2 must not get her
 * account: refused with the documented reason, nothing written but the
 * refusal's audit, and whatever session the attempt left opens nothing of P1.
 * A member of P1 without privileges is linked (the control that proves the
 * test can fail).
 */
const DOMAIN = 'victim.test';
const P1 = 'p1-victim';
const P1_DIRECT = 'p1-direct';
const P2 = 'p2-acquirer';

interface Variant {
  way: string;
  local: string;
  /** The P1 tenant where she is privileged. */
  tenant: string;
  /** Group values P1's IdP asserts at her sign-in there. */
  groups?: string[];
  /** A P1 group an admin grants her through the admin API. */
  adminGroup?: string;
  /** The privileged role her effective roles in P1 must hold. */
  role: 'admin' | 'owner';
  /** Her direct roles in P1 (the effective role comes from elsewhere unless it is listed here). */
  directRoles: string[];
}

const variants: Variant[] = [
  {
    way: '(a) a role grant: an IdP group value mapped to the role admin',
    local: 'alice-a',
    tenant: P1,
    groups: ['idp-admin-role'],
    role: 'admin',
    directRoles: ['member'],
  },
  {
    way: '(b) a tenant group carrying admin, granted by the IdP',
    local: 'alice-b-idp',
    tenant: P1,
    groups: ['idp-admin-group'],
    role: 'admin',
    directRoles: ['member'],
  },
  {
    way: '(b) a tenant group carrying admin, granted through the admin API',
    local: 'alice-b-api',
    tenant: P1,
    adminGroup: 'Admins',
    role: 'admin',
    directRoles: ['member'],
  },
  {
    way: '(d) owner: a role grant from the IdP (the tenant lets its IdP grant owner)',
    local: 'alice-d-idp',
    tenant: P1,
    groups: ['idp-owner-role'],
    role: 'owner',
    directRoles: ['member'],
  },
  {
    way: '(d) owner: a tenant group carrying owner, granted by the IdP (the tenant lets its IdP grant owner)',
    local: 'alice-d-idpgroup',
    tenant: P1,
    groups: ['idp-owner-group'],
    role: 'owner',
    directRoles: ['member'],
  },
  {
    way: '(d) owner: a tenant group carrying owner, granted through the admin API',
    local: 'alice-d-api',
    tenant: P1,
    adminGroup: 'Owners',
    role: 'owner',
    directRoles: ['member'],
  },
  { way: '(e) control: admin directly on the membership', local: 'alice-e', tenant: P1_DIRECT, role: 'admin', directRoles: ['admin'] },
];

const emailOf = (v: { local: string }) => `${v.local}@${DOMAIN}`;
/** One Alice per variant and entry point: an attempt that wrongly links her cannot change what the next attempt meets. */
const aliceOf = (v: Variant, ep: { key: string }): Variant => ({ ...v, local: `${v.local}-${ep.key}` });

/** What an attempt answered, and the session (if any) it left in the attacker's browser. */
interface Answer {
  status: number;
  body: string;
  cookie: string | null;
}

/** An audit event as the assertions read it. */
interface AuditRow {
  action: string;
  reason: string | null;
  detail: string | null;
}

interface EntryPoint {
  name: string;
  key: string;
  /** Prepare the attempt (an invitation sent, a code mailed) and return it; the "nothing written" count starts after preparing. */
  prepare: (v: Variant) => Promise<() => Promise<Answer>>;
  status: number;
  /** The reason code the answer names. */
  code: string;
  /** The audit events the refused attempt writes: exactly these, nothing else. */
  audits: AuditRow[];
  /** A sign-in: the attacker's browser might hold a session afterwards. */
  signIn: boolean;
}

describe('an account privileged in one tenant by its effective roles is never linked into another', () => {
  let h: Harness;
  let op: TestOidcProvider;
  let p1Conn: SamlConnectionInfo;
  let p1DirectConn: SamlConnectionInfo;
  let p2Saml: SamlConnectionInfo;
  let p2Oidc: { id: string; loginUrl: string; redirectUri: string };
  let p2TenantId: string;
  const p1Idp = newIdp('p1-victim');
  const p1DirectIdp = newIdp('p1-direct');
  const p2Idp = newIdp('p2-acquirer');
  const client = { clientId: 'onramp-p2', clientSecret: 'an-oidc-client-secret-of-the-acquirer' };
  const models = () => h.services.db.models;

  const signInTo = async (conn: SamlConnectionInfo, idp: typeof p1Idp, who: IdpUser) => {
    const res = await samlSignIn(conn, idp, who);
    await waitForSignInRuns(h.services.client, conn.id, who.nameId);
    return res;
  };
  const userIdOf = async (email: string) => String((await models().users.findOne({ email }).lean())?._id);

  beforeAll(async () => {
    h = await startHarness();
    await h.createTenant(P1);
    await h.createTenant(P1_DIRECT, { enabled: true, defaultRoles: ['admin'] });
    await h.createTenant(P2);
    p1Conn = await h.createSamlConnection(P1, p1Idp);
    p1DirectConn = await h.createSamlConnection(P1_DIRECT, p1DirectIdp);
    p2Saml = await h.createSamlConnection(P2, p2Idp);
    p2TenantId = p2Saml.tenantId;

    // P1: groups carrying admin and owner; its IdP may grant owner; its connection maps group values to roles and groups.
    expect((await h.admin('PUT', `/tenants/${P1}/roles`, { ownerFromIdp: true })).status).toBe(200);
    expect((await h.admin('POST', `/tenants/${P1}/groups`, { name: 'Admins', roles: ['admin'] })).status).toBe(201);
    expect((await h.admin('POST', `/tenants/${P1}/groups`, { name: 'Owners', roles: ['owner'] })).status).toBe(201);
    const sync = await h.admin('PUT', `/tenants/${P1}/connections/${p1Conn.id}/group-sync`, {
      mode: 'add-only',
      mappings: [
        { value: 'idp-admin-role', roles: ['admin'] },
        { value: 'idp-admin-group', group: 'Admins' },
        { value: 'idp-owner-role', roles: ['owner'] },
        { value: 'idp-owner-group', group: 'Owners' },
      ],
    });
    expect(sync.status).toBe(200);

    // The Alices (one per variant and entry point) and Bob (no privilege) get their accounts through P1 while nobody verified victim.test.
    const setUpAlice = async (v: Variant) => {
      const [conn, idp] = v.tenant === P1 ? [p1Conn, p1Idp] : [p1DirectConn, p1DirectIdp];
      const res = await signInTo(conn, idp, { nameId: `${v.local}-p1`, email: emailOf(v), name: v.local, ...(v.groups ? { groups: v.groups } : {}) });
      expect(res.status).toBe(303);
      const id = await userIdOf(emailOf(v));
      if (v.adminGroup) expect((await h.admin('PUT', `/tenants/${v.tenant}/members/${id}/groups/${v.adminGroup}`)).status).toBe(201);
      // The setup is what the variant says: the privilege is effective, and (but for the control) not a direct role.
      const access = await h.admin('GET', `/tenants/${v.tenant}/members/${id}/access`);
      expect(access.body).toMatchObject({ directRoles: v.directRoles, roles: expect.arrayContaining([v.role]) });
    };
    for (const v of variants) await Promise.all(entryPoints.map((ep) => setUpAlice(aliceOf(v, ep))));
    expect((await signInTo(p1Conn, p1Idp, { nameId: 'bob-p1', email: `bob@${DOMAIN}`, name: 'Bob' })).status).toBe(303);

    // P2 (an acquirer): verifies the domain, links automatically (fallback deny), lets email codes in; SAML and OIDC connections.
    expect((await h.admin('PUT', `/tenants/${P2}/domains`, { domains: [{ domain: DOMAIN, verified: true }] })).status).toBe(200);
    expect((await h.admin('PUT', `/tenants/${P2}/link-policy`, { policy: 'auto', fallback: 'deny' })).status).toBe(200);
    expect((await h.admin('PUT', `/tenants/${P2}/domain-jit`, { enabled: true })).status).toBe(200);
    const port = await freePort();
    const created = await h.admin('POST', `/tenants/${P2}/connections/oidc`, { name: 'P2 OIDC', issuer: issuerAt(port), ...client });
    expect(created.status).toBe(201);
    p2Oidc = created.body as unknown as typeof p2Oidc;
    op = await startOidcProvider(port, { ...client, redirectUris: [p2Oidc.redirectUri] });
  });
  afterAll(async () => {
    await h?.close();
    await op?.close();
  });

  /** What the attempt may not change: accounts, identities, memberships, grants, invitations accepted; and every audit event by id. */
  const snapshot = async () => {
    const m = models();
    const [users, identities, memberships, grants, accepted, audits] = await Promise.all([
      m.users.countDocuments(),
      m.identities.countDocuments(),
      m.memberships.countDocuments(),
      m.grants.countDocuments(),
      m.invitations.countDocuments({ status: 'accepted' }),
      m.auditEvents.find({}, { _id: 1 }).lean(),
    ]);
    return { counts: { users, identities, memberships, grants, accepted }, auditIds: new Set(audits.map((a) => String(a._id))) };
  };
  const auditsSince = async (before: Set<string>): Promise<AuditRow[]> =>
    (await models().auditEvents.find({}).sort({ _id: 1 }).lean())
      .filter((a) => !before.has(String(a._id)))
      .map((a) => ({ action: a.action, reason: a.reason ?? null, detail: (a.context as { detail?: string | null } | null)?.detail ?? null }));

  // ---- the entry points ----

  const viaSaml = async (v: Variant) => async (): Promise<Answer> => {
    const res = await signInTo(p2Saml, p2Idp, { nameId: `${v.local}-p2-saml`, email: emailOf(v), name: v.local });
    return { status: res.status, body: res.body, cookie: res.cookie };
  };

  const viaOidc = async (v: Variant) => {
    const sub = `${v.local}-p2-oidc`;
    op.users.set(sub, { email: emailOf(v), email_verified: true, name: v.local });
    return async (): Promise<Answer> => {
      op.loginAs(sub);
      const callback = await followUntil(p2Oidc.loginUrl, p2Oidc.redirectUri, new CookieJar());
      const res = await fetch(callback, { redirect: 'manual' });
      const answer = { status: res.status, body: await res.text(), cookie: res.headers.get('set-cookie')?.split(';')[0] ?? null };
      await waitForSignInRuns(h.services.client, p2Oidc.id, sub);
      return answer;
    };
  };

  const viaEmailCode = async (v: Variant) => {
    const b = new Browser(h.url);
    await b.open('/sso/email');
    expect((await b.submit('/sso/email/start', { email: emailOf(v) })).html).toContain('Check your email');
    const mail = await models()
      .outbox.findOne({ to: emailOf(v), subject: 'Your sign-in code' })
      .sort({ _id: -1 })
      .lean();
    const code = /code is (\d{6})/.exec(mail?.text ?? '')?.[1] ?? '';
    expect(code).toMatch(/^\d{6}$/);
    return async (): Promise<Answer> => {
      const res = await b.submit('/sso/email/verify', { email: emailOf(v), code });
      const emailConn = await models().emailConnections.findOne({ tenantId: p2TenantId }).lean();
      await waitForSignInRuns(h.services.client, String(emailConn?._id), emailOf(v));
      return { status: res.status, body: res.html, cookie: b.cookie || null };
    };
  };

  /** An invitation of P2 for her address, accepted through P2's SSO (SAML, the RelayState carrying the invitation). */
  const viaInvitation = async (v: Variant) => {
    const created = await h.admin('POST', `/tenants/${P2}/invitations`, { email: emailOf(v), roles: ['member'] });
    expect(created.status).toBe(201);
    const path = new URL((created.body as unknown as { acceptUrl: string }).acceptUrl).pathname;
    return async (): Promise<Answer> => {
      const b = new Browser(h.url);
      expect((await b.open(path)).html).toContain('single sign-on');
      const chosen = await b.submit(`${path}/sso`, {});
      expect(chosen.status).toBe(303);
      const login = await fetch(String(chosen.location), { redirect: 'manual' });
      const answer = await p2Idp.respond(p2Saml.metadataXml, login.headers.get('location'), { nameId: `${v.local}-p2-inv`, email: emailOf(v), name: v.local });
      const res = await fetch(answer.acsUrl, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: b.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ SAMLResponse: answer.SAMLResponse, RelayState: answer.RelayState ?? '' }).toString(),
      });
      const set = res.headers.get('set-cookie')?.split(';')[0];
      return { status: res.status, body: await res.text(), cookie: set ?? (b.cookie || null) };
    };
  };

  const viaApi = async (v: Variant) => async (): Promise<Answer> => {
    const res = await h.admin('POST', `/tenants/${P2}/members`, { email: emailOf(v) });
    return { status: res.status, body: JSON.stringify(res.body), cookie: null };
  };

  const viaImport = async (v: Variant) => async (): Promise<Answer> => {
    const res = await postImport(h, P2, `email,name\n${emailOf(v)},${v.local}\n`, { query: `key=import-${v.local}` });
    expect(res.status).toBe(202);
    const id = res.body.import?.id ?? '';
    const done = await importDone(h, P2, id);
    const rows = await importResults(h, P2, id);
    return {
      status: res.status,
      body: JSON.stringify({ counts: done.counts, rows: rows.map((r) => ({ outcome: r.outcome, reason: r.reason, userId: r.userId })) }),
      cookie: null,
    };
  };

  const denied = { action: 'signin.denied', reason: 'link_refused', detail: 'privileged_account' };
  const entryPoints: EntryPoint[] = [
    { name: 'SAML sign-in with a new subject', key: 'saml', prepare: viaSaml, status: 403, code: 'link_refused', audits: [denied], signIn: true },
    { name: 'OIDC sign-in with a new subject', key: 'oidc', prepare: viaOidc, status: 403, code: 'link_refused', audits: [denied], signIn: true },
    { name: 'an email code (/sso/email)', key: 'code', prepare: viaEmailCode, status: 403, code: 'link_refused', audits: [denied], signIn: true },
    {
      name: "an invitation accepted through P2's SSO (the fallback: refused)",
      key: 'inv',
      prepare: viaInvitation,
      status: 409,
      code: 'link_refused',
      audits: [{ action: 'invitation.accept_refused', reason: 'link_refused', detail: 'privileged_account' }],
      signIn: true,
    },
    {
      name: 'creation by the admin API',
      key: 'api',
      prepare: viaApi,
      status: 409,
      code: 'privileged_account',
      audits: [{ action: 'member.admin_refused', reason: 'link_refused', detail: 'privileged_account' }],
      signIn: false,
    },
    {
      name: 'an import row (skipped: link_refused)',
      key: 'import',
      prepare: viaImport,
      status: 202,
      code: '"rows":[{"outcome":"skipped","reason":"link_refused","userId":""}]',
      audits: [
        { action: 'member.import_refused', reason: 'link_refused', detail: 'privileged_account' },
        { action: 'import.completed', reason: null, detail: null },
      ],
      signIn: false,
    },
  ];

  describe.each(variants.map((v) => [v.way, v] as const))('Alice privileged in P1 by %s', (_way, variant) => {
    it.each(entryPoints.map((ep) => [ep.name, ep] as const))('through %s: refused, nothing written but the refusal, no way into P1', async (_name, ep) => {
      const v = aliceOf(variant, ep);
      const go = await ep.prepare(v);
      const before = await snapshot();
      const answer = await go();

      expect(answer.status).toBe(ep.status);
      expect(answer.body).toContain(ep.code);
      const after = await snapshot();
      expect(after.counts).toEqual(before.counts);
      const alice = await userIdOf(emailOf(v));
      expect(await models().memberships.countDocuments({ userId: alice, tenantId: p2TenantId })).toBe(0);
      expect(await models().identities.countDocuments({ userId: alice })).toBe(1);
      expect(await auditsSince(before.auditIds)).toEqual(ep.audits);

      if (ep.signIn) {
        // Whatever the attempt left in the attacker's browser opens nothing of P1: no session at all.
        const cookie = answer.cookie ?? '';
        const me = await fetch(`${h.url}/api/me`, { headers: { cookie } });
        expect(me.status).toBe(401);
        const consolePage = await fetch(`${h.url}/console/t/${v.tenant}/members`, { redirect: 'manual', headers: { cookie } });
        expect(consolePage.status).toBe(303);
        expect(consolePage.headers.get('location')).toBe('/console');
        const tenantApi = await fetch(`${h.url}/api/tenants/${v.tenant}/approvals`, { headers: { cookie } });
        expect(tenantApi.status).toBe(401);
        expect(await tenantApi.text()).toContain('not_signed_in');
      }
    });
  });

  it('control: a member of P1 without privileges IS linked into P2 (auto), and that session is no admin of P1', async () => {
    const bob = await userIdOf(`bob@${DOMAIN}`);
    const res = await signInTo(p2Saml, p2Idp, { nameId: 'bob-p2-saml', email: `bob@${DOMAIN}`, name: 'Bob' });
    expect(res.status).toBe(303);
    expect(await models().users.countDocuments({ email: `bob@${DOMAIN}` })).toBe(1);
    expect(await models().identities.countDocuments({ userId: bob })).toBe(2);
    expect(await models().memberships.countDocuments({ userId: bob, tenantId: p2TenantId })).toBe(1);
    expect(await models().auditEvents.countDocuments({ userId: bob, tenantId: p2TenantId, action: 'identity.linked' })).toBe(1);
    const consolePage = await fetch(`${h.url}/console/t/${P1}/members`, { redirect: 'manual', headers: { cookie: res.cookie ?? '' } });
    expect(consolePage.status).toBe(403);
  });
});
