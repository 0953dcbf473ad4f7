import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  ActivityFailure,
  ApplicationFailure,
  continueAsNew,
  ParentClosePolicy,
  startChild,
  WorkflowIdReusePolicy,
  defineQuery,
  isCancellation,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { ImportActivities } from '../activities/imports';
import type { OutcomeCounts } from '../src/domain/memberResult';
import { importFailureReason } from '../src/domain/importFailure';
import type { ProvisioningActor } from '../src/domain/provisioningContext';
import { SA_OUTCOME } from '../src/runs/searchAttributes';
import { importApprovalWorkflow, importApprovalWorkflowId } from './importApproval';
import { retry } from './steps';

/** How many chunks one run provisions before it continues as new: its history stays bounded whatever the file's size. */
export const CHUNKS_PER_RUN = 100;

export interface ImportInput {
  importId: string;
  tenantId: string;
  actor: ProvisioningActor;
  chunks: number;
  rows: number;
  /** The next chunk to provision (0 at the start; where a continued run picks up). */
  next: number;
  /** Rows per outcome so far. */
  counts: OutcomeCounts;
  /** How long a chunk may go without a heartbeat before another worker takes it over (a killed worker's chunk). */
  heartbeatSeconds: number;
  /** Injectable for tests: chunks per run. */
  chunksPerRun?: number;
}

export interface ImportProgress {
  rows: number;
  /** Rows whose chunk is done. */
  processed: number;
  counts: OutcomeCounts;
  done: boolean;
}

/** The import's progress (GET …/imports/:id, the CLI's progress bar, the Temporal UI's Query tab). */
export const importProgressQuery = defineQuery<ImportProgress>('importProgress');

/**
 * One bulk import (workflow ID `import-<importId>`): its chunks
 * one after the other, each a regular activity that provisions its rows
 * through the core and heartbeats — a killed worker's chunk is taken over
 * once its heartbeat is late and redone idempotently (rows are runs of their
 * own). Continues as new every CHUNKS_PER_RUN chunks.
 */
export async function importWorkflow(input: ImportInput): Promise<OutcomeCounts> {
  const acts = proxyActivities<ImportActivities>({
    startToCloseTimeout: '30 minutes',
    heartbeatTimeout: `${input.heartbeatSeconds} seconds`,
    // A chunk outlives worker outages of hours (a killed worker's chunk is retried once its heartbeat is late), not forever.
    retry: { ...retry, maximumInterval: '1 minute', maximumAttempts: 200 },
  });
  const counts = { ...input.counts };
  let next = input.next;
  let done = false;
  setHandler(importProgressQuery, () => ({ rows: input.rows, processed: sum(counts), counts: { ...counts }, done }));

  const budget = input.chunksPerRun ?? CHUNKS_PER_RUN;
  for (let ran = 0; next < input.chunks; ran++) {
    if (ran >= budget) await continueAsNew<typeof importWorkflow>({ ...input, next, counts });
    let chunk: OutcomeCounts;
    try {
      chunk = await acts.importChunk({ importId: input.importId, tenantId: input.tenantId, chunk: next, actor: input.actor });
    } catch (err) {
      // A chunk that failed for good ends the import `failed` with the reason; the run fails, so sending the file again starts it anew.
      if (!isCancellation(err) && patched('import-failure-recorded')) {
        const cause = err instanceof ActivityFailure ? err.cause : undefined;
        await acts.failImport({
          importId: input.importId,
          tenantId: input.tenantId,
          actor: input.actor,
          runId: workflowInfo().runId,
          chunk: next,
          reason: importFailureReason(err instanceof ActivityFailure ? err.retryState : null),
          errorType: cause instanceof ApplicationFailure ? (cause.type ?? null) : null,
        });
        upsertSearchAttributes([{ key: SA_OUTCOME, value: 'Failed' }]);
      }
      throw err;
    }
    for (const [outcome, n] of Object.entries(chunk)) counts[outcome as keyof OutcomeCounts] += n;
    // Rows whose link waits for an admin: an approval request each, listed with the others (runs of their own, left running).
    if (chunk.pending > 0 && patched('import-pending-approvals')) await requestApprovals(input, next, acts);
    next++;
  }
  await acts.finishImport({ importId: input.importId, tenantId: input.tenantId, actor: input.actor, summary: counts });
  done = true;
  upsertSearchAttributes([{ key: SA_OUTCOME, value: counts.failed > 0 ? 'DoneWithFailures' : 'Done' }]);
  return counts;
}

/** One approval run per pending row of the chunk; a row asked about before (a resumed import) is not asked again. */
async function requestApprovals(input: ImportInput, chunk: number, acts: { pendingImportRows: ImportActivities['pendingImportRows'] }): Promise<void> {
  const pending = await acts.pendingImportRows({ importId: input.importId, tenantId: input.tenantId, chunk });
  await Promise.all(
    pending.rows.map(async (row) => {
      try {
        await startChild(importApprovalWorkflow, {
          workflowId: importApprovalWorkflowId(input.importId, row.n),
          args: [
            {
              importId: input.importId,
              tenantId: input.tenantId,
              actor: input.actor,
              n: row.n,
              request: row.request,
              reason: row.reason,
              expirySeconds: pending.expirySeconds,
            },
          ],
          parentClosePolicy: ParentClosePolicy.ABANDON,
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        });
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      }
    }),
  );
}

const sum = (c: OutcomeCounts): number => Object.values(c).reduce((a, b) => a + b, 0);
