import { Schema, type Connection, type InferSchemaType } from 'mongoose';
import { runRefSchema } from './runRef';

/** `_id` of an identity: lookups by `_id` are the fast path on FerretDB v1. */
export const identityKey = (connectionId: string, subject: string): string => `${connectionId}:${subject}`;

/** An IdP identity (connection + subject) linked to one account; `_id` = identityKey(connection, subject). */
export const identitySchema = new Schema(
  {
    _id: { type: String, required: true },
    connectionId: { type: Schema.Types.ObjectId, required: true },
    subject: { type: String, required: true },
    tenantId: { type: Schema.Types.ObjectId, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    protocol: { type: String, enum: ['saml', 'oidc', 'email', 'scim'], required: true },
    createdBy: { type: runRefSchema, default: null },
  },
  { timestamps: true, collection: 'identities' },
);
identitySchema.index({ userId: 1 });

export type IdentityDoc = InferSchemaType<typeof identitySchema>;
export const identityModel = (conn: Connection) => conn.model('Identity', identitySchema);
