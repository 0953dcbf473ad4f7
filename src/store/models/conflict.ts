import { Schema, type Connection, type InferSchemaType } from 'mongoose';
import { runRefSchema } from './runRef';

/** `_id` of the open conflict for one account, tenant and field: at most one at a time. */
export const conflictKey = (tenantId: string, userId: string, field: string): string => `${tenantId}:${userId}:${field}`;

/**
 * An open disagreement between the account and what an IdP asserts, awaiting
 * an admin (tenant conflict policy `review`). Resolving deletes it; the audit
 * log keeps its history.
 */
export const conflictSchema = new Schema(
  {
    _id: { type: String, required: true },
    tenantId: { type: Schema.Types.ObjectId, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    field: { type: String, required: true },
    local: { type: String, default: null },
    asserted: { type: String, required: true },
    connectionId: { type: Schema.Types.ObjectId, required: true },
    createdBy: { type: runRefSchema, default: null },
  },
  { timestamps: true, collection: 'conflicts' },
);
conflictSchema.index({ tenantId: 1 });
conflictSchema.index({ userId: 1 });

export type ConflictDoc = InferSchemaType<typeof conflictSchema>;
export const conflictModel = (conn: Connection) => conn.model('Conflict', conflictSchema);
