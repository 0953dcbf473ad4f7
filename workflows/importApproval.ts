import { allHandlersFinished, condition, proxyLocalActivities, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { approvalsActivities } from '../activities/approvals';
import { plan, type MemberRequest } from '../src/domain/plan';
import type { ApprovalVerdict } from '../src/domain/decision';
import type { ProvisioningActor } from '../src/domain/provisioningContext';
import { SA_OUTCOME, SA_USER } from '../src/runs/searchAttributes';
import { approvalUpdate } from './definitions';
import { provisionMember, type MemberProvisioningActivities, type MemberResult } from './memberProvisioningFlow';
import { retry } from './steps';

type ApprovalSteps = Pick<ReturnType<typeof approvalsActivities>, 'openApprovalRequest' | 'closeApprovalRequest'>;

// Local activities, as API creation's: a few keyed reads and writes each, no task round trips through the server
// (an import with hundreds of pending rows opens hundreds of these runs beside its own).
const acts = proxyLocalActivities<MemberProvisioningActivities & ApprovalSteps>({
  startToCloseTimeout: '10 seconds',
  scheduleToCloseTimeout: '2 minutes',
  localRetryThreshold: '10 seconds',
  retry,
});

export interface ImportApprovalInput {
  importId: string;
  tenantId: string;
  actor: ProvisioningActor;
  /** The row's number in the file. */
  n: number;
  request: MemberRequest;
  /** Why the link waits (the link decision's reason, e.g. `policy_approval`). */
  reason: string;
  expirySeconds: number;
}

/** One per import row: `import-approval-<importId>-<row>`, so a resumed import never asks twice. */
export const importApprovalWorkflowId = (importId: string, n: number): string => `import-approval-${importId}-${n}`;

/**
 * An import row the tenant's link policy sent to approval: an approval
 * request listed with the others (GET …/approvals, the console), decided
 * with the same update as a parked sign-in (approving twice is a 409).
 * Approved: the row is provisioned through the same core, its link made;
 * rejected or expired: nothing but the request's outcome is written. If the
 * world changed meanwhile (the person became a member), the row is planned
 * again as the import would now.
 */
export async function importApprovalWorkflow(input: ImportApprovalInput): Promise<MemberResult> {
  const { workflowId, runId } = workflowInfo();
  const run = { workflowId, runId };
  let waiting = false;
  let verdict: ApprovalVerdict | null = null;
  setHandler(
    approvalUpdate,
    (v): { status: 'approved' | 'rejected' } => {
      verdict = v;
      return { status: v.approve ? 'approved' : 'rejected' };
    },
    {
      validator: (_v: ApprovalVerdict) => {
        if (verdict !== null) throw new Error('this import row was already decided');
        if (!waiting) throw new Error('this import row is not waiting for approval');
      },
    },
  );
  const scope = { run, tenantId: input.tenantId, source: 'import' as const, actor: input.actor };
  const { request } = input;
  const state = await acts.loadAdminState({ run, tenantId: input.tenantId, email: request.email, groups: request.groups });
  // What the row would be once approved: still a link to make (else the world changed and the row is planned anew).
  const approved = plan(state, { kind: 'importRow', request, linkApproved: true });
  if (approved.outcome !== 'linked') return provisionMember(request, scope, 'import', acts);

  const { requestId } = await acts.openApprovalRequest({
    run,
    source: 'import',
    actor: input.actor,
    claim: {
      tenantId: input.tenantId,
      connectionId: `import:${input.importId}`,
      subject: `row ${input.n}`,
      email: request.email,
      emailVerified: false,
      name: request.name,
      groups: request.groups,
      attributes: [],
    },
    userId: approved.userId,
    kind: 'link',
    reasons: [input.reason],
    planned: { via: 'link', newAccount: false, roles: approved.roles, grants: approved.groups.map((g) => `group:${g}`), revokes: [] },
    expiresAt: new Date(Date.now() + input.expirySeconds * 1000).toISOString(),
  });
  upsertSearchAttributes([{ key: SA_OUTCOME, value: 'AwaitingApproval' }]);
  waiting = true;
  const decided = await condition(() => verdict !== null, input.expirySeconds * 1000);
  waiting = false;
  const given = decided ? (verdict as ApprovalVerdict | null) : null;
  const status = given === null ? 'expired' : given.approve ? 'approved' : 'rejected';
  let result: MemberResult = { outcome: 'skipped', reason: `approval_${status}`, detail: null, userId: null };
  if (given?.approve) {
    // The admin may set the new membership's roles instead of the row's.
    result = await provisionMember({ ...request, roles: given.roles ?? request.roles }, scope, 'import', acts, { linkApproved: true });
  }
  await acts.closeApprovalRequest({ run, tenantId: input.tenantId, requestId, status, by: given?.by ?? null, reason: given?.reason ?? null });
  upsertSearchAttributes([{ key: SA_OUTCOME, value: result.outcome }, ...(result.userId ? [{ key: SA_USER, value: result.userId }] : [])]);
  await condition(allHandlersFinished);
  return result;
}
