/**
 * A SAML connection's IdP signing certificates changed by hand (an admin adds
 * the IdP's next certificate, or removes one it no longer uses), decided
 * purely: the new list, or one refusal with the product's own words.
 */
import { MAX_IDP_CERTIFICATES } from './samlMetadata';

/** A certificate as the decision needs it: its PEM body and SHA-256 fingerprint. */
export interface IdpCertificate {
  body: string;
  fingerprint256: string;
}

export type CertificateChange =
  | { ok: true; certificates: string[] }
  | { ok: false; code: 'idp_certificate_listed' | 'too_many_idp_certificates' | 'last_idp_certificate' | 'not_found'; message: string };

/** Add a certificate next to the others (rollover: both verify until the old one is removed). */
export function addIdpCertificate(current: readonly IdpCertificate[], added: IdpCertificate): CertificateChange {
  if (current.some((c) => c.fingerprint256 === added.fingerprint256))
    return { ok: false, code: 'idp_certificate_listed', message: 'This certificate is already one of the connection’s signing certificates.' };
  if (current.length >= MAX_IDP_CERTIFICATES)
    return {
      ok: false,
      code: 'too_many_idp_certificates',
      message: `A connection keeps at most ${MAX_IDP_CERTIFICATES} signing certificates; remove one the IdP no longer uses first.`,
    };
  return { ok: true, certificates: [...current.map((c) => c.body), added.body] };
}

/** Remove the certificate with this fingerprint; the last one stays (a connection without one could verify nothing). */
export function removeIdpCertificate(current: readonly IdpCertificate[], fingerprint256: string): CertificateChange {
  if (!current.some((c) => c.fingerprint256 === fingerprint256))
    return { ok: false, code: 'not_found', message: 'That certificate is not one of the connection’s signing certificates.' };
  if (current.length === 1)
    return {
      ok: false,
      code: 'last_idp_certificate',
      message: 'This is the connection’s only signing certificate; add the IdP’s new certificate before removing it.',
    };
  return { ok: true, certificates: current.filter((c) => c.fingerprint256 !== fingerprint256).map((c) => c.body) };
}
