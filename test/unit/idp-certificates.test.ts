import { describe, expect, it } from 'vitest';
import { addIdpCertificate, removeIdpCertificate } from '../../src/domain/idpCertificates';
import { MAX_IDP_CERTIFICATES } from '../../src/domain/samlMetadata';

const cert = (n: number) => ({ body: `body${n}`, fingerprint256: `FP:${n}` });

describe("a SAML connection's IdP certificates changed by hand", () => {
  it('adds a certificate after the others', () => {
    expect(addIdpCertificate([cert(1)], cert(2))).toEqual({ ok: true, certificates: ['body1', 'body2'] });
  });

  it('refuses a certificate already listed, and one past the limit', () => {
    expect(addIdpCertificate([cert(1), cert(2)], cert(2))).toMatchObject({ ok: false, code: 'idp_certificate_listed' });
    const full = Array.from({ length: MAX_IDP_CERTIFICATES }, (_, i) => cert(i));
    expect(addIdpCertificate(full, cert(99))).toMatchObject({ ok: false, code: 'too_many_idp_certificates' });
  });

  it('removes a certificate by fingerprint, never the last, and says when it is not listed', () => {
    expect(removeIdpCertificate([cert(1), cert(2)], 'FP:1')).toEqual({ ok: true, certificates: ['body2'] });
    expect(removeIdpCertificate([cert(1)], 'FP:1')).toMatchObject({ ok: false, code: 'last_idp_certificate' });
    expect(removeIdpCertificate([cert(1), cert(2)], 'FP:3')).toMatchObject({ ok: false, code: 'not_found' });
  });
});
