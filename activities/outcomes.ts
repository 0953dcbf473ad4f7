import { Types } from 'mongoose';
import type { IdentityClaim } from '../src/domain/claim';
import type { DenialReason } from '../src/domain/decision';
import { actorOf } from '../src/domain/provisioningContext';
import { oid, type ActivitySupport, type RunScoped } from './support';

/** How a sign-in ended, for the audit log: succeeded, denied, failed. Every activity is idempotent (see support.ts). */
export function outcomesActivities({ store, logger, now, runAudit }: ActivitySupport) {
  return {
    async recordSignIn(input: RunScoped & { claim: IdentityClaim; userId: string; newUser: boolean }): Promise<void> {
      const at = now();
      await store.users.markSignedIn(oid(input.userId), at);
      await runAudit(input.run, 'signin.succeeded', {
        tenantId: input.claim.tenantId,
        actor: { type: 'user', id: input.userId },
        action: 'signin.succeeded',
        target: { type: 'user', id: input.userId },
        userId: input.userId,
        context: { connectionId: input.claim.connectionId, subject: input.claim.subject, newUser: input.newUser },
        at,
      });
    },

    /**
     * A step was refused for good: one `signin.failed` event per run, for the
     * admin and ops (the run fails after it). The refusal's own text (a
     * database driver's, which can quote the claim) goes to the log only; the
     * audit names the step and the reason code.
     */
    async recordFailure(input: RunScoped & { claim: IdentityClaim; step: string; error: string }): Promise<void> {
      logger.error({ workflowId: input.run.workflowId, step: input.step, error: input.error }, 'sign-in failed: a step was refused');
      await runAudit(input.run, 'signin.failed', {
        tenantId: Types.ObjectId.isValid(input.claim.tenantId) ? input.claim.tenantId : null,
        actor: actorOf(input),
        action: 'signin.failed',
        target: { type: 'identity', id: `${input.claim.connectionId}:${input.claim.subject}` },
        reason: 'provisioning_failed',
        context: {
          email: input.claim.email,
          subject: input.claim.subject,
          step: input.step,
          message: `The sign-in could not be completed: its ${input.step} step was refused. The worker's log has the cause (search for the run's workflow ID).`,
        },
      });
    },

    async recordDenial(input: RunScoped & { claim: IdentityClaim; reason: DenialReason; detail?: string }): Promise<void> {
      logger.info({ workflowId: input.run.workflowId, reason: input.reason }, 'sign-in denied');
      await runAudit(input.run, 'signin.denied', {
        tenantId: Types.ObjectId.isValid(input.claim.tenantId) ? input.claim.tenantId : null,
        actor: actorOf(input),
        action: 'signin.denied',
        target: { type: 'identity', id: `${input.claim.connectionId}:${input.claim.subject}` },
        reason: input.reason,
        context: { email: input.claim.email, subject: input.claim.subject, detail: input.detail ?? null },
      });
    },
  };
}
