import { ApplicationFailure, proxyLocalActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { IdentityClaim } from '../src/domain/claim';
import { SA_OUTCOME, SA_USER } from '../src/runs/searchAttributes';
import { runAcceptance, type AcceptanceResult, type InvitationAcceptanceActivities } from './invitationAcceptanceFlow';
import { retry, writeFailure } from './steps';

const steps = proxyLocalActivities<InvitationAcceptanceActivities>({
  startToCloseTimeout: '10 seconds',
  scheduleToCloseTimeout: '2 minutes',
  localRetryThreshold: '10 seconds',
  retry,
});

/** The failure type of a refused acceptance: the run fails, so a later attempt (the right person) may start a new one. */
export const INVITATION_REFUSED = 'InvitationRefused';

/**
 * One invitation's acceptance (workflow ID `invitation-<id>`): two tabs, a
 * double click or a retry attach to the same run — one membership. A
 * completed run is the invitation's only acceptance (its ID is not reused);
 * a refused one fails, leaving the invitation to its rightful invitee.
 */
export async function invitationAcceptanceWorkflow(input: { invitationId: string; claim: IdentityClaim }): Promise<Extract<AcceptanceResult, { ok: true }>> {
  const { workflowId, runId } = workflowInfo();
  let result: AcceptanceResult;
  try {
    result = await runAcceptance(input.invitationId, input.claim, { workflowId, runId }, Date.now(), steps);
  } catch (err) {
    upsertSearchAttributes([{ key: SA_OUTCOME, value: 'Failed' }]);
    throw writeFailure(err);
  }
  if (!result.ok) {
    upsertSearchAttributes([{ key: SA_OUTCOME, value: 'Refused' }]);
    // Whose attempt it was: someone else attached to this run (another tab) tries again on a run of their own.
    throw ApplicationFailure.create({
      message: result.reason,
      type: INVITATION_REFUSED,
      nonRetryable: true,
      details: [result.reason, input.claim.connectionId, input.claim.subject],
    });
  }
  upsertSearchAttributes([
    { key: SA_OUTCOME, value: result.outcome },
    { key: SA_USER, value: result.userId },
  ]);
  return result;
}
