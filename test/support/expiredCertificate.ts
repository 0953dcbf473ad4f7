import forge from 'node-forge';
import type { IdpKeys } from '../../src/demo/samlIdp';

/**
 * IdP keys whose certificate expired yesterday — what a connection holds once
 * its IdP's certificate has run out (the admin API refuses to store an expired
 * one, and selfsigned refuses to make one, so node-forge builds it).
 */
export function expiredIdpKeys(commonName: string): IdpKeys {
  const keys = forge.pki.rsa.generateKeyPair(2048);
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = '01';
  const day = 24 * 3600_000;
  cert.validity.notBefore = new Date(Date.now() - 30 * day);
  cert.validity.notAfter = new Date(Date.now() - day);
  const name = [{ name: 'commonName', value: commonName }];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { privateKey: forge.pki.privateKeyToPem(keys.privateKey), certificate: forge.pki.certificateToPem(cert) };
}
