/**
 * What an admin's member request (the API's creation, an import row)
 * answers, decided from its plan: the same words for the run that writes it,
 * the batch that writes many, and the dry run that writes nothing.
 */
import { ROW_OUTCOMES, type AdminPlan, type AdminProvisioningState, type MemberRequest, type RowOutcome } from './adminProvisioning';
import { plan, type AdminCreateIntent, type ImportRowIntent } from './plan';
import type { ProvisioningContext } from './provisioningContext';

export interface MemberResult {
  outcome: RowOutcome;
  /** Why a row was not provisioned (the plan's refusal), or null. */
  reason: string | null;
  detail: string | null;
  userId: string | null;
}

/** What a plan that writes nothing answers. */
export function unwritten(plan: Exclude<AdminPlan, { outcome: 'created' | 'linked' }>): MemberResult {
  if (plan.outcome === 'unchanged') return { outcome: 'unchanged', reason: null, detail: null, userId: plan.userId };
  return { outcome: plan.outcome, reason: plan.reason, detail: plan.detail ?? null, userId: null };
}

/** The intent of one member an admin adds: an import's row, or the admin API's creation. */
export const memberIntent = (request: MemberRequest, scope: ProvisioningContext, linkApproved?: boolean): AdminCreateIntent | ImportRowIntent =>
  scope.source === 'import' ? { kind: 'importRow', request, ...(linkApproved === undefined ? {} : { linkApproved }) } : { kind: 'adminCreate', request };

/** Plan only: what provisioning the member would answer against `world`, writing nothing (an import's dry run). */
export function predictMember(world: AdminProvisioningState, request: MemberRequest, scope: ProvisioningContext): MemberResult {
  const planned = plan(world, memberIntent(request, scope));
  return planned.outcome === 'created' || planned.outcome === 'linked'
    ? { outcome: planned.outcome, reason: null, detail: null, userId: planned.outcome === 'linked' ? planned.userId : null }
    : unwritten(planned);
}

/** How many rows of an import ended each way. */
export type OutcomeCounts = Record<RowOutcome, number>;

export const zeroCounts = (): OutcomeCounts => Object.fromEntries(ROW_OUTCOMES.map((o) => [o, 0])) as OutcomeCounts;

export function countOutcomes(results: readonly { outcome: string }[]): OutcomeCounts {
  const counts = zeroCounts();
  for (const r of results) if ((ROW_OUTCOMES as readonly string[]).includes(r.outcome)) counts[r.outcome as RowOutcome]++;
  return counts;
}
