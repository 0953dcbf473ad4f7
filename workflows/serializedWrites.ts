import { allHandlersFinished, ApplicationFailure, condition, setHandler, workflowInfo } from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';

/** The rejection a run gives a write once its history is long: the client sends it again, to a fresh run (updateWithStart.ts). */
export const DRAINING = 'run-draining';

/** Past this many history events a resource's run takes no new write and ends once the ones it took are done. */
export const HISTORY_LIMIT = 4000;

/**
 * Serve one resource's writes (SCIM Users and Groups): each arrives as an
 * update and is applied in arrival order, one at a time (a promise chain,
 * deterministic), so two writes to one resource never interleave. Returns
 * once no write is left: the run ends, and the next write starts a new run
 * under the same workflow ID. A run whose history grew long (a stream of
 * writes that never pauses) rejects new writes — its validator runs before
 * anything is recorded — and ends after the ones it accepted, so no run's
 * history grows without bound.
 */
export async function serveSerializedWrites<W, R>(
  update: UpdateDefinition<R, [W]>,
  apply: (write: W) => Promise<R>,
  historyLimit = HISTORY_LIMIT,
): Promise<void> {
  let tail: Promise<unknown> = Promise.resolve();
  let handled = 0;
  setHandler(
    update,
    (write) => {
      const result = tail.then(() => apply(write));
      tail = result.then(
        () => undefined,
        () => undefined,
      );
      return result.finally(() => {
        handled++;
      });
    },
    {
      validator: (_write: W) => {
        const info = workflowInfo();
        if (info.historyLength > historyLimit || info.continueAsNewSuggested) throw ApplicationFailure.create({ message: DRAINING, nonRetryable: true });
      },
    },
  );
  await condition(() => handled > 0 && allHandlersFinished());
}
