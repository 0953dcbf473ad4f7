import { ApplicationFailure } from '@temporalio/common';
import { WorkflowExecutionAlreadyStartedError, WorkflowFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { INVITATION_REFUSED, invitationAcceptanceWorkflow } from '../../workflows/invitationAcceptance';
import type { AcceptanceRefusalReason, AcceptanceResult } from '../../workflows/invitationAcceptanceFlow';
import type { IdentityClaim } from '../domain/claim';
import { OnrampError } from '../errors';
import { SA_CONNECTION, SA_EMAIL, SA_OPERATION, SA_OUTCOME, SA_TENANT } from './searchAttributes';
import { withDeadline } from './updateWithStart';
import type { EmailSearchValue } from './searchEmail';

export const invitationWorkflowId = (invitationId: string): string => `invitation-${invitationId}`;

export type Accepted = Extract<AcceptanceResult, { ok: true }>;

export interface InvitationAcceptor {
  /** Accept as the signed-in `claim`: the acceptance, or a refusal `{ ok: false, reason }`. */
  accept(invitationId: string, claim: IdentityClaim): Promise<AcceptanceResult>;
}

/** A refused acceptance: why, and whose sign-in it was. */
function refusalOf(err: unknown): { reason: AcceptanceRefusalReason; connectionId: string | null; subject: string | null } | null {
  if (!(err instanceof WorkflowFailedError) || !(err.cause instanceof ApplicationFailure) || err.cause.type !== INVITATION_REFUSED) return null;
  const [, connectionId, subject] = err.cause.details ?? [];
  return {
    reason: err.cause.message as AcceptanceRefusalReason,
    connectionId: typeof connectionId === 'string' ? connectionId : null,
    subject: typeof subject === 'string' ? subject : null,
  };
}

/** Attempts on runs of our own after attaching to someone else's refused one (a forwarded link in another tab). */
const MAX_ATTEMPTS = 3;

/**
 * Runs the invitation's acceptance: one run per invitation (two tabs attach to
 * it); a completed run answers every later attempt with its result — the
 * same person gets in, anyone else is told the invitation was used.
 */
export function createInvitationAcceptor(client: Client, opts: { taskQueue: string; waitMs: number; searchEmail: EmailSearchValue }): InvitationAcceptor {
  const pending = () =>
    new OnrampError('service_unavailable', 'Accepting the invitation is taking longer than usual. Reload the page in a moment.', { status: 503 });
  return {
    async accept(invitationId, claim) {
      const workflowId = invitationWorkflowId(invitationId);
      for (let attempt = 1; ; attempt++) {
        let handle: WorkflowHandle<typeof invitationAcceptanceWorkflow>;
        try {
          handle = await client.workflow.start(invitationAcceptanceWorkflow, {
            workflowId,
            taskQueue: opts.taskQueue,
            args: [{ invitationId, claim }],
            workflowIdConflictPolicy: 'USE_EXISTING',
            // A refused run failed: the rightful invitee may still start one. A completed one is final.
            workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
            staticSummary: `Accept invitation ${invitationId}`,
            typedSearchAttributes: [
              { key: SA_TENANT, value: claim.tenantId },
              { key: SA_CONNECTION, value: claim.connectionId },
              { key: SA_EMAIL, value: opts.searchEmail(claim.email) },
              { key: SA_OPERATION, value: 'accept invitation' },
              { key: SA_OUTCOME, value: 'Running' },
            ],
          });
        } catch (err) {
          if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
          handle = client.workflow.getHandle(workflowId);
        }
        try {
          const accepted = await withDeadline(handle.result(), opts.waitMs, pending);
          // An earlier acceptance: only its own identity is let in by it.
          if (accepted.connectionId !== claim.connectionId || accepted.subject !== claim.subject) return { ok: false, reason: 'invitation_used' };
          return accepted;
        } catch (err) {
          const refusal = refusalOf(err);
          if (!refusal) throw err;
          if (refusal.connectionId === claim.connectionId && refusal.subject === claim.subject) return { ok: false, reason: refusal.reason };
          // Someone else's refused attempts keep taking the run: never show their reason; ask to try again.
          if (attempt >= MAX_ATTEMPTS) throw pending();
        }
      }
    },
  };
}
