import { isGrpcServiceError, ServiceError, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { importProgressQuery, importWorkflow, type ImportInput, type ImportProgress } from '../../workflows/import';
import { SA_OPERATION, SA_OUTCOME, SA_TENANT } from './searchAttributes';

export const importWorkflowId = (importId: string): string => `import-${importId}`;

export interface ImportRunner {
  /** Start the import's run unless it runs or ran already (a re-sent upload meets it). */
  start(input: Omit<ImportInput, 'next' | 'heartbeatSeconds'>): Promise<void>;
  /**
   * Start the import again after it failed: the failed run records the
   * failure just before it ends, so wait (a few seconds at most) for it to
   * end, then start a new run (chunks already done are not redone).
   */
  restart(input: Omit<ImportInput, 'next' | 'heartbeatSeconds'>): Promise<void>;
  /** The run's progress; null when it cannot say (done, never started, no worker polls, or none answers within 2 s). */
  progress(importId: string): Promise<ImportProgress | null>;
}

export function createImportRunner(client: Client, opts: { taskQueue: string; heartbeatSeconds: number; chunksPerRun?: number }): ImportRunner {
  return {
    async start(input) {
      try {
        await client.workflow.start(importWorkflow, {
          workflowId: importWorkflowId(input.importId),
          taskQueue: opts.taskQueue,
          args: [{ ...input, next: 0, heartbeatSeconds: opts.heartbeatSeconds, ...(opts.chunksPerRun ? { chunksPerRun: opts.chunksPerRun } : {}) }],
          workflowIdConflictPolicy: 'USE_EXISTING',
          // A run that failed for good (its chunk retries spent) may be started again by sending the file again:
          // chunks whose results are stored are not redone. A completed one is final.
          workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
          staticSummary: `Import ${input.importId}: ${input.rows} rows into tenant ${input.tenantId}`,
          typedSearchAttributes: [
            { key: SA_TENANT, value: input.tenantId },
            { key: SA_OPERATION, value: 'import' },
            { key: SA_OUTCOME, value: 'Running' },
          ],
        });
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      }
    },
    async restart(input) {
      const handle = client.workflow.getHandle(importWorkflowId(input.importId));
      try {
        await client.withDeadline(Date.now() + 10_000, () => handle.result());
      } catch {
        // Ended as failed (the expected case), never ran, or still closing: starting meets whichever it is.
      }
      await this.start(input);
    },
    async progress(importId) {
      try {
        // A query needs a worker: with none up (an outage, a restart) the caller falls back to the stored results.
        return await client.withDeadline(Date.now() + 2_000, () => client.workflow.getHandle(importWorkflowId(importId)).query(importProgressQuery));
      } catch (err) {
        if (err instanceof WorkflowNotFoundError || isDeadline(err) || noWorker(err)) return null;
        throw err;
      }
    },
  };
}

/**
 * A query no worker answered: FAILED_PRECONDITION (none polls the task queue: all down, or one being replaced) or
 * CANCELLED (the call cancelled at our 2 s deadline while the run's worker was busy).
 */
const CANCELLED = 1;
const FAILED_PRECONDITION = 9;
const noWorker = (err: unknown): boolean =>
  err instanceof ServiceError && isGrpcServiceError(err.cause) && [CANCELLED, FAILED_PRECONDITION].includes(err.cause.code);

const isDeadline = (err: unknown): boolean => err instanceof Error && /deadline/i.test(`${err.message} ${String((err as { cause?: unknown }).cause ?? '')}`);
