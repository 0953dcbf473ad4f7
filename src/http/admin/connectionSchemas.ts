import { X509Certificate } from 'node:crypto';
import { z } from 'zod';
import { DEFAULT_SIGNATURE_POLICY, SIGNATURE_POLICIES } from '../../domain/samlSignatures';
import { SSO_BINDINGS } from '../../domain/samlMetadata';
import { domainName, linkPolicy } from './schemas';

/** The admin API's schemas for SAML and OIDC connections (bodies and answers). */

/** Accept PEM with or without armor; store the base64 body, refuse anything that is not an X.509 certificate. */
export const idpCertificate = z.string().transform((value, ctx) => {
  const body = value.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
  try {
    const cert = new X509Certificate(`-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`);
    if (new Date(cert.validTo).getTime() < Date.now()) {
      ctx.addIssue({ code: 'custom', message: 'certificate has expired' });
      return z.NEVER;
    }
    return body;
  } catch {
    ctx.addIssue({ code: 'custom', message: 'is not a PEM X.509 certificate' });
    return z.NEVER;
  }
});

const attributeName = z.string().min(1).max(256);

/** Which IdP attributes carry the email, name and groups, and the custom ones synced into the account's attributes. */
export const attributeMapping = z.strictObject({
  email: attributeName.default('email'),
  name: attributeName.default('name'),
  groups: attributeName.default('groups'),
  /** App attribute name → IdP attribute name. App names are plain identifiers (they become field paths). */
  custom: z
    .record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, 'custom attribute names are letters, digits and _'), attributeName)
    .refine((m) => Object.keys(m).length <= 50, 'at most 50 custom attributes')
    .default({}),
});

export const createSamlConnectionBody = (allowHttp: boolean) =>
  z.strictObject({
    name: z.string().trim().min(1).max(200),
    idpEntityId: z.string().min(1).max(1024),
    ssoUrl: z.url({ protocol: allowHttp ? /^https?$/ : /^https$/ }).max(2048),
    certificates: z.array(idpCertificate).min(1).max(5),
    attributeMapping: attributeMapping.default({ email: 'email', name: 'name', groups: 'groups', custom: {} }),
    allowIdpInitiated: z.boolean().default(false),
    /** Which signatures a response must carry (default: one valid signature covering the assertion). */
    signatures: z.enum(SIGNATURE_POLICIES).default(DEFAULT_SIGNATURE_POLICY),
    /** Accept RSA-SHA1 signatures and SHA-1 digests (off: SHA-256 or stronger only). Only for a legacy IdP that cannot sign with SHA-256. */
    allowSha1: z.boolean().default(false),
    /** A persistent attribute to use as the subject instead of the NameID (needed with transient NameIDs). */
    subjectAttribute: attributeName.nullable().default(null),
    /** Sign AuthnRequests with the connection's own SP key (its certificate is in the SP metadata). */
    signAuthnRequests: z.boolean().default(true),
    /** Overrides the tenant's link policy for this connection. */
    linkPolicy: linkPolicy.nullable().default(null),
    /** Domains this connection may assert for linking; null = all the tenant verified. */
    allowedDomains: z.array(domainName).max(100).nullable().default(null),
  });

/**
 * A SAML connection from the IdP's metadata: the document itself (`metadataXml`) or its URL (`metadataUrl`,
 * fetched now and refreshed later); every other setting as for a connection given by hand.
 */
export const metadataSourceBody = (allowHttp: boolean) =>
  z
    .strictObject({
      /** The IdP's SAML metadata XML (at most 1 MB). */
      metadataXml: z.string().min(1).optional(),
      /** Where the IdP publishes its metadata; fetched under the webhook client's SSRF rules, and kept to refresh from. */
      metadataUrl: z
        .url({ protocol: allowHttp ? /^https?$/ : /^https$/ })
        .max(2048)
        .optional(),
      /**
       * The certificate (PEM) the IdP signs its metadata with: this document, and every one applied to the connection
       * after it (replaced or refreshed), must carry a valid signature over its root made with it. null removes it
       * (signatures are then not verified); absent keeps the connection's.
       */
      metadataSigningCertificate: idpCertificate.nullable().optional(),
    })
    .refine((b) => (b.metadataXml === undefined) !== (b.metadataUrl === undefined), 'give either metadataXml or metadataUrl');

export const createSamlFromMetadataBody = (allowHttp: boolean) =>
  createSamlConnectionBody(allowHttp)
    .omit({ idpEntityId: true, ssoUrl: true, certificates: true })
    .extend(metadataSourceBody(allowHttp).shape)
    .refine((b) => (b.metadataXml === undefined) !== (b.metadataUrl === undefined), 'give either metadataXml or metadataUrl');

export const createOidcConnectionBody = (allowHttp: boolean) =>
  z.strictObject({
    name: z.string().trim().min(1).max(200),
    issuer: z.url({ protocol: allowHttp ? /^https?$/ : /^https$/ }).max(2048),
    clientId: z.string().min(1).max(512),
    clientSecret: z.string().min(1).max(2048),
    scopes: z
      .array(z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]{1,128}$/, 'is not a scope'))
      .max(20)
      .refine((s) => s.includes('openid'), 'must include openid')
      .default(['openid', 'email', 'profile']),
    claimMapping: z
      .strictObject({
        email: attributeName.default('email'),
        emailVerified: attributeName.default('email_verified'),
        name: attributeName.default('name'),
        groups: attributeName.default('groups'),
      })
      .default({ email: 'email', emailVerified: 'email_verified', name: 'name', groups: 'groups' }),
    linkPolicy: linkPolicy.nullable().default(null),
    allowedDomains: z.array(domainName).max(100).nullable().default(null),
  });

export const oidcConnectionOut = z.object({
  id: z.string(),
  tenantId: z.string(),
  name: z.string(),
  enabled: z.boolean(),
  issuer: z.string(),
  clientId: z.string(),
  scopes: z.array(z.string()),
  claimMapping: z.object({ email: z.string(), emailVerified: z.string(), name: z.string(), groups: z.string() }),
  linkPolicy: z.string().nullable(),
  allowedDomains: z.array(z.string()).nullable(),
  loginUrl: z.string(),
  redirectUri: z.string(),
  createdAt: z.date(),
});

export const samlConnectionOut = z.object({
  id: z.string(),
  tenantId: z.string(),
  name: z.string(),
  enabled: z.boolean(),
  spEntityId: z.string(),
  acsUrl: z.string(),
  metadataUrl: z.string(),
  loginUrl: z.string(),
  idpEntityId: z.string(),
  ssoUrl: z.string(),
  /** How AuthnRequests reach the SSO URL: HTTP-Redirect, or HTTP-POST when the IdP's metadata offers only that. */
  ssoBinding: z.enum(SSO_BINDINGS),
  /** Set when the IdP values come from metadata: its URL (null when uploaded), when it last changed them, when it was last read, and the last refresh's refusal. */
  metadata: z
    .object({
      url: z.string().nullable(),
      appliedAt: z.date(),
      checkedAt: z.date(),
      lastError: z.object({ code: z.string(), message: z.string() }).nullable(),
    })
    .nullable(),
  /** The certificate the IdP's metadata must be signed with (its fingerprint and expiry); null when metadata signatures are not verified. */
  metadataSigningCertificate: z.object({ fingerprint256: z.string(), validTo: z.string(), expired: z.boolean(), expiresSoon: z.boolean() }).nullable(),
  attributeMapping: z.object({ email: z.string(), name: z.string(), groups: z.string(), custom: z.record(z.string(), z.string()) }),
  allowIdpInitiated: z.boolean(),
  linkPolicy: z.string().nullable(),
  allowedDomains: z.array(z.string()).nullable(),
  /** The IdP signing certificates; `expiresSoon` within 30 days of `validTo`. */
  certificates: z.array(z.object({ fingerprint256: z.string(), validTo: z.string(), expired: z.boolean(), expiresSoon: z.boolean() })),
  /** Which signatures a response must carry: `either` (default), `assertion`, `response` or `both`. */
  signatures: z.enum(SIGNATURE_POLICIES),
  /** Whether SHA-1 signatures and digests are accepted (a legacy IdP's opt-in; off by default). */
  allowSha1: z.boolean(),
  subjectAttribute: z.string().nullable(),
  signAuthnRequests: z.boolean(),
  /** The SP's signing certificates (newest signs; all are in the metadata during a rotation). */
  spSigningCertificates: z.array(z.object({ id: z.string(), fingerprint256: z.string(), validTo: z.string(), createdAt: z.string(), certificate: z.string() })),
  createdAt: z.date(),
});

/** Change how a SAML connection validates, signs, maps attributes and links (`PATCH …/connections/saml/:id`). */
export const samlSettingsBody = z
  .strictObject({
    signatures: z.enum(SIGNATURE_POLICIES),
    /** Accept SHA-1 signatures and digests from this connection's IdP (audited). */
    allowSha1: z.boolean(),
    subjectAttribute: attributeName.nullable(),
    signAuthnRequests: z.boolean(),
    /** Replaces the IdP signing certificates (e.g. after the IdP rolled its certificate). */
    certificates: z.array(idpCertificate).min(1).max(5),
    /** Replaces the attribute mapping (which IdP attributes carry email, name, groups and the custom attributes). */
    attributeMapping,
    /** Overrides the tenant's link policy for this connection; null = the tenant's. */
    linkPolicy: linkPolicy.nullable(),
  })
  .partial()
  .refine((b) => Object.keys(b).length > 0, 'name at least one setting');
