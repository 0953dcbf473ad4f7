import { APPROVAL_TRIGGERS, DEFAULT_APPROVAL_EXPIRY_SECONDS } from '../../domain/approval';
import { SUBJECT_MATCHES } from '../../domain/linking';
import { DEFAULT_INVITATION_EXPIRY_SECONDS } from '../../domain/invitations';
import { Schema, type Connection, type InferSchemaType } from 'mongoose';

export const tenantSchema = new Schema(
  {
    slug: { type: String, required: true },
    name: { type: String, required: true },
    jit: {
      enabled: { type: Boolean, required: true, default: true },
      defaultRoles: { type: [String], required: true, default: ['member'] },
    },
    /**
     * Email domains (ASCII, lower-case) with whether the tenant proved ownership:
     * `token` is the DNS TXT value to publish (library/domains.ts).
     */
    domains: {
      type: [
        new Schema(
          {
            domain: { type: String, required: true },
            verified: { type: Boolean, required: true },
            token: { type: String, default: null },
            verifiedAt: { type: Date, default: null },
          },
          { _id: false },
        ),
      ],
      default: [],
    },
    /** How many times the tenant was changed (db/turns.ts: its writers take turns by it). */
    changeGeneration: { type: Number, required: true, default: 0 },
    /** Domain JIT: anyone with a verified email of a verified domain joins (email sign-in). */
    domainJit: { type: Boolean, required: true, default: false },
    /** Linking of sign-ins to accounts that already hold the email (see domain/linking.ts). */
    linking: {
      policy: { type: String, enum: ['auto', 'approval', 'deny'], required: true, default: 'approval' },
      fallback: { type: String, enum: ['approval', 'deny'], required: true, default: 'deny' },
      excludedUserIds: { type: [Schema.Types.ObjectId], default: [] },
    },
    /** Roles beyond the built-in owner/admin/member, and whether IdP claims may grant `owner`. */
    roles: {
      custom: { type: [String], required: true, default: [] },
      ownerFromIdp: { type: Boolean, required: true, default: false },
    },
    /** When a sign-in waits for an admin, and for how long (domain/approval.ts). */
    approval: {
      when: { type: [String], enum: APPROVAL_TRIGGERS, default: [] },
      expirySeconds: { type: Number, required: true, default: DEFAULT_APPROVAL_EXPIRY_SECONDS },
    },
    /**
     * SCIM directories of this tenant: `authoritative` — sign-ins
     * create no membership the directory has not pushed; `deprovision` — what
     * `active: false` or DELETE does to the membership (suspend it, or remove it);
     * `subjectMatch` — a first SSO sign-in whose subject (SAML NameID, OIDC
     * `sub`) equals a directory User's userName or externalId is that User's
     * account (`none`: matched by email only, under the link policy).
     */
    directorySync: {
      authoritative: { type: Boolean, required: true, default: false },
      deprovision: { type: String, enum: ['suspend', 'remove'], required: true, default: 'suspend' },
      subjectMatch: { type: String, enum: SUBJECT_MATCHES, required: true, default: 'none' },
    },
    /** Invitations: how long one stays valid. */
    invitations: {
      expirySeconds: { type: Number, required: true, default: DEFAULT_INVITATION_EXPIRY_SECONDS },
    },
    /** When an IdP asserts attributes that differ from the account (see domain/attributeSync.ts). */
    conflictPolicy: { type: String, enum: ['idp-wins', 'keep-local', 'review'], required: true, default: 'review' },
  },
  { timestamps: true, collection: 'tenants' },
);
tenantSchema.index({ slug: 1 }, { unique: true });

export type TenantDoc = InferSchemaType<typeof tenantSchema>;
export const tenantModel = (conn: Connection) => conn.model('Tenant', tenantSchema);

/**
 * Verified domains across all tenants, keyed by the domain itself: no two
 * tenants can hold the same verified domain (a duplicate `_id` is refused).
 */
export const verifiedDomainSchema = new Schema(
  {
    _id: { type: String, required: true },
    tenantId: { type: Schema.Types.ObjectId, required: true },
  },
  { timestamps: true, collection: 'verified_domains' },
);
verifiedDomainSchema.index({ tenantId: 1 });
export const verifiedDomainModel = (conn: Connection) => conn.model('VerifiedDomain', verifiedDomainSchema);
