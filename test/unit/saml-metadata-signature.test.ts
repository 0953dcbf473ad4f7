import { describe, expect, it } from 'vitest';
import { pemBody } from '../../src/crypto/spSigningKey';
import { generateIdpKeys, idpMetadata } from '../../src/demo/samlIdp';
import { decideSignatureCheck, decideSignatureShape, type MetadataSignatureShape } from '../../src/domain/samlMetadataSignature';
import { OnrampError } from '../../src/errors';
import { readSamlMetadata } from '../../src/library/samlMetadataReader';
import { verifiedMetadata } from '../../src/library/samlMetadataSignature';
import { signMetadata, wrapSignedMetadata } from '../support/signedMetadata';

const SHA256 = { signature: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256', digest: 'http://www.w3.org/2001/04/xmlenc#sha256' };
const CERT = 'SHA-256 AA:BB';
const shape = (over: Partial<MetadataSignatureShape> = {}): MetadataSignatureShape => ({
  rootIds: ['_root'],
  referencedIdsElsewhere: false,
  rootSignatures: 1,
  otherSignatures: 0,
  signatureAlgorithm: SHA256.signature,
  references: [{ uri: '#_root', digestAlgorithm: SHA256.digest }],
  signedInfos: 1,
  ...over,
});
const refusal = (d: ReturnType<typeof decideSignatureShape>) => (d.ok ? 'accepted' : d.message);

describe('metadata signature rules', () => {
  it('accepts one signature at the root whose one Reference is the root (by its ID or URI "")', () => {
    expect(decideSignatureShape(shape(), CERT)).toEqual({ ok: true });
    expect(decideSignatureShape(shape({ references: [{ uri: '', digestAlgorithm: SHA256.digest }] }), CERT)).toEqual({ ok: true });
  });

  it('refuses a document without a signature at its root, naming the certificate it needs', () => {
    expect(refusal(decideSignatureShape(shape({ rootSignatures: 0 }), CERT))).toMatch(/is not signed.*SHA-256 AA:BB/);
    expect(refusal(decideSignatureShape(shape({ rootSignatures: 0, otherSignatures: 1 }), CERT))).toMatch(/no signature over its root element/);
  });

  it('refuses several signatures at the root, or several References', () => {
    expect(refusal(decideSignatureShape(shape({ rootSignatures: 2 }), CERT))).toMatch(/2 signatures at its root; exactly one/);
    const two = [
      { uri: '#_root', digestAlgorithm: SHA256.digest },
      { uri: '#_other', digestAlgorithm: SHA256.digest },
    ];
    expect(refusal(decideSignatureShape(shape({ references: two }), CERT))).toMatch(/2 References; exactly one/);
    expect(refusal(decideSignatureShape(shape({ references: [], signedInfos: 0 }), CERT))).toMatch(/could not be read/);
  });

  it('refuses a signature over anything but the root (wrapping)', () => {
    for (const uri of ['#_child', null, 'https://elsewhere.test/doc', '#'])
      expect(refusal(decideSignatureShape(shape({ references: [{ uri, digestAlgorithm: SHA256.digest }] }), CERT)), String(uri)).toMatch(
        /does not cover the whole document/,
      );
    expect(refusal(decideSignatureShape(shape({ referencedIdsElsewhere: true }), CERT))).toMatch(/an element inside it carries the ID/);
  });

  it('refuses SHA-1 and unknown algorithms', () => {
    expect(refusal(decideSignatureShape(shape({ signatureAlgorithm: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1' }), CERT))).toMatch(/SHA-1/);
    expect(refusal(decideSignatureShape(shape({ references: [{ uri: '#_root', digestAlgorithm: 'http://www.w3.org/2000/09/xmldsig#sha1' }] }), CERT))).toMatch(
      /SHA-1/,
    );
    expect(refusal(decideSignatureShape(shape({ signatureAlgorithm: 'urn:unknown' }), CERT))).toMatch(/signature method is not accepted/);
    expect(refusal(decideSignatureShape(shape({ references: [{ uri: '', digestAlgorithm: null }] }), CERT))).toMatch(/digest method is not accepted/);
  });

  it('words each outcome of the cryptographic check', () => {
    expect(decideSignatureCheck('verified', CERT)).toEqual({ ok: true });
    expect(refusal(decideSignatureCheck('digest_mismatch', CERT))).toMatch(/changed after it was signed/);
    expect(refusal(decideSignatureCheck('wrong_key', CERT))).toMatch(/not made by this connection's metadata signing certificate \(SHA-256 AA:BB\)/);
    expect(refusal(decideSignatureCheck('unreadable', CERT))).toMatch(/could not be checked/);
  });
});

describe('metadata signature verification (xml-crypto, real signatures)', () => {
  const signer = generateIdpKeys('metadata signer', 365);
  const other = generateIdpKeys('another signer', 365);
  const idpKeys = generateIdpKeys('idp token signer', 365);
  const at = { entityId: 'https://idp.signed.test/metadata', ssoUrl: 'https://idp.signed.test/sso' };
  const metadata = idpMetadata({ ...at, certificates: [idpKeys.certificate] });
  const certificate = pemBody(signer.certificate);
  const outcome = (xml: string) => {
    try {
      return readSamlMetadata(verifiedMetadata(xml, certificate));
    } catch (err) {
      if (err instanceof OnrampError) return { code: err.code, message: err.message };
      throw err;
    }
  };

  it('hands back the signed root, from which the values are read (by the root ID, or URI "")', () => {
    for (const reference of ['root-id', 'empty'] as const) {
      const read = outcome(signMetadata(metadata, signer, { reference }));
      expect(read, reference).toMatchObject({ entityId: at.entityId, ssoServices: [expect.objectContaining({ location: at.ssoUrl })] });
      expect(read, reference).toMatchObject({ signingCertificates: [expect.objectContaining({ body: pemBody(idpKeys.certificate) })] });
    }
  });

  it('verifies an aggregate (EntitiesDescriptor) signed at its root', () => {
    const aggregate = `<EntitiesDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata">${metadata}</EntitiesDescriptor>`;
    expect(outcome(signMetadata(aggregate, signer))).toMatchObject({ entityId: at.entityId });
    expect(outcome(signMetadata(aggregate, signer, { covers: "//*[local-name()='EntityDescriptor']" }))).toMatchObject({
      code: 'saml_metadata_signature_invalid',
    });
  });

  it.each([
    ['unsigned', () => metadata, /is not signed/],
    ['signed by another key', () => signMetadata(metadata, other), /not made by this connection's metadata signing certificate/],
    ['changed after signing', () => signMetadata(metadata, signer).replace(at.ssoUrl, 'https://evil.test/sso'), /changed after it was signed/],
    ['signed over a child', () => signMetadata(metadata, signer, { covers: "//*[local-name()='IDPSSODescriptor']" }), /does not cover the whole document/],
    ['signed with SHA-1', () => signMetadata(metadata, signer, { algorithm: 'sha1' }), /SHA-1/],
  ])('refuses metadata %s', (_name, xml, words) => {
    expect(outcome(xml())).toMatchObject({ code: 'saml_metadata_signature_invalid', message: expect.stringMatching(words) });
  });

  it.each([
    ['inside', /no signature over its root element/],
    ['root', /does not cover the whole document/],
    ['root-same-id', /an element inside it carries the ID/],
  ] as const)('refuses a signed copy wrapped inside a forged document (signature %s)', (where, words) => {
    const forged = idpMetadata({ ...at, ssoUrl: 'https://evil.test/sso', certificates: [other.certificate] });
    const wrapped = wrapSignedMetadata(signMetadata(metadata, signer), forged, where);
    expect(outcome(wrapped)).toMatchObject({ code: 'saml_metadata_signature_invalid', message: expect.stringMatching(words) });
  });

  it('refuses two signatures at the root, and still refuses a DOCTYPE first', () => {
    const signed = signMetadata(metadata, signer);
    const twice = signMetadata(signed, signer, { reference: 'empty' });
    expect(outcome(twice)).toMatchObject({ code: 'saml_metadata_signature_invalid', message: expect.stringMatching(/2 signatures at its root/) });
    expect(outcome(`<!DOCTYPE x>${signed}`)).toMatchObject({ code: 'saml_metadata_doctype' });
  });
});
