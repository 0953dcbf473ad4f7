import { Schema, type Connection, type InferSchemaType } from 'mongoose';
import { runRefSchema } from './runRef';

export const MEMBERSHIP_STATUSES = ['active', 'suspended'] as const;

/** `_id` of a membership: one per (tenant, user), found by `_id` on the sign-in path. */
export const membershipKey = (tenantId: string, userId: string): string => `${tenantId}:${userId}`;

/**
 * One grant of a group or role to a member, from one source. Kept in the
 * membership (a map keyed by db/grants.ts `grantKey`), so a sign-in reads all
 * of a member's grants with the membership's `_id` lookup and each grant or
 * revoke is one atomic update of that document.
 */
export const grantSchema = new Schema(
  {
    kind: { type: String, enum: ['group', 'role'], required: true },
    value: { type: String, required: true },
    source: { type: String, required: true },
    grantedAt: { type: Date, required: true },
    /** Who granted it: the admin, or the connection whose sign-in did. */
    grantedBy: { type: String, default: null },
    /** The run that wrote it, so a retried grant recognizes its own write. */
    run: { type: runRefSchema, default: null },
  },
  { _id: false },
);

export const membershipSchema = new Schema(
  {
    _id: { type: String, required: true },
    tenantId: { type: Schema.Types.ObjectId, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    /** Roles held directly (default roles at JIT, set by an admin); groups and grants add more (domain/groups.ts). */
    roles: { type: [String], required: true },
    grants: { type: Map, of: grantSchema, default: {} },
    status: { type: String, enum: MEMBERSHIP_STATUSES, required: true },
    createdBy: { type: runRefSchema, default: null },
  },
  { timestamps: true, collection: 'memberships' },
);
membershipSchema.index({ tenantId: 1, userId: 1 }, { unique: true });
membershipSchema.index({ tenantId: 1 });
membershipSchema.index({ userId: 1 });

export type MembershipDoc = InferSchemaType<typeof membershipSchema>;
export const membershipModel = (conn: Connection) => conn.model('Membership', membershipSchema);
