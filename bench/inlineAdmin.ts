/**
 * Benchmark-only baselines for admin provisioning: an import's
 * chunks and an invitation's acceptance run the same code (the import
 * activities, workflows/invitationAcceptanceFlow.ts) inline in the web
 * process — no Temporal, not durable. Started only by bench/serveInline.ts.
 */
import { createStore } from '../src/store/store';
import { randomUUID } from 'node:crypto';
import { zeroCounts, type OutcomeCounts } from '../src/domain/memberResult';
import { createProvisioningActivities } from '../activities/provisioning';
import type { Models } from '../src/store/models';
import type { Logger } from '../src/logger';
import { importWorkflowId, type ImportRunner } from '../src/runs/importClient';
import { invitationWorkflowId, type InvitationAcceptor } from '../src/runs/invitationClient';
import type { ImportProgress } from '../workflows/import';
import { runAcceptance } from '../workflows/invitationAcceptanceFlow';

export function createInlineImportRunner(models: Models, logger: Logger): ImportRunner {
  const acts = createProvisioningActivities({ store: createStore(models), logger });
  const imports = new Map<string, ImportProgress>();
  return {
    async start(input) {
      if (imports.has(input.importId)) return;
      const progress: ImportProgress = { rows: input.rows, processed: 0, counts: zeroCounts(), done: false };
      imports.set(input.importId, progress);
      void (async () => {
        for (let chunk = 0; chunk < input.chunks; chunk++) {
          const counts: OutcomeCounts = await acts.importChunk({ importId: input.importId, tenantId: input.tenantId, chunk, actor: input.actor });
          for (const [k, v] of Object.entries(counts)) progress.counts[k as keyof OutcomeCounts] += v;
          progress.processed += Object.values(counts).reduce((a, b) => a + b, 0);
        }
        await acts.finishImport({ importId: input.importId, tenantId: input.tenantId, actor: input.actor, summary: progress.counts });
        progress.done = true;
      })().catch((err: unknown) => logger.error({ err, workflowId: importWorkflowId(input.importId) }, 'inline import failed'));
    },
    async restart(input) {
      imports.delete(input.importId);
      await this.start(input);
    },
    progress: async (importId) => imports.get(importId) ?? null,
  };
}

export function createInlineInvitationAcceptor(models: Models, logger: Logger): InvitationAcceptor {
  const acts = createProvisioningActivities({ store: createStore(models), logger });
  return {
    accept: (invitationId, claim) =>
      runAcceptance(invitationId, claim, { workflowId: invitationWorkflowId(invitationId), runId: `inline-${randomUUID()}` }, Date.now(), acts),
  };
}
