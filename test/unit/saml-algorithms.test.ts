import { describe, expect, it } from 'vitest';
import { algorithmName, weakAlgorithm } from '../../src/domain/samlAlgorithms';

const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const RSA_SHA512 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512';
const RSA_SHA1 = 'http://www.w3.org/2000/09/xmldsig#rsa-sha1';
const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';
const SHA512 = 'http://www.w3.org/2001/04/xmlenc#sha512';
const SHA1 = 'http://www.w3.org/2000/09/xmldsig#sha1';

describe('SAML signature algorithms', () => {
  it('accepts SHA-256 and stronger, with or without the SHA-1 opt-in', () => {
    for (const allowSha1 of [false, true]) {
      expect(weakAlgorithm([{ signatureMethod: RSA_SHA256, digestMethods: [SHA256] }], allowSha1)).toBeNull();
      expect(
        weakAlgorithm(
          [
            { signatureMethod: RSA_SHA512, digestMethods: [SHA512] },
            { signatureMethod: RSA_SHA256, digestMethods: [SHA256] },
          ],
          allowSha1,
        ),
      ).toBeNull();
    }
  });

  it('refuses an RSA-SHA1 signature, a SHA-1 digest, or both, naming them', () => {
    const both = weakAlgorithm([{ signatureMethod: RSA_SHA1, digestMethods: [SHA1] }], false);
    expect(both).toMatchObject({ reason: 'saml_weak_algorithm', algorithms: ['RSA-SHA1', 'SHA-1 (digest)'] });
    expect(both?.message).toContain('RSA-SHA1 and SHA-1 (digest)');
    expect(both?.message).toContain('allowSha1');
    expect(weakAlgorithm([{ signatureMethod: RSA_SHA256, digestMethods: [SHA1] }], false)?.algorithms).toEqual(['SHA-1 (digest)']);
    expect(weakAlgorithm([{ signatureMethod: RSA_SHA1, digestMethods: [SHA256] }], false)?.algorithms).toEqual(['RSA-SHA1']);
  });

  it('a strong signature beside a SHA-1 one does not carry it', () => {
    const mixed = [
      { signatureMethod: RSA_SHA256, digestMethods: [SHA256] },
      { signatureMethod: RSA_SHA1, digestMethods: [SHA1] },
    ];
    expect(weakAlgorithm(mixed, false)?.reason).toBe('saml_weak_algorithm');
    expect(weakAlgorithm(mixed, true)).toBeNull();
  });

  it('the opt-in allows SHA-1 only, never an unknown or missing algorithm', () => {
    expect(weakAlgorithm([{ signatureMethod: RSA_SHA1, digestMethods: [SHA1] }], true)).toBeNull();
    const odd = weakAlgorithm([{ signatureMethod: 'http://example.test/<!ENTITY evil>', digestMethods: [''] }], true);
    expect(odd?.algorithms).toEqual(['an unsupported algorithm']);
    expect(odd?.message).not.toContain('evil');
    expect(weakAlgorithm([{ signatureMethod: null, digestMethods: [SHA256] }], true)?.algorithms).toEqual(['no algorithm']);
  });

  it('names known algorithms by their common name', () => {
    expect(algorithmName(RSA_SHA256)).toBe('RSA-SHA256');
    expect(algorithmName(RSA_SHA1)).toBe('RSA-SHA1');
  });
});
