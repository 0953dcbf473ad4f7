import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { generateServiceProviderMetadata } from '@node-saml/node-saml';
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import { describe, expect, it } from 'vitest';
import { pemBody } from '../../src/crypto/spSigningKey';
import { generateIdpKeys, idpMetadata } from '../../src/demo/samlIdp';
import { certificateExpiry, decideSamlMetadata, MAX_METADATA_BYTES, type ReadMetadata } from '../../src/domain/samlMetadata';
import { OnrampError } from '../../src/errors';
import { readSamlMetadata } from '../../src/library/samlMetadataReader';
import { expiredIdpKeys } from '../support/expiredCertificate';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/saml-metadata/${name}`, import.meta.url), 'utf8');
const fingerprintOf = (pem: string) => new X509Certificate(pem).fingerprint256;
const now = new Date();
const DAY = 86_400_000;

const current = generateIdpKeys('current IdP key');
const next = generateIdpKeys('next IdP key', 365);
const expired = expiredIdpKeys('expired IdP key');
const at = { entityId: 'https://idp.example.test/metadata', ssoUrl: 'https://idp.example.test/sso' };

/** Read and decide as the library does; the refusal's code, or the decision. */
function importOf(xml: string) {
  try {
    const decision = decideSamlMetadata(readSamlMetadata(xml), now, { allowHttp: false });
    return decision.ok ? decision : { code: decision.code, message: decision.message };
  } catch (err) {
    if (err instanceof OnrampError) return { code: err.code, message: err.message, status: err.status };
    throw err;
  }
}

/** A samlify document with `validUntil` set on the element named `localName` (through the DOM). */
function validUntil(xml: string, localName: string, value: string): string {
  const doc = new DOMParser().parseFromString(xml, 'application/xml') as unknown as Document;
  doc.getElementsByTagNameNS('urn:oasis:names:tc:SAML:2.0:metadata', localName)[0]?.setAttribute('validUntil', value);
  return new XMLSerializer().serializeToString(doc as unknown as Node);
}

/** A samlify document with the IdP's SingleSignOnService elements taken out (through the DOM). */
function withoutSso(xml: string): string {
  const doc = new DOMParser().parseFromString(xml, 'application/xml') as unknown as Document;
  for (const el of Array.from(doc.getElementsByTagNameNS('urn:oasis:names:tc:SAML:2.0:metadata', 'SingleSignOnService'))) el.parentNode?.removeChild(el);
  return new XMLSerializer().serializeToString(doc as unknown as Node);
}

describe('SAML metadata import: vendor documents', () => {
  it("reads samlify's IdP metadata: entity ID, SSO URL on HTTP-Redirect, the signing certificate", () => {
    const result = importOf(idpMetadata({ ...at, certificates: [current.certificate] }));
    expect(result).toMatchObject({
      ok: true,
      idpEntityId: at.entityId,
      ssoUrl: at.ssoUrl,
      ssoBinding: 'HTTP-Redirect',
      certificates: [pemBody(current.certificate)],
    });
  });

  it('keeps several signing certificates at once (rollover), and takes HTTP-POST when it is the only binding', () => {
    const result = importOf(idpMetadata({ ...at, certificates: [current.certificate, next.certificate], bindings: ['HTTP-POST'] }));
    expect(result).toMatchObject({ ok: true, ssoBinding: 'HTTP-POST', certificates: [pemBody(current.certificate), pemBody(next.certificate)] });
  });

  it("reads Okta's metadata (md: prefix, HTTP-POST listed before HTTP-Redirect)", () => {
    expect(importOf(fixture('okta.xml'))).toMatchObject({
      ok: true,
      idpEntityId: 'http://www.okta.com/exk8example0onramp697',
      ssoUrl: 'https://dev-000000.okta.com/app/dev-000000_onramp_1/exk8example0onramp697/sso/saml',
      ssoBinding: 'HTTP-Redirect',
    });
  });

  it("reads Entra ID's federation metadata past its Signature and WS-Federation RoleDescriptors", () => {
    const result = importOf(fixture('entra-id.xml'));
    expect(result).toMatchObject({
      ok: true,
      idpEntityId: 'https://sts.windows.net/00000000-0000-4000-8000-0000000000aa/',
      ssoUrl: 'https://login.microsoftonline.com/00000000-0000-4000-8000-0000000000aa/saml2',
      ssoBinding: 'HTTP-Redirect',
    });
    expect(result).toHaveProperty('certificates.length', 1);
  });

  it("reads AD FS's metadata: only the IDPSSODescriptor's two signing certificates, never the encryption one or the SP role's", () => {
    const read = readSamlMetadata(fixture('adfs.xml'));
    expect(read.signingCertificates).toHaveLength(2);
    const result = importOf(fixture('adfs.xml'));
    expect(result).toMatchObject({ ok: true, idpEntityId: 'http://adfs.example.com/adfs/services/trust', ssoUrl: 'https://adfs.example.com/adfs/ls/' });
    expect(result).toHaveProperty('certificates.length', 2);
  });
});

describe('SAML metadata import: another library', () => {
  it("reads the metadata auth0's samlp (8.0.0) generates", () => {
    expect(importOf(fixture('samlp-8.0.0.xml'))).toMatchObject({
      ok: true,
      idpEntityId: 'urn:samlp-example-idp',
      ssoUrl: 'https://idp.samlp.example/samlp',
      ssoBinding: 'HTTP-Redirect',
      certificates: [expect.any(String)],
    });
  });
});

describe('SAML metadata import: node-saml', () => {
  // node-saml (5.x) generates only service-provider metadata (`generateServiceProviderMetadata`); an admin who pastes
  // an SP's document where the IdP's belongs is told so, with the code the API and console answer.
  it("refuses node-saml's generated metadata as an SP's, not an IdP's (saml_metadata_not_idp)", () => {
    const xml = generateServiceProviderMetadata({
      issuer: 'https://app.example.test/saml/metadata',
      callbackUrl: 'https://app.example.test/saml/acs',
      publicCerts: [current.certificate],
      wantAssertionsSigned: true,
    });
    expect(xml).toContain('SPSSODescriptor');
    const result = importOf(xml);
    expect(result).toMatchObject({ code: 'saml_metadata_not_idp' });
    expect((result as { message: string }).message).toMatch(/not an SP's/);
  });
});

describe('SAML metadata import: refusals', () => {
  it('refuses an expired signing certificate, naming it', () => {
    const result = importOf(idpMetadata({ ...at, certificates: [expired.certificate] }));
    expect(result).toMatchObject({ code: 'saml_metadata_certificate_expired' });
    expect((result as { message: string }).message).toContain(fingerprintOf(expired.certificate));
  });

  it('leaves an expired certificate out while a current one remains', () => {
    const result = importOf(idpMetadata({ ...at, certificates: [expired.certificate, current.certificate] }));
    expect(result).toMatchObject({ ok: true, certificates: [pemBody(current.certificate)], leftOut: [{ fingerprint256: fingerprintOf(expired.certificate) }] });
  });

  it('refuses metadata past its validUntil (on the entity or the IdP descriptor), and takes it before then', () => {
    const xml = idpMetadata({ ...at, certificates: [current.certificate] });
    const past = new Date(now.getTime() - DAY).toISOString();
    for (const element of ['EntityDescriptor', 'IDPSSODescriptor']) {
      const result = importOf(validUntil(xml, element, past));
      expect(result).toMatchObject({ code: 'saml_metadata_expired' });
      expect((result as { message: string }).message).toContain(past);
    }
    expect(importOf(validUntil(xml, 'EntityDescriptor', new Date(now.getTime() + DAY).toISOString()))).toMatchObject({ ok: true });
    expect(importOf(validUntil(xml, 'EntityDescriptor', 'next week'))).toMatchObject({ code: 'saml_metadata_invalid' });
  });

  it('refuses metadata without an SSO URL', () => {
    expect(importOf(withoutSso(idpMetadata({ ...at, certificates: [current.certificate] })))).toMatchObject({ code: 'saml_metadata_no_sso_url' });
  });

  it('refuses an http SSO URL unless http is allowed', () => {
    const xml = idpMetadata({ ...at, ssoUrl: 'http://idp.example.test/sso', certificates: [current.certificate] });
    expect(importOf(xml)).toMatchObject({ code: 'saml_metadata_no_sso_url' });
    expect(decideSamlMetadata(readSamlMetadata(xml), now, { allowHttp: true })).toMatchObject({ ok: true, ssoUrl: 'http://idp.example.test/sso' });
  });

  it('refuses a 10 MB document before parsing it', () => {
    const xml = idpMetadata({ ...at, certificates: [current.certificate] }) + ' '.repeat(10 * 1024 * 1024);
    expect(importOf(xml)).toMatchObject({ code: 'saml_metadata_too_large', status: 413 });
    expect(MAX_METADATA_BYTES).toBe(1024 * 1024);
  });

  it('refuses a DOCTYPE, with or without entity declarations', () => {
    const xml = idpMetadata({ ...at, certificates: [current.certificate] });
    expect(importOf(`<!DOCTYPE EntityDescriptor [<!ENTITY x "y">]>${xml}`)).toMatchObject({ code: 'saml_metadata_doctype' });
    expect(importOf(`<!DOCTYPE EntityDescriptor SYSTEM "http://attacker.test/x.dtd">${xml}`)).toMatchObject({ code: 'saml_metadata_doctype' });
  });

  it('refuses what is not XML, or is SAML metadata of no IdP', () => {
    expect(importOf('not xml at all')).toMatchObject({ code: 'saml_metadata_invalid' });
    expect(importOf(idpMetadata({ ...at, certificates: [current.certificate] }).slice(0, 200))).toMatchObject({ code: 'saml_metadata_invalid' });
    expect(importOf(fixture('okta.xml').replaceAll('IDPSSODescriptor', 'SPSSODescriptor'))).toMatchObject({ code: 'saml_metadata_not_idp' });
  });
});

describe('SAML metadata rules', () => {
  const read = (over: Partial<ReadMetadata>): ReadMetadata => ({
    entityId: 'https://idp.test',
    idpDescriptors: 1,
    ssoServices: [{ binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect', location: 'https://idp.test/sso' }],
    signingCertificates: [
      { body: 'AAAA', fingerprint256: 'AA', notBefore: new Date(0).toISOString(), notAfter: new Date(now.getTime() + 90 * DAY).toISOString() },
    ],
    unreadableCertificates: 0,
    validUntil: [],
    ...over,
  });

  it('flags a certificate that expires within 30 days', () => {
    expect(certificateExpiry(new Date(now.getTime() + 29 * DAY).toISOString(), now)).toEqual({ expired: false, expiresSoon: true });
    expect(certificateExpiry(new Date(now.getTime() + 31 * DAY).toISOString(), now)).toEqual({ expired: false, expiresSoon: false });
    expect(certificateExpiry(new Date(now.getTime() - DAY).toISOString(), now)).toEqual({ expired: true, expiresSoon: false });
  });

  it('needs an entity ID, a certificate, readable certificates, and at most five', () => {
    expect(decideSamlMetadata(read({ entityId: ' ' }), now, { allowHttp: false })).toMatchObject({ code: 'saml_metadata_invalid' });
    expect(decideSamlMetadata(read({ signingCertificates: [] }), now, { allowHttp: false })).toMatchObject({ code: 'saml_metadata_no_certificate' });
    expect(decideSamlMetadata(read({ unreadableCertificates: 1 }), now, { allowHttp: false })).toMatchObject({ code: 'saml_metadata_invalid' });
    const six = Array.from({ length: 6 }, (_, i) => ({ ...read({}).signingCertificates[0]!, fingerprint256: `F${i}` }));
    expect(decideSamlMetadata(read({ signingCertificates: six }), now, { allowHttp: false })).toMatchObject({ code: 'saml_metadata_invalid' });
  });

  it('ignores other bindings (SOAP, Artifact) and duplicates of a certificate', () => {
    const soap = { binding: 'urn:oasis:names:tc:SAML:2.0:bindings:SOAP', location: 'https://idp.test/soap' };
    expect(decideSamlMetadata(read({ ssoServices: [soap] }), now, { allowHttp: false })).toMatchObject({ code: 'saml_metadata_no_sso_url' });
    const cert = read({}).signingCertificates[0]!;
    expect(decideSamlMetadata(read({ signingCertificates: [cert, cert] }), now, { allowHttp: false })).toMatchObject({ ok: true, certificates: ['AAAA'] });
  });
});
