import { Schema, type Connection, type InferSchemaType } from 'mongoose';
import { runRefSchema } from './runRef';

export const MEMBERSHIP_STATUSES = ['active', 'suspended'] as const;

/** `_id` of a membership: one per (tenant, user), found by `_id` on the sign-in path. */
export const membershipKey = (tenantId: string, userId: string): string => `${tenantId}:${userId}`;

export const membershipSchema = new Schema(
  {
    _id: { type: String, required: true },
    tenantId: { type: Schema.Types.ObjectId, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    /** Roles held directly (default roles at JIT, set by an admin); groups and grants add more (domain/groups.ts). */
    roles: { type: [String], required: true },
    /** Set (never unset) before the first grant is written: a sign-in reads `grants` only when true (db/grants.ts). */
    hasGrants: { type: Boolean, default: false },
    status: { type: String, enum: MEMBERSHIP_STATUSES, required: true },
    /** Who suspended it (`directory:<id>`…): a directory restores only what it suspended. */
    suspendedBy: { type: String, default: null },
    /** The run that last changed `status`: its retry recognizes the change as its own. */
    statusChangedBy: { type: runRefSchema, default: null },
    createdBy: { type: runRefSchema, default: null },
  },
  { timestamps: true, collection: 'memberships' },
);
membershipSchema.index({ tenantId: 1, userId: 1 }, { unique: true });
membershipSchema.index({ tenantId: 1 });
membershipSchema.index({ userId: 1 });

export type MembershipDoc = InferSchemaType<typeof membershipSchema>;
export const membershipModel = (conn: Connection) => conn.model('Membership', membershipSchema);
