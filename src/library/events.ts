import type { Store } from '../store/store';
import { cursorAt, EVENT_TYPES, eventForReceivers, type DomainEvent } from '../domain/events';
import { validationError } from '../errors';

export interface EventPage {
  data: DomainEvent[];
  /** Where to ask from next (the last event's ID, or the given cursor when there was none): poll with it. */
  nextCursor: string | null;
  hasMore: boolean;
}

/**
 * The events API: a tenant's events, or every tenant's for
 * the operator, in ID order after a cursor. Only events older than the
 * settle time are answered, so a cursor never moves past an event whose
 * write was still finishing (IDs are taken just before the write).
 */
export function createEventLibrary(store: Store, settings: { settleMs: number; includeIp: boolean }) {
  return {
    async list(tenantId: string | null, q: { after?: string | undefined; types?: string[] | undefined; limit: number }): Promise<EventPage> {
      const types = q.types ?? [];
      const refused = types.filter((t) => !EVENT_TYPES.includes(t));
      if (refused.length > 0)
        throw validationError('types', `must name event types exactly (families such as group.* are for webhook filters): ${refused.join(', ')}`);
      const rows = await store.events.list({ tenantId, after: q.after ?? null, before: cursorAt(Date.now() - settings.settleMs), types, limit: q.limit + 1 });
      const data = rows.slice(0, q.limit).map((e) => eventForReceivers(e, settings));
      return { data, nextCursor: data.at(-1)?.id ?? q.after ?? null, hasMore: rows.length > q.limit };
    },
  };
}

export type EventLibrary = ReturnType<typeof createEventLibrary>;
