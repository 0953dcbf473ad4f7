/**
 * The sign-in orchestration, written once. The workflow runs it with proxied
 * (durable) activities; the benchmark's inline baseline runs the very same
 * code with the activity functions called directly. Deterministic: no I/O,
 * no clock, no Node APIs — everything reaches the world through `acts`.
 */
import type { ProvisioningActivities } from '../activities/provisioning';
import { signInContext } from '../src/domain/provisioningContext';
import type { RunRef } from '../src/domain/runRef';
import type { IdentityClaim } from '../src/domain/claim';
import { refusalMessage } from '../src/domain/refusals';
import { PENDING_MESSAGES, type ApprovalVerdict, type DenialReason, type SignInDecision, type SignInOutcome } from '../src/domain/decision';
import { applyGroupActions, effectiveAccess, type GroupSyncAction } from '../src/domain/groups';
import { plan, type ProvisioningPlan, type ProvisioningState } from '../src/domain/plan';
import { carryOutAccountActions, StalePlan } from './accountActions';

export type SignInActivities = Pick<
  ProvisioningActivities,
  | 'loadProvisioningState'
  | 'ensureUser'
  | 'linkIdentity'
  | 'ensureMembership'
  | 'updateUserAttribute'
  | 'openConflict'
  | 'openApprovalRequest'
  | 'closeApprovalRequest'
  | 'recordSignIn'
  | 'recordDenial'
  | 'applyGroupGrant'
  | 'revokeGroupGrant'
  | 'recordGrantRefusals'
>;

/** What the flow reports as it goes (the workflow: its query, search attributes and the login's answer). */
export interface SignInProgress {
  phase(phase: string): void;
  /** Record one decision of the run (search attribute OnrampDecisions). */
  note(decision: string): void;
  outcome(outcome: SignInOutcome, userId?: string): void;
  /** The login's answer is known (before the durable tail). */
  decided(decision: SignInDecision): void;
}

/** What the flow waits for, and the clock it waits by (durable in the workflow). */
export interface SignInWaits {
  /** Deliver the decided answer before going on (the workflow ends its task; inline: nothing to do). */
  answer(): Promise<void>;
  /** Wait up to `seconds` for an admin's verdict on a parked sign-in; null when the request expired. */
  approval(seconds: number): Promise<ApprovalVerdict | null>;
  /** When a request parked now for `seconds` expires, as an ISO timestamp (deterministic in the workflow). */
  deadline(seconds: number): string;
}

/** What the host (workflow or inline baseline) provides the flow: an observer of its progress, and its waits. */
export interface SignInHooks {
  progress: SignInProgress;
  waits: SignInWaits;
}

const MAX_PLANS = 3;
/** Grants and revokes run in parallel, this many at a time. */
const GRANT_FAN_OUT = 20;

/** Run `step` for every item, `width` at a time (deterministic: fixed batches in order). */
async function inBatches<T>(items: readonly T[], width: number, step: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += width) await Promise.all(items.slice(i, i + width).map(step));
}

export async function runSignIn(claim: IdentityClaim, run: RunRef, acts: SignInActivities, { progress, waits }: SignInHooks): Promise<SignInDecision> {
  /** What every write of this run names (src/domain/provisioningContext.ts): run, tenant, source, actor — and the connection. */
  const scope = signInContext(claim, run);
  const deny = async (reason: DenialReason, detail?: string): Promise<SignInDecision> => {
    progress.phase('denied');
    progress.note(`denied:${reason}${detail ? `:${detail}` : ''}`);
    await acts.recordDenial({ ...scope, claim, reason, ...(detail ? { detail } : {}) });
    progress.outcome('Denied');
    return { status: 'denied', reason, message: refusalMessage(reason) };
  };

  /** Grants and refusals left for the durable tail, after the login has its answer. */
  let grantTail = null as { userId: string; actions: GroupSyncAction[] } | null;

  async function execute(planned: Extract<ProvisioningPlan, { kind: 'provision' }>, groups: ProvisioningState['groups']): Promise<SignInDecision> {
    progress.phase('provisioning');
    const { userId, newUser, membership } = await carryOutAccountActions(planned, claim, scope, acts, (d) => progress.note(d));
    if (membership.status !== 'active') return deny('membership_suspended');
    // Revokes before the answer (access the IdP removed is gone when the user gets in).
    const revokes = planned.groupActions.filter((a) => a.kind === 'revoke');
    const member = userId;
    await inBatches(revokes, GRANT_FAN_OUT, (a) => acts.revokeGroupGrant({ ...scope, userId: member, grant: a.grant }));
    // A handful of grants (one batch) go before the answer too, so the app sees the new roles at once; a
    // fan-out of more runs after the answer.
    const grants = planned.groupActions.filter((a) => a.kind === 'grant');
    const now = grants.length <= GRANT_FAN_OUT ? grants : [];
    await inBatches(now, GRANT_FAN_OUT, (a) => applyGrant(member, a));
    const later = planned.groupActions.filter((a) => a.kind === 'refuse' || (a.kind === 'grant' && now.length === 0));
    grantTail = later.length > 0 ? { userId, actions: later } : null;
    if (planned.groupActions.length > 0) {
      const count = (k: GroupSyncAction['kind']) => planned.groupActions.filter((a) => a.kind === k).length;
      progress.note(`groups:granted=${count('grant')},revoked=${count('revoke')},refused=${count('refuse')}`);
    }
    const access = effectiveAccess({
      directRoles: membership.roles,
      grants: applyGroupActions(groups.current, planned.groupActions),
      groupRoles: groups.groupRoles,
      tenantRoles: groups.tenantRoles,
      ownerFromIdp: groups.ownerFromIdp,
    });
    return {
      status: 'active',
      userId,
      tenantId: claim.tenantId,
      membershipId: membership.membershipId,
      roles: access.roles,
      groups: access.groups,
      newUser,
      via: planned.via,
    };
  }

  /** The fan-out of grants (and the audit of refused ones): durable, after the answer. */
  async function applyGrants(tail: { userId: string; actions: GroupSyncAction[] }): Promise<void> {
    progress.phase('granting');
    const refusals = tail.actions.flatMap((a) => (a.kind === 'refuse' ? [{ asserted: a.asserted, role: a.role, via: a.via, reason: a.reason }] : []));
    if (refusals.length > 0) {
      await acts.recordGrantRefusals({ ...scope, userId: tail.userId, refusals });
    }
    const grants = tail.actions.flatMap((a) => (a.kind === 'grant' ? [a] : []));
    await inBatches(grants, GRANT_FAN_OUT, (a) => applyGrant(tail.userId, a));
  }

  const applyGrant = (userId: string, a: Extract<GroupSyncAction, { kind: 'grant' }>) =>
    acts.applyGroupGrant({ ...scope, userId, grant: a.grant, createGroup: a.createGroup });

  /** Park the sign-in, answer `pending`, and carry out the plan only if an admin approves. */
  async function parkForApproval(planned: Extract<ProvisioningPlan, { kind: 'approval' }>, groups: ProvisioningState['groups']): Promise<SignInDecision> {
    progress.phase('awaiting-approval');
    const then = planned.then;
    const newRoles = then.actions.find((a) => a.kind === 'createMembership')?.roles ?? null;
    const { requestId } = await acts.openApprovalRequest({
      run,
      claim,
      userId: then.userId,
      kind: then.via === 'link' ? 'link' : newRoles ? 'new-member' : 'privileged-grant',
      reasons: planned.reasons,
      planned: {
        via: then.via,
        newAccount: then.via === 'jit',
        roles: newRoles,
        grants: then.groupActions.flatMap((a) => (a.kind === 'grant' ? [`${a.grant.kind}:${a.grant.value}`] : [])),
        revokes: then.groupActions.flatMap((a) => (a.kind === 'revoke' ? [`${a.grant.kind}:${a.grant.value}`] : [])),
      },
      expiresAt: waits.deadline(planned.expirySeconds),
    });
    progress.outcome('AwaitingApproval');
    progress.note('approval_requested');
    const reason = then.via === 'link' ? 'link_requires_approval' : 'approval_required';
    progress.decided({ status: 'pending', reason, message: PENDING_MESSAGES[reason], requestId });
    const verdict = await waits.approval(planned.expirySeconds);
    const status = verdict === null ? 'expired' : verdict.approve ? 'approved' : 'rejected';
    progress.note(`approval_${status}`);
    const close = () =>
      acts.closeApprovalRequest({ run, tenantId: scope.tenantId, requestId, status, by: verdict?.by ?? null, reason: verdict?.reason ?? null });
    if (status !== 'approved') {
      await close();
      return deny(status === 'expired' ? 'approval_expired' : 'approval_rejected', planned.reasons.join(','));
    }
    // The admin may set the new membership's roles instead of the defaults.
    const roles = verdict?.roles;
    const approved = roles ? { ...then, actions: then.actions.map((a) => (a.kind === 'createMembership' ? { ...a, roles } : a)) } : then;
    const result = await execute(approved, groups);
    await close();
    approvedLater = true;
    return result;
  }

  let approvedLater = false;
  let decision: SignInDecision | null = null;
  for (let attempt = 1; decision === null; attempt++) {
    progress.phase('planning');
    const state = await acts.loadProvisioningState({ run, claim });
    const planned = plan(state, { kind: 'signIn', claim });
    try {
      decision =
        planned.kind === 'deny'
          ? await deny(planned.reason, planned.detail)
          : planned.kind === 'approval'
            ? await parkForApproval(planned, state.groups)
            : await execute(planned, state.groups);
    } catch (err) {
      if (!(err instanceof StalePlan)) throw err;
      if (attempt >= MAX_PLANS) decision = await deny('identity_conflict');
    }
  }
  progress.decided(decision);

  if (decision.status === 'active' && grantTail) {
    await waits.answer(); // the login gets its answer now, not after the fan-out
    await applyGrants(grantTail);
  }

  // The login already has its answer; the rest is the durable tail.
  if (decision.status === 'active' && approvedLater) {
    progress.outcome('Linked', decision.userId); // provisioned after approval: the user signs in again
  } else if (decision.status === 'active') {
    progress.phase('recording');
    await acts.recordSignIn({ ...scope, claim, userId: decision.userId, newUser: decision.newUser });
    const outcome = decision.via === 'jit' ? 'Provisioned' : decision.via === 'link' ? 'Linked' : 'SignedIn';
    progress.outcome(outcome, decision.userId);
  }
  progress.phase('done');
  return decision;
}
