import { describe, expect, it } from 'vitest';
import { generateSpSigningKey, pemBody } from '../../src/crypto/spSigningKey';
import { certificatesExpired, connectionCertificates, unexpiredCertificates } from '../../src/http/saml/rejections';
import { expiredIdpKeys } from '../support/expiredCertificate';

const current = generateSpSigningKey(Buffer.alloc(32, 1), 'current').certificate;
const expired = pemBody(expiredIdpKeys('expired').certificate);
const garbage = 'bm90IGEgY2VydGlmaWNhdGU=';

describe('IdP certificates of a connection', () => {
  it('keeps each unexpired certificate, whatever stands before it', () => {
    // A certificate that does not parse used to shift the expiry flags onto the wrong certificates.
    expect(unexpiredCertificates([garbage, expired, current])).toEqual([current]);
    expect(unexpiredCertificates([expired, garbage, current])).toEqual([current]);
    expect(unexpiredCertificates([current, expired])).toEqual([current]);
    expect(unexpiredCertificates([expired, garbage])).toEqual([]);
  });

  it('describes the parsable ones and refuses only when all of them have expired', () => {
    expect(connectionCertificates([garbage, current]).map((c) => c.expired)).toEqual([false]);
    expect(certificatesExpired([expired, current])).toBeNull();
    expect(certificatesExpired([garbage])).toBeNull();
    expect(certificatesExpired([expired, garbage])?.code).toBe('saml_certificate_expired');
  });
});
