import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { waitForSignInRuns } from '../support/temporal';
import { newIdp, postAcs, samlSignIn, startHarness, user, type Harness, type SamlConnectionInfo } from '../support/harness';

/** Every rejected SAML response: a 401-class answer, nothing written but one denial audit event. */
describe('SAML response validation', () => {
  let h: Harness;
  let conn: SamlConnectionInfo;
  let other: SamlConnectionInfo;
  const idp = newIdp('acme');
  const otherIdp = newIdp('initech');

  beforeAll(async () => {
    h = await startHarness();
    await h.createTenant('acme');
    await h.createTenant('initech');
    conn = await h.createSamlConnection('acme', idp);
    other = await h.createSamlConnection('initech', otherIdp);
  });
  afterAll(async () => h?.close());
  beforeEach(async () => {
    await h.services.db.models.auditEvents.deleteMany({});
  });

  async function expectRejected(res: { status: number; body: string }, code: string | RegExp) {
    expect(res.status).toBe(401);
    expect(res.body).toContain('Sign-in refused');
    expect(res.body).toMatch(code);
    expect(res.body).not.toMatch(/\.ts:\d+|node_modules/);
    const { models } = h.services.db;
    expect(await models.users.countDocuments()).toBe(0);
    expect(await models.identities.countDocuments()).toBe(0);
    expect(await models.memberships.countDocuments()).toBe(0);
    const audits = await models.auditEvents.find({}).lean();
    expect(audits.map((a) => a.action)).toEqual(['signin.rejected']);
    return audits[0];
  }

  it('rejects a response whose signed content was tampered with', async () => {
    const login = await fetch(conn.loginUrl, { redirect: 'manual' });
    const r = await idp.respond(conn.metadataXml, login.headers.get('location'), user('eve', 'acme.test'));
    const xml = Buffer.from(r.SAMLResponse, 'base64').toString('utf8');
    const tampered = xml.replace('eve@acme.test</saml:AttributeValue>', 'ceo@acme.test</saml:AttributeValue>');
    expect(tampered).not.toBe(xml);
    const audit = await expectRejected(await postAcs(r.acsUrl, Buffer.from(tampered).toString('base64')), 'saml_invalid_signature');
    expect(audit?.reason).toBe('saml_invalid_signature');
    expect(String(audit?.tenantId)).toBe(conn.tenantId);
  });

  it('rejects a response with no signature at all (the default accepts one, never none)', async () => {
    const res = await samlSignIn(conn, idp, user('eve', 'acme.test'), { sign: 'none' });
    await expectRejected(res, 'saml_unsigned');
    expect(res.body).toContain('signed neither');
  });

  it('rejects an assertion for another audience', async () => {
    const res = await samlSignIn(conn, idp, user('eve', 'acme.test'), { audience: 'https://evil.test/sp' });
    await expectRejected(res, 'saml_wrong_audience');
    expect(res.body).toContain('https://evil.test/sp');
    expect(res.body).toContain(conn.spEntityId);
  });

  it('rejects an expired assertion', async () => {
    await expectRejected(await samlSignIn(conn, idp, user('eve', 'acme.test'), { timeShiftMs: -60 * 60_000 }), 'saml_expired');
  });

  it('rejects an assertion issued too far in the future (beyond the clock skew)', async () => {
    await expectRejected(await samlSignIn(conn, idp, user('eve', 'acme.test'), { timeShiftMs: 10 * 60_000 }), 'saml_not_yet_valid');
  });

  it('rejects a response that answers no request of ours (IdP-initiated is off by default)', async () => {
    const r = await idp.respond(conn.metadataXml, null, user('eve', 'acme.test'), { inResponseTo: '_not-a-request-of-ours' });
    await expectRejected(await postAcs(r.acsUrl, r.SAMLResponse), 'saml_unknown_request');
  });

  it('rejects a replayed response, even though the first use succeeded', async () => {
    const first = await samlSignIn(conn, idp, user('replay', 'acme.test'));
    expect(first.status).toBe(303);
    await waitForSignInRuns(h.services.client, conn.id, 'replay@acme.test');
    const { models } = h.services.db;
    await models.auditEvents.deleteMany({});
    const before = { users: await models.users.countDocuments(), memberships: await models.memberships.countDocuments() };
    const again = await postAcs(conn.acsUrl, first.SAMLResponse);
    expect(again.status).toBe(401);
    expect(again.body).toMatch(/saml_unknown_request|saml_replayed/);
    expect(await models.users.countDocuments()).toBe(before.users);
    expect(await models.memberships.countDocuments()).toBe(before.memberships);
    expect((await models.auditEvents.find({}).lean()).map((a) => a.action)).toEqual(['signin.rejected']);
    await models.users.deleteMany({});
    await models.identities.deleteMany({});
    await models.memberships.deleteMany({});
  });

  it("rejects a response signed by another connection's IdP", async () => {
    // initech's IdP answers an AuthnRequest of acme's connection: wrong signer, wrong issuer.
    const login = await fetch(conn.loginUrl, { redirect: 'manual' });
    const r = await otherIdp.respond(conn.metadataXml, login.headers.get('location'), user('eve', 'acme.test'));
    const res = await postAcs(r.acsUrl, r.SAMLResponse);
    await expectRejected(res, 'saml_wrong_certificate');
    // The message names the certificate seen and the one expected (fingerprints), nothing secret.
    const fp = (pem: string) => new X509Certificate(pem).fingerprint256;
    expect(res.body).toContain(fp(otherIdp.certificate));
    expect(res.body).toContain(fp(idp.certificate));
  });

  it("rejects acme's valid response posted to initech's ACS", async () => {
    const login = await fetch(conn.loginUrl, { redirect: 'manual' });
    const r = await idp.respond(conn.metadataXml, login.headers.get('location'), user('eve', 'acme.test'));
    const res = await postAcs(other.acsUrl, r.SAMLResponse);
    expect(res.status).toBe(401);
    const audits = await h.services.db.models.auditEvents.find({}).lean();
    expect(audits).toHaveLength(1);
    expect(String(audits[0]?.tenantId)).toBe(other.tenantId);
    expect(await h.services.db.models.users.countDocuments()).toBe(0);
  });

  it('answers a post without SAMLResponse with a clear 401 page', async () => {
    const res = await fetch(conn.acsUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'foo=bar' });
    expect(res.status).toBe(401);
    expect(await res.text()).toContain('saml_missing_response');
  });

  it('answers an unknown connection with 404', async () => {
    const res = await fetch(`${h.url}/sso/saml/000000000000000000000000/login`, { redirect: 'manual' });
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('not_found');
  });

  it('serves SP metadata naming the connection entity ID and ACS', async () => {
    expect(conn.metadataXml).toContain(`entityID="${conn.spEntityId}"`);
    expect(conn.metadataXml).toContain(`Location="${conn.acsUrl}"`);
    expect(conn.metadataXml).toContain('WantAssertionsSigned="true"');
  });
});
