import { X509Certificate } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateIdpKeys, idpMetadata } from '../../src/demo/samlIdp';
import { startHarness, type Harness } from '../support/harness';
import { signMetadata, wrapSignedMetadata } from '../support/signedMetadata';

const fingerprintOf = (pem: string) => new X509Certificate(pem).fingerprint256;

interface ConnectionBody {
  id: string;
  idpEntityId: string;
  ssoUrl: string;
  certificates: Array<{ fingerprint256: string }>;
  metadataSigningCertificate: { fingerprint256: string; validTo: string; expired: boolean; expiresSoon: boolean } | null;
  metadata: { url: string | null; lastError: { code: string; message: string } | null } | null;
  error: { code: string; message: string };
}

/** A loopback server that publishes whatever metadata the test sets (the IdP's metadata URL). */
async function startMetadataServer() {
  const state = { xml: '' };
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/samlmetadata+xml' });
    res.end(state.xml);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/federationmetadata.xml`;
  return { state, url, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** Signed IdP metadata verified with a connection's metadata signing certificate (admin API, real servers, xml-crypto signatures). */
describe('SAML metadata signed by the IdP', () => {
  let h: Harness;
  let published: Awaited<ReturnType<typeof startMetadataServer>>;
  const signer = generateIdpKeys('metadata signer', 365);
  const stranger = generateIdpKeys('stranger', 365);
  const [tokenKeys, nextTokenKeys] = [generateIdpKeys('token signer', 365), generateIdpKeys('next token signer', 365)];

  beforeAll(async () => {
    h = await startHarness({ env: { ONRAMP_SAML_METADATA_REFRESH_MS: '400' } });
    await h.createTenant('signed');
    published = await startMetadataServer();
  });
  afterAll(async () => {
    await published?.close();
    await h?.close();
  });
  beforeEach(async () => {
    await h.services.db.models.auditEvents.deleteMany({});
  });

  const create = async (body: Record<string, unknown>) => {
    const res = await h.admin('POST', '/tenants/signed/connections/saml/from-metadata', { name: 'Signed metadata', ...body });
    return { status: res.status, body: res.body as unknown as ConnectionBody };
  };
  const connectionCount = () => h.services.db.models.samlConnections.countDocuments({});
  const stored = (id: string) => h.services.db.models.samlConnections.findById(id).lean();

  it('creates a connection from metadata signed with the given certificate, and shows that certificate', async () => {
    const at = { entityId: 'https://idp.signed-ok.test/metadata', ssoUrl: 'https://idp.signed-ok.test/sso' };
    for (const reference of ['root-id', 'empty'] as const) {
      const xml = signMetadata(idpMetadata({ ...at, certificates: [tokenKeys.certificate] }), signer, { reference });
      const res = await create({ metadataXml: xml, metadataSigningCertificate: signer.certificate });
      expect(res.status, reference).toBe(201);
      expect(res.body).toMatchObject({ idpEntityId: at.entityId, ssoUrl: at.ssoUrl, certificates: [{ fingerprint256: fingerprintOf(tokenKeys.certificate) }] });
      expect(res.body.metadataSigningCertificate).toMatchObject({ fingerprint256: fingerprintOf(signer.certificate), expired: false, expiresSoon: false });
      const audit = await h.services.db.models.auditEvents.findOne({ action: 'connection.created', 'target.id': res.body.id }).lean();
      expect(audit?.after).toMatchObject({ from: 'metadata', metadataSigningCertificate: fingerprintOf(signer.certificate) });
    }
  });

  it('without a metadata signing certificate a signed document is accepted unverified, as before', async () => {
    const at = { entityId: 'https://idp.unverified.test/metadata', ssoUrl: 'https://idp.unverified.test/sso' };
    const tampered = signMetadata(idpMetadata({ ...at, certificates: [tokenKeys.certificate] }), stranger).replace(at.ssoUrl, `${at.ssoUrl}2`);
    const res = await create({ metadataXml: tampered });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ ssoUrl: `${at.ssoUrl}2`, metadataSigningCertificate: null });
  });

  describe('refused, nothing written', () => {
    const at = { entityId: 'https://idp.signed-refused.test/metadata', ssoUrl: 'https://idp.signed-refused.test/sso' };
    const metadata = idpMetadata({ ...at, certificates: [tokenKeys.certificate] });
    const forged = idpMetadata({ ...at, ssoUrl: 'https://evil.test/sso', certificates: [stranger.certificate] });

    const past = new Date(Date.now() - 86_400_000).toISOString();
    const invalid = 'saml_metadata_signature_invalid';
    it.each([
      ['signed with another certificate', () => signMetadata(metadata, stranger), /not made by this connection's metadata signing certificate/],
      ['changed after signing (SSO URL)', () => signMetadata(metadata, signer).replace(at.ssoUrl, 'https://evil.test/sso'), /changed after it was signed/],
      ['not signed', () => metadata, /is not signed/],
      [
        'a signed copy wrapped inside a forged document',
        () => wrapSignedMetadata(signMetadata(metadata, signer), forged, 'inside'),
        /no signature over its root/,
      ],
      [
        "a forged root taking the signature and the signed copy's ID",
        () => wrapSignedMetadata(signMetadata(metadata, signer), forged, 'root-same-id'),
        /an element inside it carries the ID/,
      ],
      [
        'the signature over a child element',
        () => signMetadata(metadata, signer, { covers: "//*[local-name()='IDPSSODescriptor']" }),
        /does not cover the whole document/,
      ],
      [
        'an old document, correctly signed, past its validUntil (a replay of retired metadata)',
        () => signMetadata(metadata.replace(/<((?:\w+:)?EntityDescriptor) /, `<$1 validUntil="${past}" `), signer),
        new RegExp(`expired at ${past.replace(/[.]/g, '\\.')}`),
        'saml_metadata_expired',
      ],
    ])('%s', async (_name, xml, words, code = invalid) => {
      const before = await connectionCount();
      const res = await create({ metadataXml: xml(), metadataSigningCertificate: signer.certificate });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe(code);
      expect(res.body.error.message).toMatch(words);
      expect(await connectionCount()).toBe(before);
      expect(await h.services.db.models.auditEvents.countDocuments({ action: 'connection.created' })).toBe(0);
    });

    it('a metadata signing certificate that is not a certificate', async () => {
      const res = await create({ metadataXml: signMetadata(metadata, signer), metadataSigningCertificate: 'not a certificate' });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    });
  });

  it('replacing the metadata verifies it with the connection’s certificate, or with a new one given beside it', async () => {
    const at = { entityId: 'https://idp.signed-replace.test/metadata', ssoUrl: 'https://idp.signed-replace.test/sso' };
    const res = await create({
      metadataXml: signMetadata(idpMetadata({ ...at, certificates: [tokenKeys.certificate] }), signer),
      metadataSigningCertificate: signer.certificate,
    });
    expect(res.status).toBe(201);
    const path = `/tenants/signed/connections/saml/${res.body.id}/metadata`;
    const moved = idpMetadata({ ...at, ssoUrl: `${at.ssoUrl}/moved`, certificates: [nextTokenKeys.certificate] });

    const unsigned = await h.admin('PUT', path, { metadataXml: moved });
    expect(unsigned.status).toBe(400);
    expect(unsigned.body.error.code).toBe('saml_metadata_signature_invalid');
    const strangers = await h.admin('PUT', path, { metadataXml: signMetadata(moved, stranger) });
    expect(strangers.body.error.code).toBe('saml_metadata_signature_invalid');
    expect(await stored(res.body.id)).toMatchObject({ ssoUrl: at.ssoUrl, certificates: [expect.any(String)] });
    expect(await h.services.db.models.auditEvents.countDocuments({ action: 'connection.saml_metadata_applied' })).toBe(0);

    // The IdP moved to a new metadata signing key: the admin gives it with the document it signed.
    const rotated = await h.admin('PUT', path, { metadataXml: signMetadata(moved, stranger), metadataSigningCertificate: stranger.certificate });
    expect(rotated.status).toBe(200);
    expect(rotated.body).toMatchObject({ ssoUrl: `${at.ssoUrl}/moved`, metadataSigningCertificate: { fingerprint256: fingerprintOf(stranger.certificate) } });
    const audit = await h.services.db.models.auditEvents.findOne({ action: 'connection.saml_metadata_applied', 'target.id': res.body.id }).lean();
    expect(audit?.before).toMatchObject({ metadataSigningCertificate: fingerprintOf(signer.certificate) });
    expect(audit?.after).toMatchObject({ metadataSigningCertificate: fingerprintOf(stranger.certificate), trigger: 'upload' });

    // null ends verification: an unsigned document is applied again.
    const cleared = await h.admin('PUT', path, {
      metadataXml: idpMetadata({ ...at, certificates: [tokenKeys.certificate] }),
      metadataSigningCertificate: null,
    });
    expect(cleared.status).toBe(200);
    expect(cleared.body).toMatchObject({ ssoUrl: at.ssoUrl, metadataSigningCertificate: null });
  });

  it('a refresh of a URL that starts serving unsigned or wrongly signed metadata is refused and changes nothing', async () => {
    const at = { entityId: 'https://idp.signed-url.test/metadata', ssoUrl: 'https://idp.signed-url.test/sso' };
    published.state.xml = signMetadata(idpMetadata({ ...at, certificates: [tokenKeys.certificate] }), signer);
    const res = await create({ metadataUrl: published.url, metadataSigningCertificate: signer.certificate });
    expect(res.status).toBe(201);
    const path = `/tenants/signed/connections/saml/${res.body.id}`;
    const first = await stored(res.body.id);

    const evil = idpMetadata({ ...at, ssoUrl: 'https://evil.test/sso', certificates: [stranger.certificate] });
    for (const [what, xml] of [
      ['unsigned', evil],
      ['signed by another key', signMetadata(evil, stranger)],
    ] as const) {
      published.state.xml = xml;
      const refresh = await h.admin('POST', `${path}/metadata/refresh`);
      expect(refresh.status, what).toBe(400);
      expect(refresh.body.error.code, what).toBe('saml_metadata_signature_invalid');

      // The schedule (every 400 ms here) meets the same document: it records why and changes nothing.
      const checkedBefore = (await stored(res.body.id))?.metadata?.checkedAt?.getTime() ?? 0;
      let shown = (await h.admin('GET', path)).body as unknown as ConnectionBody;
      for (let i = 0; i < 50; i++) {
        const now = await stored(res.body.id);
        if (now?.metadata?.lastError && (now.metadata.checkedAt?.getTime() ?? 0) > checkedBefore) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      shown = (await h.admin('GET', path)).body as unknown as ConnectionBody;
      expect(shown.metadata?.lastError?.code, what).toBe('saml_metadata_signature_invalid');
      expect(shown, what).toMatchObject({ ssoUrl: at.ssoUrl, certificates: [{ fingerprint256: fingerprintOf(tokenKeys.certificate) }] });
      const now = await stored(res.body.id);
      expect(now?.certificates, what).toEqual(first?.certificates);
      expect(now?.metadata?.appliedAt, what).toEqual(first?.metadata?.appliedAt);
    }
    // Nothing was applied. Each refusal an admin met is audited; the schedule's once, when its reason was new.
    expect(await h.services.db.models.auditEvents.countDocuments({ action: 'connection.saml_metadata_applied', 'target.id': res.body.id })).toBe(0);
    const refusals = await h.services.db.models.auditEvents.find({ action: 'connection.saml_metadata_refused', 'target.id': res.body.id }).lean();
    expect(refusals.filter((a) => a.actor?.type === 'admin').map((a) => (a.after as { trigger: string }).trigger)).toEqual(['refresh', 'refresh']);
    expect(refusals.filter((a) => a.actor?.type === 'system').map((a) => (a.after as { trigger: string }).trigger)).toEqual(['schedule']);
    for (const a of refusals) expect(a.after).toMatchObject({ code: 'saml_metadata_signature_invalid' });

    // Correctly signed metadata again: the schedule applies it and clears the error.
    published.state.xml = signMetadata(idpMetadata({ ...at, certificates: [nextTokenKeys.certificate] }), signer);
    let applied = await stored(res.body.id);
    for (let i = 0; i < 50 && applied?.metadata?.lastError; i++) {
      await new Promise((r) => setTimeout(r, 200));
      applied = await stored(res.body.id);
    }
    expect(applied?.metadata?.lastError).toBeNull();
    const shown = (await h.admin('GET', path)).body as unknown as ConnectionBody;
    expect(shown.certificates.map((c) => c.fingerprint256)).toEqual([fingerprintOf(nextTokenKeys.certificate)]);
  });
});
