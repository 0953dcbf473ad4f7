import { isDuplicateKeyError } from '../errors';
import type { Models } from './models';

export interface AuditInput {
  key: string;
  tenantId: string | null;
  actor: { type: 'system' | 'admin' | 'user' | 'idp'; id: string | null };
  action: string;
  target: { type: string; id: string | null };
  userId?: string | null;
  before?: unknown;
  after?: unknown;
  reason?: string | null;
  context?: Record<string, unknown> | null;
  workflowId?: string | null;
  runId?: string | null;
  at: Date;
}

/**
 * Append one audit event exactly once per key: an upsert that only inserts,
 * so a retried write is a no-op. Returns true when this call wrote it.
 */
export async function recordAudit(models: Models, event: AuditInput): Promise<boolean> {
  try {
    const res = await models.auditEvents.updateOne(
      { key: event.key },
      {
        $setOnInsert: {
          ...event,
          userId: event.userId ?? null,
          before: event.before ?? null,
          after: event.after ?? null,
          reason: event.reason ?? null,
          context: event.context ?? null,
          workflowId: event.workflowId ?? null,
          runId: event.runId ?? null,
        },
      },
      { upsert: true },
    );
    return res.upsertedCount === 1;
  } catch (err) {
    if (isDuplicateKeyError(err)) return false;
    throw err;
  }
}
