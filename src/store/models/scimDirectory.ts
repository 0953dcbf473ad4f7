import { Schema, Types, type Connection, type InferSchemaType } from 'mongoose';

export const DIRECTORY_PROVIDERS = ['entra', 'okta', 'google', 'onelogin', 'jumpcloud', 'generic'] as const;

/** One bearer token of a directory: only its SHA-256 digest is kept; `expiresAt` ends it (rotation overlap, revocation). */
const directoryTokenSchema = new Schema(
  {
    id: { type: String, required: true },
    digest: { type: String, required: true },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, default: null },
  },
  { _id: false },
);

/**
 * A tenant's SCIM directory: the customer's IdP pushes users and
 * groups to `/scim/v2/<_id>` with one of its bearer tokens.
 */
export const scimDirectorySchema = new Schema(
  {
    tenantId: { type: Schema.Types.ObjectId, required: true },
    name: { type: String, required: true },
    provider: { type: String, enum: DIRECTORY_PROVIDERS, required: true },
    enabled: { type: Boolean, required: true, default: true },
    tokens: { type: [directoryTokenSchema], default: [] },
    /** How many times the directory was changed (db/turns.ts: its writers take turns by it). */
    changeGeneration: { type: Number, required: true, default: 0 },
  },
  { timestamps: true, collection: 'scim_directories' },
);
scimDirectorySchema.index({ tenantId: 1, createdAt: 1 });

export type ScimDirectoryDoc = InferSchemaType<typeof scimDirectorySchema> & { _id: Types.ObjectId };
export const scimDirectoryModel = (conn: Connection) => conn.model('ScimDirectory', scimDirectorySchema);
