import { Schema, Types, type Connection, type InferSchemaType } from 'mongoose';

export const samlConnectionSchema = new Schema(
  {
    tenantId: { type: Schema.Types.ObjectId, required: true, ref: 'Tenant' },
    name: { type: String, required: true },
    enabled: { type: Boolean, required: true, default: true },
    /** Our own SP entity ID for this connection: the audience its assertions must name. */
    spEntityId: { type: String, required: true },
    idpEntityId: { type: String, required: true },
    ssoUrl: { type: String, required: true },
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
    /** Overrides the tenant's link policy for this connection; null = the tenant's. */
    linkPolicy: { type: String, enum: ['auto', 'approval', 'deny', null], default: null },
    /** Email domains this connection may assert for linking; null = all of the tenant's verified domains. */
    allowedDomains: { type: [String], default: null },
    /** Whether later sign-ins keep the account's attributes in step with the IdP. */
    attributeSync: { type: String, enum: ['on-first-sign-in', 'every-sign-in'], required: true, default: 'on-first-sign-in' },
  },
  { timestamps: true, collection: 'saml_connections' },
);
samlConnectionSchema.index({ spEntityId: 1 }, { unique: true });
samlConnectionSchema.index({ tenantId: 1, createdAt: 1 });

export type SamlConnectionDoc = InferSchemaType<typeof samlConnectionSchema> & { _id: Types.ObjectId };
export const samlConnectionModel = (conn: Connection) => conn.model('SamlConnection', samlConnectionSchema);
