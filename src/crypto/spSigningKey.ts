import { randomBytes, X509Certificate } from 'node:crypto';
import selfsigned from 'selfsigned';
import { open, seal } from './secretBox';

/** A connection's SP signing key pair as stored: public certificate, sealed private key. */
export interface StoredSpSigningKey {
  id: string;
  /** PEM body (base64 DER, no armor), published in the SP metadata. */
  certificate: string;
  privateKeySealed: string;
  createdAt: Date;
}

const SP_CERT_DAYS = 5 * 365;

/** A new RSA-2048 key pair with a self-signed certificate (5 years), its private key sealed with the encryption key. */
export function generateSpSigningKey(encryptionKey: Buffer, commonName: string): StoredSpSigningKey {
  const pems = selfsigned.generate([{ name: 'commonName', value: commonName.slice(0, 64) }], { days: SP_CERT_DAYS, keySize: 2048, algorithm: 'sha256' });
  return {
    id: randomBytes(6).toString('hex'),
    certificate: pemBody(pems.cert),
    privateKeySealed: seal(encryptionKey, pems.private),
    createdAt: new Date(),
  };
}

export const pemBody = (pem: string): string => pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
export const certificatePem = (body: string): string =>
  `-----BEGIN CERTIFICATE-----\n${body.match(/.{1,64}/g)?.join('\n') ?? body}\n-----END CERTIFICATE-----\n`;

export function unsealSpPrivateKey(encryptionKey: Buffer, key: StoredSpSigningKey): string {
  return open(encryptionKey, key.privateKeySealed);
}

/** What an admin sees of a key: never the private part. */
export function describeSpSigningKey(key: StoredSpSigningKey): { id: string; fingerprint256: string; validTo: string; createdAt: string; certificate: string } {
  const cert = new X509Certificate(certificatePem(key.certificate));
  return {
    id: key.id,
    fingerprint256: cert.fingerprint256,
    validTo: new Date(cert.validTo).toISOString(),
    createdAt: key.createdAt.toISOString(),
    certificate: key.certificate,
  };
}
