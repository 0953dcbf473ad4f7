import { Worker, type CompiledWorkerOptions, type Logger } from '@temporalio/worker';
import type { WorkflowCreator } from '@temporalio/worker/lib/workflow/interface';
import type { WorkflowBundleWithSourceMapAndFilename } from '@temporalio/worker/lib/workflow/workflow-worker-thread/input';

/**
 * A Worker class whose instances run their workflows in one workflow thread
 * (one V8 isolate holding the workflow bundle) and parse the bundle once,
 * instead of a thread and a parsed bundle per Worker: the provisioning and the
 * webhook workers of one process cost one thread's memory (about 60 MiB
 * measured, docs/performance.md). Each Worker still polls its own task queue
 * with its own slots and cache; only the isolate is shared. The thread
 * stops when the last Worker using it has shut down.
 *
 * The first Worker created builds the thread with its registered activity
 * names, which the workflow sandbox checks local activities against: create
 * the Worker registering every activity first (webhook runs use no local
 * activities).
 */
export function workerSharingWorkflowThread(): typeof Worker {
  let bundle: Promise<WorkflowBundleWithSourceMapAndFilename | undefined> | undefined;
  let creator: Promise<WorkflowCreator> | undefined;
  let users = 0;
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
      creator ??= super.createWorkflowCreator(workflowBundle, options, logger);
      const shared = await creator;
      users++;
      let released = false;
      return {
        createWorkflow: (opts) => shared.createWorkflow(opts),
        destroy: async () => {
          if (released) return;
          released = true;
          if (--users > 0) return;
          creator = undefined;
          bundle = undefined;
          await shared.destroy();
        },
      };
    }
  };
}
