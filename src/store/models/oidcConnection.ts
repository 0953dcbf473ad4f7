import { Schema, Types, type Connection, type InferSchemaType } from 'mongoose';
import { connectionPolicyFields } from './samlConnection';

/** An OpenID Connect IdP of a tenant (authorization code + PKCE; http/oidc/). */
export const oidcConnectionSchema = new Schema(
  {
    tenantId: { type: Schema.Types.ObjectId, required: true, ref: 'Tenant' },
    name: { type: String, required: true },
    enabled: { type: Boolean, required: true, default: true },
    /** How many times the connection was changed (store/turns.ts: its writers take turns by it). */
    changeGeneration: { type: Number, required: true, default: 0 },
    /** The issuer identifier; discovery reads `<issuer>/.well-known/openid-configuration`. One connection per issuer and tenant. */
    issuer: { type: String, required: true },
    clientId: { type: String, required: true },
    /** The client secret, sealed with ONRAMP_ENCRYPTION_KEY (src/crypto/secretBox.ts); never returned. */
    clientSecretSealed: { type: String, required: true },
    scopes: { type: [String], required: true, default: ['openid', 'email', 'profile'] },
    /** Claim names for the normalized identity claim. */
    claimMapping: {
      email: { type: String, required: true, default: 'email' },
      emailVerified: { type: String, required: true, default: 'email_verified' },
      name: { type: String, required: true, default: 'name' },
      groups: { type: String, required: true, default: 'groups' },
    },
    ...connectionPolicyFields(),
  },
  { timestamps: true, collection: 'oidc_connections' },
);
oidcConnectionSchema.index({ tenantId: 1, issuer: 1 }, { unique: true });

export type OidcConnectionDoc = InferSchemaType<typeof oidcConnectionSchema> & { _id: Types.ObjectId };
export const oidcConnectionModel = (conn: Connection) => conn.model('OidcConnection', oidcConnectionSchema);

/** One OIDC login in flight: its state (the `_id`), nonce and PKCE verifier, used once. */
export const oidcStateSchema = new Schema(
  {
    _id: { type: String, required: true },
    connectionId: { type: String, required: true },
    nonce: { type: String, required: true },
    codeVerifier: { type: String, default: null },
    returnTo: { type: String, default: null },
    invite: { type: String, default: null },
    expiresAt: { type: Date, required: true },
  },
  { timestamps: true, collection: 'oidc_states' },
);
export const oidcStateModel = (conn: Connection) => conn.model('OidcState', oidcStateSchema);
