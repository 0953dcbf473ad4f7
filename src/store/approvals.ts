import type { Types } from 'mongoose';
import type { DocId } from './docId';
import { keyedCollection } from './keyed';
import type { Models } from './models';
import type { ApprovalRequestDoc } from './models/approvalRequest';

/** Parked sign-ins awaiting an admin's decision. */
export function createApprovalStore(models: Models) {
  return {
    /** Up to `limit + 1` of the tenant's pending requests after `after`, in `_id` order, optionally of one kind or claimed email (the caller pages). */
    pendingAfter: (tenantId: Types.ObjectId, filter: { kind?: string | undefined; email?: string | undefined }, after: DocId | null, limit: number) =>
      models.approvalRequests
        .find({
          tenantId,
          status: 'pending',
          ...(filter.kind ? { kind: filter.kind } : {}),
          ...(filter.email ? { 'claim.email': filter.email } : {}),
          ...(after ? { _id: { $gt: after } } : {}),
        })
        .sort({ _id: 1 })
        .limit(limit + 1)
        .lean(),
    /** The tenant's request with this ID, or null. */
    ofTenant: (tenantId: Types.ObjectId, id: string) => models.approvalRequests.findOne({ _id: id, tenantId }).lean(),
    /** The request with this ID, or null. */
    byId: (id: string) => models.approvalRequests.findById(id).lean(),
    /** Requests opened once under their key, the run's (activities' insert-once). */
    keyed: keyedCollection<ApprovalRequestDoc>(models.approvalRequests),
    /** Set the request's outcome, who decided and why; answers the request as it was before, or null. */
    decide: (id: string, decision: { status: string; decidedBy: string | null; decisionReason: string | null }) =>
      models.approvalRequests.findOneAndUpdate({ _id: id }, { $set: decision }).lean(),
  };
}
