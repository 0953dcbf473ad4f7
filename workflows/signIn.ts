import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { IdentityClaim } from '../src/domain/claim';
import { FAILED_MESSAGE, type ApprovalVerdict, type SignInDecision } from '../src/domain/decision';
import type { ProvisioningActivities } from '../activities/provisioning';
import { SA_DECISIONS, SA_OUTCOME, SA_USER } from '../src/runs/searchAttributes';
import { runSignIn, type SignInActivities } from './signInFlow';
import { refusedStep, retry } from './steps';

export interface SignInInput {
  claim: IdentityClaim;
}

import { approvalSignal, approvalUpdate, decisionUpdate, stateQuery } from './definitions';

export { approvalSignal, approvalUpdate, decisionUpdate, stateQuery };

/**
 * The steps the login waits for are short MongoDB writes: run them as local
 * activities (executed by the worker that runs the workflow, recorded as
 * markers), which saves a server round trip per step — measured in
 * docs/performance.md. They stay idempotent and retried; a crash replays them.
 */
const decisionSteps = proxyLocalActivities<SignInActivities>({
  startToCloseTimeout: '10 seconds',
  scheduleToCloseTimeout: '5 minutes',
  localRetryThreshold: '10 seconds',
  retry,
});

/** The durable tail (after the login has its answer) uses regular activities. */
const tailSteps = proxyActivities<SignInActivities>({
  startToCloseTimeout: '10 seconds',
  scheduleToCloseTimeout: '5 minutes',
  retry,
});

/** The audit of a failed run (a regular activity, after the answer). */
const failureSteps = proxyActivities<Pick<ProvisioningActivities, 'recordFailure'>>({
  startToCloseTimeout: '10 seconds',
  scheduleToCloseTimeout: '5 minutes',
  retry,
});

const activities: SignInActivities = {
  loadProvisioningState: decisionSteps.loadProvisioningState,
  ensureUser: decisionSteps.ensureUser,
  linkIdentity: decisionSteps.linkIdentity,
  ensureMembership: decisionSteps.ensureMembership,
  openApprovalRequest: decisionSteps.openApprovalRequest,
  closeApprovalRequest: tailSteps.closeApprovalRequest,
  updateUserAttribute: decisionSteps.updateUserAttribute,
  openConflict: decisionSteps.openConflict,
  recordDenial: decisionSteps.recordDenial,
  recordSignIn: tailSteps.recordSignIn,
  revokeGroupGrant: decisionSteps.revokeGroupGrant,
  // Grants are short writes too, and a person can have hundreds: as local activities they cost no server round trip each.
  applyGroupGrant: decisionSteps.applyGroupGrant,
  recordGrantRefusals: tailSteps.recordGrantRefusals,
};

/** Patch ID: approval signals became operator overrides (no roles, `signal:` actor). */
const OPERATOR_SIGNAL_PATCH = 'approval-signal-is-operator-override';

/** What an approval signal may decide: approve or reject, as an operator, with the tenant's default roles. */
function operatorVerdict(v: ApprovalVerdict): ApprovalVerdict {
  const by = typeof v?.by === 'string' && v.by ? v.by.slice(0, 100) : 'operator';
  return { approve: v?.approve === true, by: `signal:${by}`, reason: typeof v?.reason === 'string' ? v.reason.slice(0, 500) : null, roles: null };
}

/**
 * One run per sign-in: load state, plan purely, carry out each action as an
 * idempotent activity (each writes its own audit event), answer the login
 * through the `decision` update, then finish the durable tail.
 */
export async function signInWorkflow({ claim }: SignInInput): Promise<SignInDecision> {
  const info = workflowInfo();
  let phase = 'loading';
  let decision: SignInDecision | null = null;
  let verdict: ApprovalVerdict | null = null;
  const decisions: string[] = [];
  const waiting = () => phase === 'awaiting-approval' && verdict === null;
  setHandler(approvalSignal, (v) => {
    if (!waiting()) return; // the first verdict counts
    // A signal comes from whoever may signal the namespace (ops, `temporal workflow signal`), not through the API's
    // tenant-role checks: it is an operator's override, recorded as such, and it cannot choose roles (the tenant's
    // defaults apply). Runs parked before this rule took the signal as sent.
    verdict = patched(OPERATOR_SIGNAL_PATCH) ? operatorVerdict(v) : v;
  });
  setHandler(
    approvalUpdate,
    (v): { status: 'approved' | 'rejected' } => {
      verdict = v;
      return { status: v.approve ? 'approved' : 'rejected' };
    },
    {
      validator: (_v: ApprovalVerdict) => {
        if (verdict !== null) throw new Error('this sign-in was already decided');
        if (phase !== 'awaiting-approval') throw new Error('this sign-in is not waiting for approval');
      },
    },
  );

  setHandler(decisionUpdate, async () => {
    await condition(() => decision !== null);
    return decision as SignInDecision;
  });
  setHandler(stateQuery, () => ({ phase, decision, decided: verdict !== null }));

  const run = { workflowId: info.workflowId, runId: info.runId };
  const signIn = runSignIn(claim, run, activities, {
    progress: {
      phase: (p) => {
        phase = p;
      },
      note: (d) => {
        decisions.push(d.slice(0, 200));
        upsertSearchAttributes([{ key: SA_DECISIONS, value: [...decisions] }]);
      },
      outcome: (outcome, userId) => upsertSearchAttributes([{ key: SA_OUTCOME, value: outcome }, ...(userId ? [{ key: SA_USER, value: userId }] : [])]),
      decided: (d) => {
        decision = d;
      },
    },
    waits: {
      // Local activities keep a workflow task open, and the update's answer leaves with the task:
      // a 1 ms timer ends the task, so the login is answered before a long local fan-out starts.
      answer: () => sleep(1),
      approval: async (seconds) => ((await condition(() => verdict !== null, seconds * 1000)) ? verdict : null),
      deadline: (seconds) => new Date(Date.now() + seconds * 1000).toISOString(),
    },
  });

  let result: SignInDecision;
  try {
    result = await signIn;
  } catch (err) {
    // A step refused for good (the database refused a document, an invalid ID): answer at once with a reason
    // code, audit it once, then fail the run so ops find it among failed runs — never retry it until the login gives up.
    const refusal = refusedStep(err);
    if (!refusal) throw err;
    const { step, message } = refusal;
    phase = 'failed';
    decision = decision ?? { status: 'failed', reason: 'provisioning_failed', message: FAILED_MESSAGE, reference: info.workflowId };
    upsertSearchAttributes([
      { key: SA_OUTCOME, value: 'Failed' },
      { key: SA_DECISIONS, value: [...decisions, `failed:provisioning_failed:${step}`.slice(0, 200)] },
    ]);
    await failureSteps.recordFailure({ run, claim, step, error: message });
    await condition(allHandlersFinished);
    throw ApplicationFailure.create({
      message: `sign-in failed: ${step} was refused: ${message}`,
      type: 'ProvisioningFailed',
      nonRetryable: true,
      cause: err as Error,
    });
  }

  await condition(allHandlersFinished);
  return result;
}
