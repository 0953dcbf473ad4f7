import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IDP_DEFAULTS, type IdpDefaults } from '../../src/demo/idpProfiles';
import { createSamlIdp, type IdpUser, type SamlIdp } from '../../src/demo/samlIdp';
import { expiredIdpKeys } from '../support/expiredCertificate';
import { postAcs, startHarness, useSamlTenant, type Harness, type SamlConnectionInfo } from '../support/harness';
import { waitForSignInRuns } from '../support/temporal';

interface Member {
  email: string;
  name: string | null;
  groups: string[];
  attributes: Array<{ name: string; value: string | null }>;
}

/** The SP metadata as an IdP configured with only some of its signing certificates sees it. */
function withoutSigningCertificate(metadata: string, certificate: string): string {
  const doc = new DOMParser().parseFromString(metadata, 'text/xml');
  for (const kd of Array.from(doc.getElementsByTagNameNS('urn:oasis:names:tc:SAML:2.0:metadata', 'KeyDescriptor'))) {
    if ((kd.textContent ?? '').replace(/\s+/g, '') === certificate) kd.parentNode?.removeChild(kd);
  }
  return new XMLSerializer().serializeToString(doc);
}

/** Where a response's XML can be changed (an attacker in the middle), then re-encoded. */
const rewrite = (b64: string, change: (xml: string) => string) => Buffer.from(change(Buffer.from(b64, 'base64').toString('utf8'))).toString('base64');

/**
 * The IdPs customers bring, on their default settings — what they
 * sign, their NameID, their attribute names, signed AuthnRequests, repeated
 * group attributes — through a real IdP library (samlify) configured that way.
 * The connection keeps onramp's defaults (no attribute mapping but the custom
 * one), so the attribute names are recognized on their own.
 */
/** One web app and worker for every IdP below (each IdP gets its own tenant). */
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

describe.each(Object.entries(IDP_DEFAULTS))('an IdP on its defaults: %s', (key, defaults: IdpDefaults) => {
  let idp: SamlIdp;
  let conn: SamlConnectionInfo;
  const t = `compat-${key}`;
  const domain = `${key}.test`;
  const person = (local: string, extra: Partial<IdpUser> = {}): IdpUser => ({
    nameId: `${local}@${domain}`,
    email: `${local}@${domain}`,
    name: `${local} of ${key}`,
    department: 'Platform',
    groups: ['engineering', 'staff'],
    ...extra,
  });
  const respond = async (who: IdpUser) => {
    const login = await fetch(conn.loginUrl, { redirect: 'manual' });
    expect(login.status).toBe(302);
    return idp.respond(conn.metadataXml, login.headers.get('location'), who, {
      sign: defaults.signs,
      nameIdFormat: defaults.nameIdFormat,
      repeatGroupAttribute: defaults.repeatsGroupAttribute,
    });
  };
  const member = async (email: string): Promise<Member> => {
    const u = await h.services.db.models.users.findOne({ email }).lean();
    return (await h.admin('GET', `/tenants/${t}/members/${String(u?._id)}`)).body as unknown as Member;
  };

  beforeAll(async () => {
    idp = createSamlIdp({
      entityId: `https://idp.${key}.test/saml`,
      ssoUrl: `https://idp.${key}.test/sso`,
      profile: defaults.attributes,
      requireSignedRequests: defaults.requiresSignedRequests,
    });
    await h.createTenant(t);
    await h.admin('POST', `/tenants/${t}/groups`, { name: 'engineering', roles: [] });
    await h.admin('POST', `/tenants/${t}/groups`, { name: 'staff', roles: [] });
    conn = await h.createSamlConnection(t, idp, { attributeMapping: { custom: { department: defaults.attributes.department } } });
    const sync = await h.admin('PUT', `/tenants/${t}/connections/${conn.id}/group-sync`, {
      mode: 'full',
      mappings: [
        { value: 'engineering', group: 'engineering' },
        { value: 'staff', group: 'staff' },
      ],
    });
    expect(sync.status).toBe(200);
  });

  it(`JIT sign-in → 303 (${defaults.signs} signed, ${defaults.nameIdFormat.split(':').pop()} NameID${defaults.requiresSignedRequests ? ', signed AuthnRequests required' : ''})`, async () => {
    const who = person('first');
    const r = await respond(who);
    const res = await postAcs(r.acsUrl, r.SAMLResponse);
    expect(res.status, res.body.slice(0, 400)).toBe(303);
    await waitForSignInRuns(h.services.client, conn.id, who.nameId);
    const m = await member(who.email);
    expect(m.email).toBe(who.email);
    expect([...m.groups].sort()).toEqual(['engineering', 'staff']);
    expect(m.attributes).toEqual([{ name: 'department', value: 'Platform' }]);
    // The name is read where the IdP's convention is unambiguous (ADFS's `…/claims/name` is whatever its claim rule puts there).
    if (key !== 'adfs') expect(m.name).toBe(who.name);
  });

  it('a full group sync never revokes a group the IdP still asserts (repeated or multi-valued)', async () => {
    const who = person('first');
    for (let i = 0; i < 2; i++) {
      const r = await respond(who);
      expect((await postAcs(r.acsUrl, r.SAMLResponse)).status).toBe(303);
      await waitForSignInRuns(h.services.client, conn.id, who.nameId);
    }
    expect([...(await member(who.email)).groups].sort()).toEqual(['engineering', 'staff']);
    expect(await h.services.db.models.auditEvents.countDocuments({ action: 'group.revoked' })).toBe(0);
  });

  it('refuses the assertion changed after signing', async () => {
    const r = await respond(person('mallory'));
    const res = await postAcs(
      r.acsUrl,
      rewrite(r.SAMLResponse, (xml) => xml.replace('mallory@', 'ceo@')),
    );
    expect(res.status).toBe(401);
    expect(res.body).toContain('saml_invalid_signature');
  });

  it('refuses a second, unsigned assertion wrapped beside the signed one', async () => {
    const r = await respond(person('wrap'));
    const evil = (xml: string) => {
      const assertion = /<saml:Assertion[\s\S]*?<\/saml:Assertion>/.exec(xml)?.[0] ?? '';
      const forged = assertion
        .replace(/<(ds:)?Signature[\s\S]*?<\/(ds:)?Signature>/g, '')
        .replace(/ID="[^"]+"/, 'ID="_forged"')
        .replace(/wrap@/g, 'ceo@');
      return xml.replace(assertion, forged + assertion);
    };
    const res = await postAcs(r.acsUrl, rewrite(r.SAMLResponse, evil));
    expect(res.status).toBe(401);
    expect(await h.services.db.models.users.countDocuments({ email: `ceo@${domain}` })).toBe(0);
  });
});

/** One connection each: policies, set-up mistakes, repeated groups, request signing, NameIDs. */
describe('SAML connection settings and set-up mistakes', () => {
  let h: Harness;
  const idp = createSamlIdp({ entityId: 'https://idp.setup.test/saml', ssoUrl: 'https://idp.setup.test/sso' });
  let conn: SamlConnectionInfo;
  const who = (local: string, extra: Partial<IdpUser> = {}): IdpUser => ({
    nameId: `${local}@setup.test`,
    email: `${local}@setup.test`,
    name: local,
    ...extra,
  });
  const signIn = async (c: SamlConnectionInfo, i: SamlIdp, user: IdpUser, options: Parameters<SamlIdp['respond']>[3] = {}) => {
    const login = await fetch(c.loginUrl, { redirect: 'manual' });
    const r = await i.respond(c.metadataXml, login.headers.get('location'), user, options);
    return postAcs(r.acsUrl, r.SAMLResponse);
  };
  const rejected = async (res: { status: number; body: string }, code: string) => {
    expect(res.status).toBe(401);
    expect(res.body).toContain(`<code>${code}</code>`);
    expect(res.body).not.toMatch(/\.ts:\d+|node_modules|BEGIN (RSA )?PRIVATE KEY/);
    const audit = await h.services.db.models.auditEvents.findOne({ action: 'signin.rejected', reason: code }).sort({ at: -1 }).lean();
    expect((audit?.context as { message?: string } | null)?.message).toBeTruthy();
    return (audit?.context as { message: string }).message;
  };

  useSamlTenant('setup', idp, (t) => ({ h, conn } = t));

  it('the API shows the expected signing option; either accepts assertion-only and response-only, never none', async () => {
    const shown = await h.admin('GET', `/tenants/setup/connections/saml/${conn.id}`);
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({ signatures: 'either', signAuthnRequests: true });
    expect((await signIn(conn, idp, who('a1'), { sign: 'assertion' })).status).toBe(303);
    expect((await signIn(conn, idp, who('r1'), { sign: 'response' })).status).toBe(303);
    await rejected(await signIn(conn, idp, who('n1'), { sign: 'none' }), 'saml_unsigned');
  });

  it('"both" refuses an assertion-only and a response-only answer, naming what is missing', async () => {
    expect((await h.admin('PATCH', `/tenants/setup/connections/saml/${conn.id}`, { signatures: 'both' })).status).toBe(200);
    const m1 = await rejected(await signIn(conn, idp, who('b1'), { sign: 'assertion' }), 'saml_response_unsigned');
    expect(m1).toContain('signed only the assertion');
    await rejected(await signIn(conn, idp, who('b2'), { sign: 'response' }), 'saml_assertion_unsigned');
    expect((await signIn(conn, idp, who('b3'), { sign: 'both' })).status).toBe(303);
    expect((await h.admin('PATCH', `/tenants/setup/connections/saml/${conn.id}`, { signatures: 'assertion' })).status).toBe(200);
    await rejected(await signIn(conn, idp, who('b4'), { sign: 'response' }), 'saml_assertion_unsigned');
    expect((await h.admin('PATCH', `/tenants/setup/connections/saml/${conn.id}`, { signatures: 'response' })).status).toBe(200);
    await rejected(await signIn(conn, idp, who('b5'), { sign: 'assertion' }), 'saml_response_unsigned');
    expect((await h.admin('PATCH', `/tenants/setup/connections/saml/${conn.id}`, { signatures: 'either' })).status).toBe(200);
    expect((await h.admin('PATCH', `/tenants/setup/connections/saml/${conn.id}`, { signatures: 'sometimes' })).status).toBe(400);
  });

  it('a wrong IdP entity ID, a wrong ACS URL and another issuer each get their own reason code', async () => {
    await rejected(await signIn(conn, idp, who('w1'), { audience: 'https://wrong.test/sp' }), 'saml_wrong_audience');
    const acs = await rejected(await signIn(conn, idp, who('w2'), { destination: 'https://old-host.test/acs' }), 'saml_wrong_destination');
    expect(acs).toContain(conn.acsUrl);
    const issuer = await rejected(await signIn(conn, idp, who('w3'), { issuer: 'https://someone-else.test' }), 'saml_wrong_issuer');
    expect(issuer).toContain('https://idp.setup.test/saml');
  });

  it('an expired connection certificate is named, with the fix', async () => {
    const stale = expiredIdpKeys('expired IdP'); // valid until yesterday
    const old = createSamlIdp({ entityId: 'https://idp.expired.test/saml', ssoUrl: 'https://idp.expired.test/sso', keys: stale });
    // The API refuses to store an expired certificate: time passes after it was uploaded.
    const fresh = createSamlIdp({ entityId: old.entityId, ssoUrl: old.ssoUrl });
    const c = await h.createSamlConnection('setup', fresh);
    const body = stale.certificate.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
    await h.services.db.models.samlConnections.updateOne({ _id: c.id }, { $set: { certificates: [body] } });
    const message = await rejected(await signIn(c, old, who('e1')), 'saml_certificate_expired');
    expect(message).toContain('Upload');
    // One expired and one current: signed with the expired one → named as such; with the current one → fine.
    const current = fresh.certificate.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
    await h.services.db.models.samlConnections.updateOne({ _id: c.id }, { $set: { certificates: [body, current] } });
    await rejected(await signIn(c, old, who('e2')), 'saml_certificate_expired');
    expect((await signIn(c, fresh, who('e3'))).status).toBe(303);
  });

  it('groups sent as repeated Attribute elements and as one multi-valued element give the same grants', async () => {
    await h.admin('POST', '/tenants/setup/groups', { name: 'eng', roles: [] });
    await h.admin('POST', '/tenants/setup/groups', { name: 'ops', roles: [] });
    await h.admin('PUT', `/tenants/setup/connections/${conn.id}/group-sync`, {
      mode: 'full',
      mappings: [
        { value: 'eng', group: 'eng' },
        { value: 'ops', group: 'ops' },
      ],
    });
    const groupsOf = async (email: string) => {
      const u = await h.services.db.models.users.findOne({ email }).lean();
      return [...((await h.admin('GET', `/tenants/setup/members/${String(u?._id)}`)).body as unknown as Member).groups].sort();
    };
    const kim = who('kim', { groups: ['eng', 'ops'] });
    expect((await signIn(conn, idp, kim, { repeatGroupAttribute: true })).status).toBe(303);
    await waitForSignInRuns(h.services.client, conn.id, kim.nameId);
    expect(await groupsOf(kim.email)).toEqual(['eng', 'ops']);
    for (const repeat of [false, true, true]) {
      expect((await signIn(conn, idp, kim, { repeatGroupAttribute: repeat })).status).toBe(303);
      await waitForSignInRuns(h.services.client, conn.id, kim.nameId);
      expect(await groupsOf(kim.email)).toEqual(['eng', 'ops']);
    }
    expect(await h.services.db.models.auditEvents.countDocuments({ action: 'group.revoked' })).toBe(0);
  });

  it('signs AuthnRequests for an IdP that demands it; publishes the certificate; rotates with overlap', async () => {
    const strict = createSamlIdp({ entityId: 'https://idp.strict.test/saml', ssoUrl: 'https://idp.strict.test/sso', requireSignedRequests: true });
    let c = await h.createSamlConnection('setup', strict);
    expect(c.metadataXml).toContain('AuthnRequestsSigned="true"');
    const first = (
      (await h.admin('GET', `/tenants/setup/connections/saml/${c.id}`)).body as unknown as { spSigningCertificates: Array<{ id: string; certificate: string }> }
    ).spSigningCertificates;
    expect(first).toHaveLength(1);
    const flat = (xml: string) => xml.replace(/\s+/g, '');
    expect(flat(c.metadataXml)).toContain(first[0]?.certificate);
    expect((await signIn(c, strict, who('s1'))).status).toBe(303);

    // Rotation, step 1: a second key is published beside the signing one; the IdP (configured with the old
    // certificate) keeps accepting, because the old key still signs.
    const added = await h.admin('POST', `/tenants/setup/connections/saml/${c.id}/sp-keys`);
    expect(added.status).toBe(201);
    const keys = (added.body as unknown as { spSigningCertificates: Array<{ id: string; certificate: string }> }).spSigningCertificates;
    expect(keys.map((k) => k.id)).toEqual([first[0]?.id, expect.any(String)]);
    const published = await (await fetch(c.metadataUrl)).text();
    for (const k of keys) expect(flat(published)).toContain(k.certificate);
    expect((await signIn(c, strict, who('s2'))).status).toBe(303);
    // Step 2: the new key signs; an IdP that now trusts only the new certificate accepts (samlify takes one signing certificate).
    const [oldKey, newKey] = keys;
    expect((await h.admin('POST', `/tenants/setup/connections/saml/${c.id}/sp-keys/${newKey?.id}/activate`)).status).toBe(200);
    const onlyNew = withoutSigningCertificate(published, oldKey?.certificate ?? '');
    expect(flat(onlyNew)).not.toContain(oldKey?.certificate);
    expect((await signIn({ ...c, metadataXml: onlyNew }, strict, who('s3'))).status).toBe(303);
    // …and one that still trusts only the old certificate refuses: the requests really are signed by the new key.
    const login = await fetch(c.loginUrl, { redirect: 'manual' });
    await expect(strict.respond(c.metadataXml, login.headers.get('location'), who('s4'))).rejects.toThrow(/SIGNATURE/);
    // Step 3: the old key is retired (the signing one cannot be).
    expect((await h.admin('DELETE', `/tenants/setup/connections/saml/${c.id}/sp-keys/${newKey?.id}`)).status).toBe(409);
    expect((await h.admin('DELETE', `/tenants/setup/connections/saml/${c.id}/sp-keys/${oldKey?.id}`)).status).toBe(200);
    c = { ...c, metadataXml: await (await fetch(c.metadataUrl)).text() };
    expect(flat(c.metadataXml)).not.toContain(oldKey?.certificate);
    expect(flat(c.metadataXml)).toContain(newKey?.certificate);
    expect((await signIn(c, strict, who('s5'))).status).toBe(303);

    // The IdP really checks: with request signing off, it refuses onramp's request.
    expect((await h.admin('PATCH', `/tenants/setup/connections/saml/${c.id}`, { signAuthnRequests: false })).status).toBe(200);
    const unsignedLogin = await fetch(c.loginUrl, { redirect: 'manual' });
    await expect(strict.respond(c.metadataXml, unsignedLogin.headers.get('location'), who('s6'))).rejects.toThrow(/SIG/);
  });

  it('NameID formats: persistent and unspecified are the subject; transient is refused unless a persistent attribute is named', async () => {
    const persistent = 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent';
    const transient = 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient';
    const unspecified = 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified';
    const p = who('pat', { nameId: 'b7f3c2d1-persistent' });
    expect((await signIn(conn, idp, p, { nameIdFormat: persistent })).status).toBe(303);
    expect(await h.services.db.models.identities.countDocuments({ subject: 'b7f3c2d1-persistent' })).toBe(1);
    expect((await signIn(conn, idp, who('uma', { nameId: 'UMA-42' }), { nameIdFormat: unspecified })).status).toBe(303);
    expect(await h.services.db.models.identities.countDocuments({ subject: 'UMA-42' })).toBe(1);
    const message = await rejected(await signIn(conn, idp, who('tom', { nameId: '_tr4ns13nt' }), { nameIdFormat: transient }), 'saml_transient_nameid');
    expect(message).toContain('subjectAttribute');
    expect(await h.services.db.models.identities.countDocuments({ subject: '_tr4ns13nt' })).toBe(0);
    // With a persistent attribute named as the subject, transient NameIDs work, and the subject is that attribute.
    expect((await h.admin('PATCH', `/tenants/setup/connections/saml/${conn.id}`, { subjectAttribute: 'email' })).status).toBe(200);
    expect((await signIn(conn, idp, who('tom', { nameId: '_tr4ns13nt-1' }), { nameIdFormat: transient })).status).toBe(303);
    expect((await signIn(conn, idp, who('tom', { nameId: '_tr4ns13nt-2' }), { nameIdFormat: transient })).status).toBe(303);
    expect(await h.services.db.models.identities.countDocuments({ subject: 'tom@setup.test' })).toBe(1);
    expect(await h.services.db.models.users.countDocuments({ email: 'tom@setup.test' })).toBe(1);
  });
});
