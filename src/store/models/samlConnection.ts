import { GROUP_SYNC_MODES } from '../../domain/groups';
import { DEFAULT_SIGNATURE_POLICY, SIGNATURE_POLICIES } from '../../domain/samlSignatures';
import { SSO_BINDINGS } from '../../domain/samlMetadata';
import { Schema, Types, type Connection, type InferSchemaType } from 'mongoose';

const groupMappingSchema = new Schema(
  {
    value: { type: String, required: true },
    group: { type: String, default: null },
    roles: { type: [String], default: [] },
  },
  { _id: false },
);

export const groupSyncSchema = new Schema(
  {
    mode: { type: String, enum: GROUP_SYNC_MODES, required: true, default: 'off' },
    whenAbsent: { type: String, enum: ['keep', 'revoke'], required: true, default: 'keep' },
    allowList: { type: [String], default: null },
    unmapped: { type: String, enum: ['ignore', 'create-group'], required: true, default: 'ignore' },
    mappings: { type: [groupMappingSchema], default: [] },
  },
  { _id: false },
);

/** What every connection (SAML, OIDC, email) carries for provisioning policy: db/connections.ts reads these. */
export const connectionPolicyFields = () => ({
  /** Overrides the tenant's link policy for this connection; null = the tenant's. */
  linkPolicy: { type: String, enum: ['auto', 'approval', 'deny', null], default: null },
  /** Email domains this connection may assert for linking; null = all of the tenant's verified domains. */
  allowedDomains: { type: [String], default: null },
  /** Whether later sign-ins keep the account's attributes in step with the IdP. */
  attributeSync: { type: String, enum: ['on-first-sign-in', 'every-sign-in'], required: true, default: 'on-first-sign-in' },
  /** Groups and roles from the groups claim (domain/groups.ts). */
  groupSync: { type: groupSyncSchema, default: () => ({}) },
});

/** One SP signing key pair: the certificate (PEM body) is public, the private key sealed with ONRAMP_ENCRYPTION_KEY. */
const spSigningKeySchema = new Schema(
  {
    id: { type: String, required: true },
    certificate: { type: String, required: true },
    privateKeySealed: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { _id: false },
);

const metadataSourceSchema = new Schema(
  {
    /** The metadata URL (null: the metadata was uploaded). */
    url: { type: String, default: null },
    /** When the metadata last changed the connection, and when it was last read. */
    appliedAt: { type: Date, required: true },
    checkedAt: { type: Date, required: true },
    /** The last scheduled or on-demand refresh's refusal; null when it succeeded. */
    lastError: { type: new Schema({ code: { type: String, required: true }, message: { type: String, required: true } }, { _id: false }), default: null },
  },
  { _id: false },
);

export const samlConnectionSchema = new Schema(
  {
    tenantId: { type: Schema.Types.ObjectId, required: true, ref: 'Tenant' },
    name: { type: String, required: true },
    enabled: { type: Boolean, required: true, default: true },
    /** How many times the connection was changed (store/turns.ts: its writers take turns by it). */
    changeGeneration: { type: Number, required: true, default: 0 },
    /** Our own SP entity ID for this connection: the audience its assertions must name. */
    spEntityId: { type: String, required: true },
    idpEntityId: { type: String, required: true },
    ssoUrl: { type: String, required: true },
    /** How AuthnRequests reach the IdP's SSO URL: HTTP-Redirect, or HTTP-POST for an IdP whose metadata offers only that. */
    ssoBinding: { type: String, enum: SSO_BINDINGS, required: true, default: 'HTTP-Redirect' },
    /** Where the IdP values came from when set up from metadata: its URL (refreshed on demand and on a schedule) and the last fetch. */
    metadata: { type: metadataSourceSchema, default: null },
    /** The certificate (PEM body) the IdP signs its metadata with: when set, every metadata document applied must be signed with it. */
    metadataSigningCertificate: { type: String, default: null },
    /** PEM bodies (base64 DER, no headers) of every accepted IdP signing certificate. */
    certificates: { type: [String], required: true },
    attributeMapping: {
      email: { type: String, required: true },
      name: { type: String, required: true },
      groups: { type: String, required: true },
      /** App attribute name → IdP attribute name, synced into the account's `attributes`. */
      custom: { type: Schema.Types.Mixed, default: {} },
    },
    allowIdpInitiated: { type: Boolean, required: true, default: false },
    /** Which signatures a response must carry (domain/samlSignatures.ts); `either` = one valid signature covering the assertion. */
    signatures: { type: String, enum: SIGNATURE_POLICIES, required: true, default: DEFAULT_SIGNATURE_POLICY },
    /** Accept SHA-1 signatures and digests (domain/samlAlgorithms.ts): off unless an admin turns it on for a legacy IdP. */
    allowSha1: { type: Boolean, required: true, default: false },
    /** A persistent attribute to use as the subject instead of the NameID (domain/samlSubject.ts); null = the NameID. */
    subjectAttribute: { type: String, default: null },
    /** Sign AuthnRequests (HTTP-Redirect) with the connection's SP key; Keycloak requires it by default. */
    signAuthnRequests: { type: Boolean, required: true, default: true },
    /** The connection's SP signing keys, newest first: the first signs, all are published in the metadata (rotation overlap). */
    spSigningKeys: { type: [spSigningKeySchema], default: [] },
    ...connectionPolicyFields(),
  },
  { timestamps: true, collection: 'saml_connections' },
);
samlConnectionSchema.index({ spEntityId: 1 }, { unique: true });
samlConnectionSchema.index({ tenantId: 1, createdAt: 1 });

export type SamlConnectionDoc = InferSchemaType<typeof samlConnectionSchema> & { _id: Types.ObjectId };
export const samlConnectionModel = (conn: Connection) => conn.model('SamlConnection', samlConnectionSchema);
