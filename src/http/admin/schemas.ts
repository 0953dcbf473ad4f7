import { X509Certificate } from 'node:crypto';
import { z } from 'zod';
import { toASCII } from 'punycode/punycode.es6.js';
import { ROLE_PATTERN } from '../../domain/roles';
import { APPROVAL_TRIGGERS, DEFAULT_APPROVAL_EXPIRY_SECONDS, MAX_APPROVAL_EXPIRY_SECONDS, type ApprovalTrigger } from '../../domain/approval';
import { DEFAULT_SIGNATURE_POLICY, SIGNATURE_POLICIES } from '../../domain/samlSignatures';
import { paginationQuery } from '../pagination';

const role = z.string().regex(ROLE_PATTERN, 'must be a role name (lower-case letters, digits, _ or -)');

export const tenantParams = z.object({ tenant: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'is not a tenant slug') });

export const createTenantBody = z.strictObject({
  slug: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'must be 2-63 lower-case letters, digits or dashes'),
  name: z.string().trim().min(1).max(200),
  jit: z
    .strictObject({
      enabled: z.boolean().default(true),
      defaultRoles: z
        .array(role)
        .min(1)
        .max(20)
        .refine((roles) => !roles.includes('owner'), 'owner cannot be a default role')
        .default(['member']),
    })
    .default({ enabled: true, defaultRoles: ['member'] }),
});

/** Accept PEM with or without armor; store the base64 body, refuse anything that is not an X.509 certificate. */
const certificate = z.string().transform((value, ctx) => {
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

/** An email domain, compared in lower-case ASCII (punycode) form without a trailing dot. */
export const domainName = z
  .string()
  .trim()
  .min(1)
  .max(253)
  .transform((value, ctx) => {
    let ascii = '';
    try {
      ascii = toASCII(value.toLowerCase().replace(/\.$/, ''));
    } catch {
      ascii = '';
    }
    if (!/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/.test(ascii)) {
      ctx.addIssue({ code: 'custom', message: 'is not a domain name' });
      return z.NEVER;
    }
    return ascii;
  });

const linkPolicy = z.enum(['auto', 'approval', 'deny']);

export const domainsBody = z.strictObject({
  domains: z
    .array(z.strictObject({ domain: domainName, verified: z.boolean() }))
    .max(100)
    .refine((ds) => new Set(ds.map((d) => d.domain)).size === ds.length, 'lists a domain twice'),
});

export const linkPolicyBody = z.strictObject({
  policy: linkPolicy,
  fallback: z.enum(['approval', 'deny']).default('deny'),
  excludedUserIds: z.array(z.string().regex(/^[0-9a-f]{24}$/, 'must be a user id')).max(1000).default([]),
});

export const createSamlConnectionBody = (allowHttp: boolean) =>
  z.strictObject({
    name: z.string().trim().min(1).max(200),
    idpEntityId: z.string().min(1).max(1024),
    ssoUrl: z.url({ protocol: allowHttp ? /^https?$/ : /^https$/ }).max(2048),
    certificates: z.array(certificate).min(1).max(5),
    attributeMapping: z
      .strictObject({
        email: attributeName.default('email'),
        name: attributeName.default('name'),
        groups: attributeName.default('groups'),
        /** App attribute name → IdP attribute name. App names are plain identifiers (they become field paths). */
        custom: z
          .record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, 'custom attribute names are letters, digits and _'), attributeName)
          .refine((m) => Object.keys(m).length <= 50, 'at most 50 custom attributes')
          .default({}),
      })
      .default({ email: 'email', name: 'name', groups: 'groups', custom: {} }),
    allowIdpInitiated: z.boolean().default(false),
    /** Which signatures a response must carry (default: one valid signature covering the assertion). */
    signatures: z.enum(SIGNATURE_POLICIES).default(DEFAULT_SIGNATURE_POLICY),
    /** A persistent attribute to use as the subject instead of the NameID (needed with transient NameIDs). */
    subjectAttribute: attributeName.nullable().default(null),
    /** Sign AuthnRequests with the connection's own SP key (its certificate is in the SP metadata). */
    signAuthnRequests: z.boolean().default(true),
    /** Overrides the tenant's link policy for this connection. */
    linkPolicy: linkPolicy.nullable().default(null),
    /** Domains this connection may assert for linking; null = all the tenant verified. */
    allowedDomains: z.array(domainName).max(100).nullable().default(null),
  });

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

export const listQuery = z.object(paginationQuery);

const isoDate = z.iso.datetime({ offset: true }).transform((s) => new Date(s));

export const auditQuery = z.object({
  ...paginationQuery,
  user: z.string().regex(/^[0-9a-f]{24}$/, 'must be a user id').optional(),
  action: z.string().regex(/^[a-z_.]{1,64}$/, 'must be an action name').optional(),
  from: isoDate.optional(),
  to: isoDate.optional(),
});

// Response shapes: answers are parsed through these, so nothing undeclared (secrets, internals) leaks.
export const tenantOut = z.object({
  id: z.string(),
  slug: z.string(),
  name: z.string(),
  jit: z.object({ enabled: z.boolean(), defaultRoles: z.array(z.string()) }),
  domains: z.array(z.object({ domain: z.string(), verified: z.boolean() })),
  linking: z.object({ policy: z.string(), fallback: z.string(), excludedUserIds: z.array(z.string()) }),
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
  attributeMapping: z.object({ email: z.string(), name: z.string(), groups: z.string(), custom: z.record(z.string(), z.string()) }),
  allowIdpInitiated: z.boolean(),
  linkPolicy: z.string().nullable(),
  allowedDomains: z.array(z.string()).nullable(),
  certificates: z.array(z.object({ fingerprint256: z.string(), validTo: z.string(), expired: z.boolean() })),
  /** Which signatures a response must carry: `either` (default), `assertion`, `response` or `both`. */
  signatures: z.enum(SIGNATURE_POLICIES),
  subjectAttribute: z.string().nullable(),
  signAuthnRequests: z.boolean(),
  /** The SP's signing certificates (newest signs; all are in the metadata during a rotation). */
  spSigningCertificates: z.array(z.object({ id: z.string(), fingerprint256: z.string(), validTo: z.string(), createdAt: z.string(), certificate: z.string() })),
  createdAt: z.date(),
});

/** Change how a SAML connection validates and signs (`PATCH …/connections/:id/saml`). */
export const samlSettingsBody = z
  .strictObject({
    signatures: z.enum(SIGNATURE_POLICIES),
    subjectAttribute: attributeName.nullable(),
    signAuthnRequests: z.boolean(),
    /** Replaces the IdP signing certificates (e.g. after the IdP rolled its certificate). */
    certificates: z.array(certificate).min(1).max(5),
  })
  .partial()
  .refine((b) => Object.keys(b).length > 0, 'name at least one setting');


export const memberOut = z.object({
  membershipId: z.string(),
  userId: z.string(),
  email: z.string().nullable(),
  name: z.string().nullable(),
  /** Effective roles (direct, granted and from groups); `directRoles` are the membership's own. */
  roles: z.array(z.string()),
  directRoles: z.array(z.string()),
  groups: z.array(z.string()),
  status: z.string(),
  createdAt: z.date(),
});
/** One member with the account's custom attributes (`GET …/members/:userId`). */
export const memberDetailOut = memberOut.extend({
  attributes: z.array(z.object({ name: z.string(), value: z.string().nullable() })),
});

export const auditEventOut = z.object({
  id: z.string(),
  action: z.string(),
  actor: z.object({ type: z.string(), id: z.string().nullable() }),
  target: z.object({ type: z.string(), id: z.string().nullable() }),
  userId: z.string().nullable(),
  before: z.unknown(),
  after: z.unknown(),
  reason: z.string().nullable(),
  context: z.unknown(),
  workflowId: z.string().nullable(),
  runId: z.string().nullable(),
  at: z.date(),
});

export const memberParams = tenantParams.extend({ userId: z.string().regex(/^[0-9a-f]{24}$/, 'must be a user id') });
export const identityParams = memberParams.extend({ identityId: z.string().min(3).max(600) });

export const identityOut = z.object({
  id: z.string(),
  connectionId: z.string(),
  tenantId: z.string(),
  subject: z.string(),
  protocol: z.string(),
  linkedAt: z.date().nullable(),
});

export const conflictPolicyBody = z.strictObject({ policy: z.enum(['idp-wins', 'keep-local', 'review']) });
export const attributeSyncBody = z.strictObject({ mode: z.enum(['on-first-sign-in', 'every-sign-in']) });
export const connectionParams = tenantParams.extend({ connectionId: z.string().regex(/^[0-9a-f]{24}$/, 'must be a connection id') });
export const spKeyParams = connectionParams.extend({ keyId: z.string().regex(/^[0-9a-f]{12}$/, 'must be a key id') });
export const conflictParams = tenantParams.extend({ conflictId: z.string().min(3).max(200) });
export const resolveConflictBody = z.strictObject({ resolution: z.enum(['use-idp', 'keep-local']) });
export const conflictOut = z.object({
  id: z.string(),
  userId: z.string(),
  connectionId: z.string(),
  field: z.string(),
  local: z.string().nullable(),
  asserted: z.string(),
  openedAt: z.date().nullable(),
});

export const approvalParams = tenantParams.extend({ requestId: z.string().min(3).max(300) });
export const approvalQuery = z.object({
  ...paginationQuery,
  kind: z.enum(['link', 'new-member', 'privileged-grant']).optional(),
  email: z.string().trim().toLowerCase().max(320).optional(),
});
export const approveBody = z.strictObject({
  reason: z.string().trim().max(500).nullable().default(null),
  /** The new membership's roles instead of the tenant's defaults. */
  roles: z.array(role).min(1).max(20).nullable().default(null),
});
export const rejectBody = z.strictObject({ reason: z.string().trim().min(1, 'say why').max(500) });
export const approvalPolicyBody = z.strictObject({
  when: z
    .array(z.enum([...APPROVAL_TRIGGERS, 'never']))
    .max(5)
    .refine((w) => !(w.includes('never') && w.length > 1), '"never" cannot be combined')
    .transform((w) => w.filter((t): t is ApprovalTrigger => t !== 'never')),
  expirySeconds: z.number().int().min(1).max(MAX_APPROVAL_EXPIRY_SECONDS).default(DEFAULT_APPROVAL_EXPIRY_SECONDS),
});
export const approvalOut = z.object({
  id: z.string(),
  kind: z.string(),
  reason: z.string(),
  reasons: z.array(z.string()),
  email: z.string().nullable(),
  name: z.string().nullable(),
  subject: z.string(),
  connectionId: z.string(),
  userId: z.string().nullable(),
  planned: z
    .object({ via: z.string(), newAccount: z.boolean(), roles: z.array(z.string()).nullable(), grants: z.array(z.string()), revokes: z.array(z.string()) })
    .nullable(),
  /** Every attribute the IdP sent, names and values exactly as sent. */
  attributes: z.array(z.object({ name: z.string(), values: z.array(z.string()) })),
  requestedAt: z.date().nullable(),
  expiresAt: z.date(),
});
