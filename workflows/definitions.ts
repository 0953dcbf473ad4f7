/**
 * The messages of onramp's workflows — updates, signals, queries — in one
 * place, so clients (the sign-in starter, the approvals library, tests) and
 * the workflows agree on names and types.
 *
 * Versioning rule: a change to workflow code that alters the commands a run
 * issues (activities, timers, their order) must keep old runs replayable —
 * approvals park runs for days. Guard it with `patched('<change-id>')` from
 * @temporalio/workflow at the change point (and `deprecatePatch` once no run
 * from before it can remain), then refresh the recorded histories
 * (`npm run record-histories`); test/integration/workflow-replay.test.ts
 * replays them through the current code in `npm test`.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ApprovalVerdict, SignInDecision } from '../src/domain/decision';
import type { ScimGroupWrite, ScimGroupWriteResult } from '../src/scim/groupWrites';
import type { ScimUserWrite, ScimWriteResult } from '../src/scim/userWrites';
import type { AdminWrite, AdminWriteResult } from './tenantAdminFlow';

/** The login request's Update-with-Start: answers as soon as the decision is known. */
export const decisionUpdate = defineUpdate<SignInDecision>('decision');

/** The run's live phase, for ops (Temporal UI's Query tab) and tests. */
export const stateQuery = defineQuery<{ phase: string; decision: SignInDecision | null; decided: boolean }>('state');

/**
 * An admin's approve/reject for a parked sign-in. The update's validator
 * refuses it unless the run waits for a decision that nobody made yet, so the
 * admin gets an immediate acknowledgement — or an error — and the first
 * decision is the only one (it is in the run's history with who and why).
 */
export const approvalUpdate = defineUpdate<{ status: 'approved' | 'rejected' }, [ApprovalVerdict]>('approval');

/** The same decision as a signal (`temporal workflow signal … --name approval`): an operator's override, see signIn.ts. */
export const approvalSignal = defineSignal<[ApprovalVerdict]>('approval');

/**
 * One SCIM write to a directory's User (directoryUser.ts), sent with
 * Update-with-Start: the HTTP answer is the write's result. Writes to the
 * same resource attach to one run and are applied one after the other.
 */
export const scimUserWriteUpdate = defineUpdate<ScimWriteResult, [ScimUserWrite]>('scimUserWrite');

/** One SCIM write to a directory's Group (directoryGroup.ts), as scimUserWrite is to a User. */
export const scimGroupWriteUpdate = defineUpdate<ScimGroupWriteResult, [ScimGroupWrite]>('scimGroupWrite');

/** One admin lifecycle write to a tenant (tenantAdmin.ts): suspend/reactivate/remove a member, remove a group. */
export const adminWriteUpdate = defineUpdate<AdminWriteResult, [AdminWrite]>('adminWrite');
