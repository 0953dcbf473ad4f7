import { createHash } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { Types } from 'mongoose';
import type { AuditInput } from '../src/store/audit';
import type { KeyedCollection } from '../src/store/keyed';
import type { Store } from '../src/store/store';
import { FAILURE_TYPES } from '../src/domain/failureTypes';
import type { LifecycleAction } from '../src/domain/memberLifecycle';
import type { ProvisioningActor, ProvisioningSource } from '../src/domain/provisioningContext';
import { sameRun, type RunRef } from '../src/domain/runRef';
import type { Logger } from '../src/logger';
import type { OutboundPolicy } from '../src/webhooks/outbound';

export interface ProvisioningDeps {
  store: Store;
  logger: Logger;
  now?: () => Date;
  /** Webhook delivery: where requests may go, and the key that opens endpoint secrets (absent: delivery activities refuse). */
  webhooks?: WebhookDeliveryDeps;
  /** The tenant's lifecycle run, where a directory's status changes go (absent: those activities refuse). */
  lifecycle?: LifecycleRunner;
}

/** What a directory's lifecycle change asks of the tenant's lifecycle run (src/runs/tenantAdminClient.ts implements it). */
export interface LifecycleRunner {
  write(
    tenantId: string,
    write: { kind: 'member'; action: LifecycleAction; userId: string; actor: ProvisioningActor },
    id: string,
  ): Promise<{ ok: true; changed: boolean; status: string } | { ok: false; code: string; message: string }>;
}

export interface WebhookDeliveryDeps {
  policy: OutboundPolicy;
  encryptionKey: Buffer;
  /** Whether delivered events keep the end user's IP (ONRAMP_EVENTS_INCLUDE_IP); absent = no. */
  includeIp?: boolean;
}

/**
 * Every write a workflow asks for carries the run that asks (idempotency and
 * audit keys) and, from the provisioning context, who acts and why
 * (src/domain/provisioningContext.ts; optional for tasks of older runs).
 */
export interface RunScoped {
  run: RunRef;
  source?: ProvisioningSource;
  actor?: ProvisioningActor;
}

export const oid = (id: string): Types.ObjectId => {
  if (!Types.ObjectId.isValid(id)) throw ApplicationFailure.nonRetryable(`not an id: ${id}`, FAILURE_TYPES.invalidId);
  return new Types.ObjectId(id);
};

/** An ObjectId derived from a key: the same on every retry of the step that needs it. */
export const deterministicId = (key: string): Types.ObjectId => new Types.ObjectId(createHash('sha256').update(key).digest().subarray(0, 12));

/** The deterministic key of a run's audit event for one step: a retried activity finds it taken. */
export const runAuditKey = (run: RunRef, step: string): string => `wf:${run.workflowId}:${run.runId}:${step}`;

/** An audit event as an activity writes it (key, run and time are filled in). */
export type AuditEvent = Omit<AuditInput, 'key' | 'workflowId' | 'runId' | 'at'> & { at?: Date };

/** What every activity module is built from: the dependencies and the two idempotency helpers. */
export function activitySupport({ store, logger, now = () => new Date(), webhooks, lifecycle }: ProvisioningDeps) {
  /** One audit event per run and step: a retried activity finds its key taken and writes nothing. */
  const runAudit = (run: RunRef, step: string, event: AuditEvent) =>
    store.audit.recordAudit({ ...event, key: runAuditKey(run, step), workflowId: run.workflowId, runId: run.runId, at: event.at ?? now() });

  /**
   * Whether this run already audited `step` as `action`: how a step run
   * again after a crash recognizes what it did itself (a deletion it made
   * leaves nothing else to read).
   */
  const auditedByRun = async (run: RunRef, step: string, action: string): Promise<boolean> => store.audit.recorded(runAuditKey(run, step), action);

  /**
   * The insert-once-and-audit pattern: insert the document `_id` with
   * `fields` unless it exists (a duplicate-key race reads the winner), and
   * only when this run created it write its audit event under the run's
   * deterministic key. A retry converges on the same document and one event.
   */
  async function insertOnce<D extends { createdBy?: RunRef | null }>(
    collection: KeyedCollection<D>,
    _id: unknown,
    fields: Record<string, unknown>,
    run: RunRef,
    audit?: (doc: D) => { step: string; event: AuditEvent },
  ): Promise<{ doc: D; createdByThisRun: boolean }> {
    const doc = await collection.insertIfAbsent(_id, { ...fields, createdBy: run });
    const createdByThisRun = sameRun(doc.createdBy, run);
    if (createdByThisRun && audit) {
      const { step, event } = audit(doc);
      await runAudit(run, step, event);
    }
    return { doc, createdByThisRun };
  }

  return { store, logger, now, runAudit, auditedByRun, insertOnce, webhooks, lifecycle };
}

export type ActivitySupport = ReturnType<typeof activitySupport>;

/** Run `fn` over `items`, at most `width` at a time. */
export async function inPool<T>(items: readonly T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, lane));
}

/** The running activity's context; null outside a worker (the inline benchmark). */
export function activityContext(): Context | null {
  try {
    return Context.current();
  } catch {
    return null;
  }
}
