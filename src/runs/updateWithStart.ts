import { WithStartWorkflowOperation, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { UpdateDefinition, Workflow } from '@temporalio/common';
import { DRAINING } from '../../workflows/serializedWrites';
import { OnrampError, RETRY_AFTER_SECONDS } from '../errors';
import { isRetryableUpdateRefusal } from './retryableRefusal';

/**
 * Update-with-Start, bounded: the caller waits for the update's result at
 * most `waitMs` (then `pending` is thrown while the run carries on durably),
 * and a run that completes between attach and update is retried on a fresh
 * run (a bounded number of times, never a loop), as is one that a draining
 * run rejected. `updateId` lets the server
 * drop a re-sent update that the run already has (within one run only: a
 * retry on a fresh run must be made harmless by the workflow itself).
 *
 * Every entry point that writes through a run (sign-ins of every protocol,
 * SCIM, the admin API's member writes) comes through here, so a transient
 * refusal by Temporal — a run whose workflow task is failing after a worker
 * died (FAILED_PRECONDITION), an overloaded or unreachable cluster — is
 * answered the same way everywhere: `pending()`, a 503 with Retry-After
 * (retryableRefusal.ts says which refusals), and the retry attaches to the run.
 */
export async function boundedUpdateWithStart<R, A extends unknown[]>(
  client: Client,
  update: UpdateDefinition<R, A>,
  args: A,
  startOperation: () => WithStartWorkflowOperation<Workflow>,
  waitMs: number,
  pending: () => OnrampError,
  updateId?: string,
): Promise<R> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await withDeadline(
        client.workflow.executeUpdateWithStart(update, { args, startWorkflowOperation: startOperation(), ...(updateId ? { updateId } : {}) }),
        waitMs,
        pending,
      );
    } catch (err) {
      if (attempt < 3 && isCompletedRace(err)) continue;
      // A run with a long history takes no new write (workflows/serializedWrites.ts): it ends soon, and the write goes to the next run.
      if (attempt < 20 && isDraining(err)) {
        await new Promise((resolve) => setTimeout(resolve, 50 * Math.min(attempt, 10)));
        continue;
      }
      if (isRetryableUpdateRefusal(err)) throw refusedForNow(pending(), err);
      throw err;
    }
  }
}

/**
 * The answer to a transient refusal: the entry point's own "pending" code
 * and status (503: `signin_pending` for a sign-in), with a message that does
 * not claim the work is under way — it was refused, and a retry does it.
 */
function refusedForNow(pending: OnrampError, cause: unknown): OnrampError {
  return new OnrampError(pending.code, 'This could not be done just now. Please try again in a few seconds.', {
    status: 503,
    expose: true,
    details: { retryAfterSeconds: RETRY_AFTER_SECONDS },
    cause,
  });
}

/** Wait for a run's result at most `ms`, then throw `pending()` (the run goes on durably). */
export function withDeadline<T>(work: Promise<T>, ms: number, pending: () => OnrampError): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(pending()), ms);
  });
  work.catch(() => undefined); // the run goes on; a late failure is the workflow's to report
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

function isDraining(err: unknown): boolean {
  return err instanceof WorkflowUpdateFailedError && err.cause instanceof Error && err.cause.message === DRAINING;
}

function isCompletedRace(err: unknown): boolean {
  if (err instanceof WorkflowUpdateFailedError) return false;
  const message = err instanceof Error ? `${err.message} ${String((err as { cause?: unknown }).cause ?? '')}` : '';
  return /already completed|workflow execution already completed|not found/i.test(message);
}
