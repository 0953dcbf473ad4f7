import { Schema, type Connection, type InferSchemaType } from 'mongoose';
import { runRefSchema } from './runRef';

/** `_id` of a tenant's group: its name is unique in the tenant and found by `_id` (no scan on FerretDB v1). */
export const groupKey = (tenantId: string, name: string): string => `${tenantId}:${name}`;

/** A tenant's group; members hold it through grants on their membership (db/grants.ts). */
export const groupSchema = new Schema(
  {
    _id: { type: String, required: true },
    tenantId: { type: Schema.Types.ObjectId, required: true },
    name: { type: String, required: true },
    /** Tenant roles every member of the group holds. */
    roles: { type: [String], required: true, default: [] },
    /** How many times the group was changed (store/turns.ts: its writers take turns by it). */
    changeGeneration: { type: Number, required: true, default: 0 },
    /** `admin`, or `idp:<connectionId>` when a sign-in created it from an unmapped value. */
    createdFrom: { type: String, required: true },
    createdBy: { type: runRefSchema, default: null },
  },
  { timestamps: true, collection: 'groups' },
);
groupSchema.index({ tenantId: 1, name: 1 }, { unique: true });

export type GroupDoc = InferSchemaType<typeof groupSchema>;
export const groupModel = (conn: Connection) => conn.model('Group', groupSchema);
