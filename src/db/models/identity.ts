import { Schema, Types, type Connection, type InferSchemaType } from 'mongoose';
import { runRefSchema } from './runRef';

/** An IdP identity (connection + subject) linked to one account. */
export const identitySchema = new Schema(
  {
    connectionId: { type: Schema.Types.ObjectId, required: true },
    subject: { type: String, required: true },
    tenantId: { type: Schema.Types.ObjectId, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    protocol: { type: String, enum: ['saml', 'oidc', 'email'], required: true },
    createdBy: { type: runRefSchema, default: null },
  },
  { timestamps: true, collection: 'identities' },
);
identitySchema.index({ connectionId: 1, subject: 1 }, { unique: true });
identitySchema.index({ userId: 1 });

export type IdentityDoc = InferSchemaType<typeof identitySchema> & { _id: Types.ObjectId };
export const identityModel = (conn: Connection) => conn.model('Identity', identitySchema);
