import { Schema, Types, type Connection, type InferSchemaType } from 'mongoose';
import { runRefSchema } from './runRef';

export const MEMBERSHIP_STATUSES = ['active', 'suspended'] as const;

export const membershipSchema = new Schema(
  {
    tenantId: { type: Schema.Types.ObjectId, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    roles: { type: [String], required: true },
    status: { type: String, enum: MEMBERSHIP_STATUSES, required: true },
    createdBy: { type: runRefSchema, default: null },
  },
  { timestamps: true, collection: 'memberships' },
);
membershipSchema.index({ tenantId: 1, userId: 1 }, { unique: true });
membershipSchema.index({ userId: 1 });

export type MembershipDoc = InferSchemaType<typeof membershipSchema> & { _id: Types.ObjectId };
export const membershipModel = (conn: Connection) => conn.model('Membership', membershipSchema);
