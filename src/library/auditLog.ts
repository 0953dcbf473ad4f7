import type { Types } from 'mongoose';
import type { Store } from '../store/store';
import { page, type DocId } from './pagination';

export interface AuditFilter {
  user?: string | undefined;
  action?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  /** Only events of this actor (a directory's operations). */
  actor?: { type: 'directory' | 'admin' | 'idp' | 'user' | 'system'; id: string } | undefined;
}

export function createAuditLibrary(store: Store) {
  return {
    /** Newest first; the cursor is the last event's id. */
    async listForTenant(tenantId: Types.ObjectId, filter: AuditFilter, limit: number, before: DocId | null) {
      const rows = await store.audit.forTenant(tenantId, filter, before, limit);
      const { rows: kept, nextCursor } = page(rows, limit);
      return {
        data: kept.map((e) => ({
          id: String(e._id),
          action: e.action,
          actor: { type: e.actor?.type ?? 'system', id: e.actor?.id ?? null },
          target: { type: e.target?.type ?? 'unknown', id: e.target?.id ?? null },
          userId: e.userId ? String(e.userId) : null,
          before: e.before ?? null,
          after: e.after ?? null,
          reason: e.reason ?? null,
          context: e.context ?? null,
          workflowId: e.workflowId ?? null,
          runId: e.runId ?? null,
          at: e.at,
        })),
        nextCursor,
      };
    },
  };
}
