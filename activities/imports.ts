import { countOutcomes, type OutcomeCounts } from '../src/domain/memberResult';
import { ApplicationFailure } from '@temporalio/activity';
import type { ImportRowResult, StoredImportRow } from '../src/store/imports';
import type { MemberRequest } from '../src/domain/adminProvisioning';
import { DEFAULT_APPROVAL_EXPIRY_SECONDS } from '../src/domain/approval';
import { importFailureMessage, type ImportFailureReason } from '../src/domain/importFailure';
import { ROWS_PER_CHUNK } from '../src/domain/importRows';
import type { ProvisioningActor } from '../src/domain/provisioningContext';
import type { RunRef } from '../src/domain/runRef';
import { isDuplicateKeyError } from '../src/errors';
import { countImport, countImportRows } from '../src/metrics/registry';
import { provisionMember, type MemberProvisioningActivities } from '../workflows/memberProvisioningFlow';
import { provisionBatch, type MemberResult } from './importBatch';
import { activityContext, type ActivitySupport } from './support';

export type { OutcomeCounts };

/** How many rows of a chunk are provisioned at once on the row-at-a-time path (and their grants and attributes). */
export const IMPORT_ROW_PARALLEL = 8;

/**
 * Each row is a run of its own for idempotency: the same reference on every
 * retry of its chunk and across the import's continue-as-new, so a row done
 * before a crash is recognized (its account, membership, grants and audit
 * events carry it) and never done twice.
 */
export const importRowRun = (importId: string, n: number): RunRef => ({ workflowId: `import-${importId}`, runId: `row-${n}` });

/** An import's rows through the core, a chunk at a time. Idempotent (see support.ts). */
export function importActivities(support: ActivitySupport, core: MemberProvisioningActivities) {
  const { store, runAudit } = support;
  const requestOf = (row: StoredImportRow): MemberRequest => ({
    email: row.email,
    name: row.name ?? null,
    roles: [...row.roles],
    groups: [...row.groups],
    externalId: row.externalId ?? null,
  });
  const scopeOf = (input: { importId: string; tenantId: string; actor: ProvisioningActor }, row: StoredImportRow) => ({
    run: importRowRun(input.importId, row.n),
    tenantId: input.tenantId,
    source: 'import' as const,
    actor: input.actor,
  });

  return {
    /**
     * Provision one chunk's rows (each through the core) and store their
     * results. A chunk whose results are stored is done: a retry returns them.
     */
    async importChunk(input: { importId: string; tenantId: string; chunk: number; actor: ProvisioningActor }): Promise<OutcomeCounts> {
      const done = await store.imports.resultChunk(input.importId, input.chunk);
      if (done) return countOutcomes(done.results);
      const chunk = await store.imports.rowChunk(input.importId, input.chunk);
      if (!chunk) throw ApplicationFailure.nonRetryable(`import ${input.importId} has no chunk ${input.chunk}`, 'ImportChunkMissing');
      const results: ImportRowResult[] = new Array<ImportRowResult>(chunk.rows.length);
      // Alive while rows take their time (a slow row is no reason to redo the chunk elsewhere); once Temporal
      // gave the chunk to another worker (a late heartbeat) or cancelled it, stop: no two attempts run rows side by side.
      const ctx = activityContext();
      const beat = ctx ? setInterval(() => ctx.heartbeat(), 1_000) : null;
      try {
        const cancelled = () => {
          if (ctx?.cancellationSignal.aborted) throw ApplicationFailure.retryable('the chunk was cancelled or taken over', 'ImportChunkCancelled');
        };
        cancelled();
        // Rows the file refused fail as they are; the others are provisioned as one batch (importBatch.ts).
        const valid: Array<{ i: number; row: StoredImportRow }> = [];
        chunk.rows.forEach((row, i) => {
          if (row.error) results[i] = { n: row.n, email: row.email, outcome: 'failed', reason: row.error, detail: row.detail ?? null, userId: null };
          else valid.push({ i, row });
        });
        const batch = valid.map(({ row }) => ({ request: requestOf(row), scope: scopeOf(input, row) }));
        const provisioned = await provisionBatch(
          support,
          core,
          batch,
          'import',
          (r) => {
            cancelled();
            return provisionMember(r.request, r.scope, 'import', core);
          },
          IMPORT_ROW_PARALLEL,
        );
        valid.forEach(({ i, row }, k) => {
          results[i] = { n: row.n, email: row.email, ...(provisioned[k] as MemberResult) };
        });
      } finally {
        if (beat) clearInterval(beat);
      }
      try {
        await store.imports.insertResults(input.importId, input.chunk, results);
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
      }
      return countOutcomes(results);
    },

    /**
     * A chunk's rows whose link waits for an admin (outcome `pending`), with
     * their requests, and how long the tenant lets an approval wait: each
     * becomes an approval request (workflows/importApproval.ts).
     */
    async pendingImportRows(input: {
      importId: string;
      tenantId: string;
      chunk: number;
    }): Promise<{ expirySeconds: number; rows: Array<{ n: number; request: MemberRequest; reason: string }> }> {
      const [results, chunk, tenant] = await Promise.all([
        store.imports.resultChunk(input.importId, input.chunk),
        store.imports.rowChunk(input.importId, input.chunk),
        store.tenants.approvalSettings(input.tenantId),
      ]);
      const pending = new Map((results?.results ?? []).filter((r) => r.outcome === 'pending').map((r) => [r.n, r.detail ?? 'policy_approval']));
      const rows = (chunk?.rows ?? []).flatMap((row) => {
        const reason = pending.get(row.n);
        if (reason === undefined || row.error) return [];
        return [
          {
            n: row.n,
            reason,
            request: { email: row.email, name: row.name ?? null, roles: [...row.roles], groups: [...row.groups], externalId: row.externalId ?? null },
          },
        ];
      });
      return { expirySeconds: tenant?.approval?.expirySeconds ?? DEFAULT_APPROVAL_EXPIRY_SECONDS, rows };
    },

    /**
     * A chunk failed for good: the import is `failed` with the reason (GET
     * …/imports/:id shows it), audited once per run and chunk. Sending the
     * same file under the same key again resumes it.
     */
    async failImport(input: {
      importId: string;
      tenantId: string;
      actor: ProvisioningActor;
      runId: string;
      chunk: number;
      reason: ImportFailureReason;
      errorType: string | null;
    }): Promise<void> {
      const message = importFailureMessage(input.reason, input.chunk, ROWS_PER_CHUNK, input.errorType);
      await store.imports.markFailed(input.importId, { reason: input.reason, chunk: input.chunk, message, at: new Date() });
      await runAudit({ workflowId: `import-${input.importId}`, runId: input.runId }, `import.failed:${input.chunk}`, {
        tenantId: input.tenantId,
        actor: input.actor,
        action: 'import.failed',
        target: { type: 'import', id: input.importId },
        reason: input.reason,
        context: { chunk: input.chunk },
      });
      countImport('failed');
    },

    /** The import is done: its summary stored, the completion audited once. */
    async finishImport(input: { importId: string; tenantId: string; actor: ProvisioningActor; summary: OutcomeCounts }): Promise<void> {
      await store.imports.markDone(input.importId, input.summary, new Date());
      await runAudit({ workflowId: `import-${input.importId}`, runId: 'import' }, 'import.completed', {
        tenantId: input.tenantId,
        actor: input.actor,
        action: 'import.completed',
        target: { type: 'import', id: input.importId },
        context: { ...input.summary },
      });
      countImport('completed');
      countImportRows(input.summary);
    },
  };
}

export type ImportActivities = ReturnType<typeof importActivities>;
