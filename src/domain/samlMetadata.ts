/**
 * What an IdP's SAML metadata must give a connection, decided purely: the
 * reader (library/samlMetadataReader.ts) turns the XML into `ReadMetadata`,
 * these rules turn that into the connection's IdP values or one refusal with
 * the product's own words.
 */

export const SAML_BINDINGS = {
  'HTTP-Redirect': 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect',
  'HTTP-POST': 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST',
} as const;
export type SsoBinding = keyof typeof SAML_BINDINGS;
export const SSO_BINDINGS = Object.keys(SAML_BINDINGS) as SsoBinding[];

/** A metadata document larger than this is refused, uploaded or fetched (ADFS's, among the largest, is well under 200 KB). */
export const MAX_METADATA_BYTES = 1024 * 1024;
/** A connection keeps at most this many IdP signing certificates (as when they are given by hand). */
export const MAX_IDP_CERTIFICATES = 5;
/** A certificate that expires within this many days is flagged (`expiresSoon`). */
export const CERTIFICATE_WARNING_DAYS = 30;
const MAX_ENTITY_ID_LENGTH = 1024;
const MAX_URL_LENGTH = 2048;
const DAY_MS = 86_400_000;

/** One signing certificate found in the metadata, as the reader describes it. */
export interface MetadataCertificate {
  /** PEM body: base64 DER, no armor, no whitespace. */
  body: string;
  fingerprint256: string;
  notBefore: string;
  notAfter: string;
}

/** What the reader found in the document (nothing decided yet). */
export interface ReadMetadata {
  entityId: string | null;
  /** IDPSSODescriptor elements that support SAML 2.0. */
  idpDescriptors: number;
  /** Every SingleSignOnService of that descriptor, in document order. */
  ssoServices: Array<{ binding: string; location: string }>;
  /** X.509 certificates of KeyDescriptors for signing (use="signing" or no use). */
  signingCertificates: MetadataCertificate[];
  /** X509Certificate elements of signing KeyDescriptors that are not readable certificates. */
  unreadableCertificates: number;
  /** `validUntil` of the document's root, its IdP's EntityDescriptor and IDPSSODescriptor, as written (absent ones left out). */
  validUntil: string[];
}

export type SamlMetadataRefusalCode =
  | 'saml_metadata_invalid'
  | 'saml_metadata_not_idp'
  | 'saml_metadata_no_sso_url'
  | 'saml_metadata_no_certificate'
  | 'saml_metadata_certificate_expired'
  | 'saml_metadata_expired';

export type MetadataDecision =
  | {
      ok: true;
      idpEntityId: string;
      ssoUrl: string;
      ssoBinding: SsoBinding;
      /** PEM bodies of the unexpired signing certificates, in document order, without duplicates. */
      certificates: string[];
      /** Expired certificates the metadata still lists next to current ones: left out. */
      leftOut: Array<{ fingerprint256: string; notAfter: string }>;
    }
  | { ok: false; code: SamlMetadataRefusalCode; message: string };

const refuse = (code: SamlMetadataRefusalCode, message: string): MetadataDecision => ({ ok: false, code, message });

/** Whether a certificate has expired, or expires within CERTIFICATE_WARNING_DAYS. */
export function certificateExpiry(notAfter: string, now: Date): { expired: boolean; expiresSoon: boolean } {
  const end = new Date(notAfter).getTime();
  const expired = end < now.getTime();
  return { expired, expiresSoon: !expired && end - now.getTime() <= CERTIFICATE_WARNING_DAYS * DAY_MS };
}

const usableUrl = (location: string, allowHttp: boolean): boolean => {
  if (location.length === 0 || location.length > MAX_URL_LENGTH) return false;
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    return false;
  }
  return url.protocol === 'https:' || (allowHttp && url.protocol === 'http:');
};

/**
 * The connection's IdP values from read metadata: the entity ID; the SSO URL
 * of the HTTP-Redirect binding, else of HTTP-POST (https only unless
 * `allowHttp`); the signing certificates — expired ones are left out while a
 * current one remains, and the metadata is refused when none does.
 */
export function decideSamlMetadata(read: ReadMetadata, now: Date, { allowHttp }: { allowHttp: boolean }): MetadataDecision {
  const entityId = read.entityId?.trim() ?? '';
  if (entityId === '') return refuse('saml_metadata_invalid', 'The metadata has no EntityDescriptor with an entityID.');
  if (entityId.length > MAX_ENTITY_ID_LENGTH)
    return refuse('saml_metadata_invalid', `The metadata's entityID is longer than ${MAX_ENTITY_ID_LENGTH} characters.`);
  // SAML metadata is not to be used after its validUntil: an old document (signed or not) served again is refused.
  for (const written of read.validUntil) {
    const until = Date.parse(written);
    if (Number.isNaN(until)) return refuse('saml_metadata_invalid', `The metadata's validUntil is not a date: ${written.slice(0, 64)}.`);
    if (until <= now.getTime())
      return refuse(
        'saml_metadata_expired',
        `The metadata expired at ${new Date(until).toISOString()} (its validUntil). Ask the IdP admin for its current metadata, or give its metadata URL.`,
      );
  }
  if (read.idpDescriptors === 0)
    return refuse(
      'saml_metadata_not_idp',
      "The metadata describes no SAML 2.0 identity provider (it has no IDPSSODescriptor); give the IdP's metadata, not an SP's.",
    );

  let sso: { binding: SsoBinding; location: string } | null = null;
  for (const binding of SSO_BINDINGS) {
    const found = read.ssoServices.find((s) => s.binding === SAML_BINDINGS[binding] && usableUrl(s.location.trim(), allowHttp));
    if (found) {
      sso = { binding, location: found.location.trim() };
      break;
    }
  }
  if (!sso)
    return refuse(
      'saml_metadata_no_sso_url',
      `The metadata names no single sign-on URL onramp can use: it needs a SingleSignOnService with the HTTP-Redirect or HTTP-POST binding and an ${allowHttp ? 'http(s)' : 'https'} Location.`,
    );

  if (read.unreadableCertificates > 0) return refuse('saml_metadata_invalid', 'A signing certificate in the metadata is not a readable X.509 certificate.');
  const seen = new Set<string>();
  const unique = read.signingCertificates.filter((c) => !seen.has(c.fingerprint256) && seen.add(c.fingerprint256));
  if (unique.length === 0)
    return refuse('saml_metadata_no_certificate', 'The metadata has no signing certificate (a KeyDescriptor for signing with an X509Certificate).');
  const current = unique.filter((c) => !certificateExpiry(c.notAfter, now).expired);
  const expired = unique.filter((c) => certificateExpiry(c.notAfter, now).expired);
  if (current.length === 0)
    return refuse(
      'saml_metadata_certificate_expired',
      `The IdP's signing certificate has expired (${expired.map((c) => `SHA-256 ${c.fingerprint256}, expired ${c.notAfter}`).join('; ')}). Ask the IdP admin to publish a current signing certificate, then import the metadata again.`,
    );
  if (current.length > MAX_IDP_CERTIFICATES)
    return refuse(
      'saml_metadata_invalid',
      `The metadata lists ${current.length} current signing certificates; a connection keeps at most ${MAX_IDP_CERTIFICATES}.`,
    );
  return {
    ok: true,
    idpEntityId: entityId,
    ssoUrl: sso.location,
    ssoBinding: sso.binding,
    certificates: current.map((c) => c.body),
    leftOut: expired.map((c) => ({ fingerprint256: c.fingerprint256, notAfter: c.notAfter })),
  };
}
