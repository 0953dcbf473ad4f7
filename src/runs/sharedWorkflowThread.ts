import { Worker, type CompiledWorkerOptions, type Logger } from '@temporalio/worker';
import type { WorkflowCreator } from '@temporalio/worker/lib/workflow/interface';
import type { WorkflowBundleWithSourceMapAndFilename } from '@temporalio/worker/lib/workflow/workflow-worker-thread/input';

/** A resource several users hold: made at the first acquire, destroyed when the last holder releases it. */
export interface Shared<T> {
  acquire(make: () => Promise<T>): Promise<{ value: T; release: () => Promise<void> }>;
}

export function shared<T>(destroy: (value: T) => Promise<void>): Shared<T> {
  let made: Promise<T> | undefined;
  let holders = 0;
  return {
    async acquire(make) {
      const current = (made ??= make());
      // A failed make is not kept: the next acquire tries again.
      const value = await current.catch((err: unknown) => {
        if (made === current) made = undefined;
        throw err;
      });
      holders++;
      let released = false;
      return {
        value,
        release: async () => {
          if (released) return;
          released = true;
          if (--holders > 0) return;
          made = undefined;
          await destroy(value);
        },
      };
    },
  };
}

/**
 * A Worker class whose instances run their workflows in one workflow thread
 * (one V8 isolate holding the workflow bundle) and parse the bundle once,
 * instead of a thread and a parsed bundle per Worker: the provisioning and the
 * webhook workers of one process cost one thread's memory (docs/performance.md,
 * "Start-up and memory"). Each Worker still polls its own task queue with its
 * own slots and cache; only the isolate is shared. The thread stops when the
 * last Worker using it has shut down.
 *
 * The first Worker created builds the thread with its registered activity
 * names, which the workflow sandbox checks local activities against: create
 * the Worker registering every activity first (webhook runs use no local
 * activities).
 */
export function workerSharingWorkflowThread(): typeof Worker {
  let bundle: Promise<WorkflowBundleWithSourceMapAndFilename | undefined> | undefined;
  const thread = shared<WorkflowCreator>(async (creator) => {
    bundle = undefined;
    await creator.destroy();
  });
  return class WorkerSharingWorkflowThread extends Worker {
    protected static override getOrCreateBundle(options: CompiledWorkerOptions, logger: Logger): Promise<WorkflowBundleWithSourceMapAndFilename | undefined> {
      bundle ??= super.getOrCreateBundle(options, logger);
      return bundle;
    }

    protected static override async createWorkflowCreator(
      workflowBundle: WorkflowBundleWithSourceMapAndFilename,
      options: CompiledWorkerOptions,
      logger: Logger,
    ): Promise<WorkflowCreator> {
      const { value, release } = await thread.acquire(() => super.createWorkflowCreator(workflowBundle, options, logger));
      return { createWorkflow: (opts) => value.createWorkflow(opts), destroy: release };
    }
  };
}
