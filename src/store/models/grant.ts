import { Schema, type Connection, type InferSchemaType } from 'mongoose';
import { runRefSchema } from './runRef';

/**
 * One grant of a group or role to a member, from one source, as its own
 * document: granting is an insert on a unique `_id` and revoking a delete,
 * so concurrent grants never lose one another — FerretDB v1 (SQLite) does
 * not apply updates of one document atomically, inserts on `_id` it does.
 */
export const grantSchema = new Schema(
  {
    /** `<membershipId>:<hash of kind, source, value>` (db/grants.ts). */
    _id: { type: String, required: true },
    membershipId: { type: String, required: true },
    tenantId: { type: Schema.Types.ObjectId, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    kind: { type: String, enum: ['group', 'role'], required: true },
    value: { type: String, required: true },
    /** `idp:<connectionId>`, `admin` or `directory`. */
    source: { type: String, required: true },
    /** Who granted it: the admin, or the connection whose sign-in did. */
    grantedBy: { type: String, default: null },
    /** The run that wrote it, so a retried grant recognizes its own write. */
    createdBy: { type: runRefSchema, default: null },
  },
  { timestamps: true, collection: 'grants' },
);
grantSchema.index({ membershipId: 1 });
grantSchema.index({ tenantId: 1, kind: 1, value: 1 });
grantSchema.index({ userId: 1 });

export type GrantDoc = InferSchemaType<typeof grantSchema>;
export const grantModel = (conn: Connection) => conn.model('Grant', grantSchema);
