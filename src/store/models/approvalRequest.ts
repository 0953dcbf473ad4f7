import { Schema, type Connection, type InferSchemaType } from 'mongoose';

export const APPROVAL_STATUSES = ['pending', 'deciding', 'approved', 'rejected', 'expired'] as const;

/**
 * A sign-in parked until an admin decides (one per run: `_id` = workflow ID +
 * run ID, so repeated sign-ins that attach to the run share it).
 */
export const approvalRequestSchema = new Schema(
  {
    _id: { type: String, required: true },
    tenantId: { type: Schema.Types.ObjectId, required: true },
    workflowId: { type: String, required: true },
    runId: { type: String, required: true },
    /** What waits: a link to an existing account, a new member, or a privileged grant to a member. */
    kind: { type: String, enum: ['link', 'new-member', 'privileged-grant'], required: true },
    /** Why approval is needed: the link decision's reason and/or the approval policy's triggers, comma-separated. */
    reason: { type: String, required: true },
    reasons: { type: [String], default: [] },
    /** What approving would do (activities/provisioning.ts PlannedAccess). */
    planned: { type: Schema.Types.Mixed, default: null },
    claim: { type: Schema.Types.Mixed, required: true },
    /** The existing account the identity would be linked to. */
    userId: { type: Schema.Types.ObjectId, default: null },
    status: { type: String, enum: APPROVAL_STATUSES, required: true },
    decidedBy: { type: String, default: null },
    decisionReason: { type: String, default: null },
    expiresAt: { type: Date, required: true },
  },
  { timestamps: true, collection: 'approval_requests' },
);
approvalRequestSchema.index({ tenantId: 1, status: 1 });
// The pending-approvals gauge (a bounded count across tenants).
approvalRequestSchema.index({ status: 1 });

export type ApprovalRequestDoc = InferSchemaType<typeof approvalRequestSchema>;
export const approvalRequestModel = (conn: Connection) => conn.model('ApprovalRequest', approvalRequestSchema);
