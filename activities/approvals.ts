import type { IdentityClaim } from '../src/domain/claim';
import { actorOf } from '../src/domain/provisioningContext';
import { oid, type ActivitySupport, type RunScoped } from './support';

export type ApprovalKind = 'link' | 'new-member' | 'privileged-grant';
/** What an approved request would do, shown to the admin who decides. */
export interface PlannedAccess {
  via: 'jit' | 'link' | 'returning';
  newAccount: boolean;
  /** Roles of the new membership (null: the person is already a member). */
  roles: string[] | null;
  grants: string[];
  revokes: string[];
}

/** Approval requests: a parked sign-in waiting for an admin, and its outcome. Every activity is idempotent (see support.ts). */
export function approvalsActivities({ store, runAudit }: ActivitySupport) {
  return {
    /** Park the sign-in for an admin: one request per run (repeated sign-ins attach to the run). */
    async openApprovalRequest(
      input: RunScoped & {
        claim: IdentityClaim;
        userId: string | null;
        kind: ApprovalKind;
        reasons: string[];
        planned: PlannedAccess;
        expiresAt: string;
      },
    ): Promise<{ requestId: string }> {
      const _id = `${input.run.workflowId}:${input.run.runId}`;
      await store.approvals.keyed.insertIfAbsent(_id, {
        tenantId: oid(input.claim.tenantId),
        workflowId: input.run.workflowId,
        runId: input.run.runId,
        kind: input.kind,
        reason: input.reasons.join(','),
        reasons: input.reasons,
        planned: input.planned,
        claim: input.claim,
        userId: input.userId ? oid(input.userId) : null,
        status: 'pending',
        expiresAt: new Date(input.expiresAt),
      });
      await runAudit(input.run, 'approval.requested', {
        tenantId: input.claim.tenantId,
        actor: actorOf(input),
        action: 'approval.requested',
        target: { type: 'approval_request', id: _id },
        userId: input.userId,
        reason: input.reasons.join(','),
        after: input.planned,
        context: { email: input.claim.email, subject: input.claim.subject, connectionId: input.claim.connectionId, kind: input.kind },
      });
      return { requestId: _id };
    },

    /** Close the request with the outcome; who decided and why go to the audit log. */
    async closeApprovalRequest(
      input: RunScoped & { tenantId: string; requestId: string; status: 'approved' | 'rejected' | 'expired'; by: string | null; reason: string | null },
    ): Promise<void> {
      const before = await store.approvals.decide(input.requestId, { status: input.status, decidedBy: input.by, decisionReason: input.reason });
      await runAudit(input.run, `approval.${input.status}`, {
        tenantId: input.tenantId,
        actor: input.by ? { type: 'admin' as const, id: input.by } : { type: 'system' as const, id: null },
        action: `approval.${input.status}`,
        target: { type: 'approval_request', id: input.requestId },
        userId: before?.userId ? String(before.userId) : null,
        reason: input.reason,
        // A decision sent as a Temporal signal bypassed the API's tenant-role checks: an operator's override.
        context: { via: input.by?.startsWith('signal:') ? 'operator-signal' : input.by ? 'api' : 'expiry' },
      });
    },
  };
}
