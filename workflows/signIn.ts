import {
  allHandlersFinished,
  condition,
  defineQuery,
  defineUpdate,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { ProvisioningActivities } from '../activities/provisioning';
import type { IdentityClaim } from '../src/domain/claim';
import { DENIAL_REASONS, type DenialReason, type SignInDecision, type SignInOutcome } from '../src/domain/decision';
import { planProvisioning, type ProvisioningPlan } from '../src/domain/planner';
import { SA_OUTCOME, SA_USER } from '../src/temporal/searchAttributes';

export interface SignInInput {
  claim: IdentityClaim;
}

/** The login request's Update-with-Start: answers as soon as the decision is known. */
export const decisionUpdate = defineUpdate<SignInDecision>('decision');
export const stateQuery = defineQuery<{ phase: string; decision: SignInDecision | null }>('state');

const {
  loadProvisioningState,
  ensureUser,
  linkIdentity,
  ensureMembership,
  recordSignIn,
  recordDenial,
} = proxyActivities<ProvisioningActivities>({
  startToCloseTimeout: '10 seconds',
  scheduleToCloseTimeout: '5 minutes',
  retry: {
    initialInterval: '200 milliseconds',
    backoffCoefficient: 2,
    maximumInterval: '10 seconds',
    maximumAttempts: 20,
    nonRetryableErrorTypes: ['InvalidId', 'InvalidEmail'],
  },
});

/** A concurrent writer (another identity, another run) changed the world between plan and act. */
class StalePlan extends Error {}

const MAX_PLANS = 3;

/**
 * One run per sign-in: load state, plan purely, carry out each action as an
 * idempotent activity (each writes its own audit event), answer the login.
 */
export async function signInWorkflow({ claim }: SignInInput): Promise<SignInDecision> {
  const info = workflowInfo();
  const run = { workflowId: info.workflowId, runId: info.runId };
  let phase = 'loading';
  let decision: SignInDecision | null = null;

  setHandler(decisionUpdate, async () => {
    await condition(() => decision !== null);
    return decision as SignInDecision;
  });
  setHandler(stateQuery, () => ({ phase, decision }));

  const setOutcome = (outcome: SignInOutcome, userId?: string) => {
    upsertSearchAttributes([
      { key: SA_OUTCOME, value: outcome },
      ...(userId ? [{ key: SA_USER, value: userId }] : []),
    ]);
  };

  const deny = async (reason: DenialReason): Promise<SignInDecision> => {
    phase = 'denied';
    await recordDenial({ run, claim, reason });
    setOutcome('Denied');
    return { status: 'denied', reason, message: DENIAL_REASONS[reason] };
  };

  for (let attempt = 1; decision === null; attempt++) {
    phase = 'planning';
    const state = await loadProvisioningState(claim);
    const plan = planProvisioning(state, claim);
    try {
      decision = plan.kind === 'deny' ? await deny(plan.reason) : await execute(plan);
    } catch (err) {
      if (!(err instanceof StalePlan)) throw err;
      if (attempt >= MAX_PLANS) decision = await deny('identity_conflict');
    }
  }

  // The login already has its answer; the rest of the run is its durable tail.
  if (decision.status === 'active') {
    phase = 'recording';
    await recordSignIn({ run, claim, userId: decision.userId, newUser: decision.newUser });
    setOutcome(decision.newUser ? 'Provisioned' : 'SignedIn', decision.userId);
  }
  phase = 'done';

  async function execute(plan: Extract<ProvisioningPlan, { kind: 'provision' }>): Promise<SignInDecision> {
    phase = 'provisioning';
    let userId = plan.userId;
    let newUser = false;
    let membership = plan.membership ? { membershipId: plan.membership.id, roles: plan.membership.roles, status: 'active' } : null;
    for (const action of plan.actions) {
      switch (action.kind) {
        case 'createUser': {
          const res = await ensureUser({ run, tenantId: claim.tenantId, email: action.email, name: action.name });
          if (!res.createdByThisRun) throw new StalePlan();
          userId = res.userId;
          newUser = true;
          break;
        }
        case 'linkIdentity': {
          if (!userId) throw new StalePlan();
          const res = await linkIdentity({
            run,
            tenantId: claim.tenantId,
            connectionId: claim.connectionId,
            subject: claim.subject,
            userId,
            protocol: 'saml',
          });
          if (res.userId !== userId) throw new StalePlan();
          break;
        }
        case 'createMembership': {
          if (!userId) throw new StalePlan();
          membership = await ensureMembership({ run, tenantId: claim.tenantId, userId, roles: action.roles });
          break;
        }
      }
    }
    if (!userId || !membership) throw new StalePlan();
    if (membership.status !== 'active') return deny('membership_suspended');
    return {
      status: 'active',
      userId,
      tenantId: claim.tenantId,
      membershipId: membership.membershipId,
      roles: membership.roles,
      newUser,
    };
  }

  await condition(allHandlersFinished);
  return decision;
}
