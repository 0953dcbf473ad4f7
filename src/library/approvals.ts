import type { Client } from '@temporalio/client';
import type { Types } from 'mongoose';
import type { Models } from '../db/models';
import { conflict, notFound } from '../errors';
import { approvalSignal } from '../../workflows/signIn';

/**
 * Parked sign-ins awaiting an admin. Deciding first reserves the request
 * (pending → deciding, atomically), so a second decision is a 409 and never a
 * second signal; then the verdict goes to the run, which carries it out.
 */
export function createApprovalLibrary(models: Models, client: Client) {
  return {
    async listPending(tenantId: Types.ObjectId) {
      const rows = await models.approvalRequests.find({ tenantId, status: 'pending' }).sort({ createdAt: 1 }).limit(500).lean();
      return rows.map((r) => {
        const claim = r.claim as { email?: string | null; subject?: string; connectionId?: string };
        return {
          id: r._id,
          kind: r.kind,
          reason: r.reason,
          email: claim.email ?? null,
          subject: claim.subject ?? '',
          connectionId: claim.connectionId ?? '',
          userId: r.userId ? String(r.userId) : null,
          requestedAt: r.createdAt ?? null,
          expiresAt: r.expiresAt,
        };
      });
    },

    async decide(tenantId: Types.ObjectId, requestId: string, approve: boolean, by: string, reason: string | null) {
      const reserved = await models.approvalRequests
        .findOneAndUpdate({ _id: requestId, tenantId, status: 'pending' }, { $set: { status: 'deciding' } }, { new: true })
        .lean();
      if (!reserved) {
        const existing = await models.approvalRequests.findOne({ _id: requestId, tenantId }).lean();
        if (!existing) throw notFound('approval request');
        throw conflict('approval_already_decided', `this request is already ${existing.status}`);
      }
      await client.workflow.getHandle(reserved.workflowId, reserved.runId).signal(approvalSignal, { approve, by, reason });
    },
  };
}
