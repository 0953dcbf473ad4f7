import { randomUUID } from 'node:crypto';
import { Types } from 'mongoose';
import type { DocId } from './docId';
import { isDuplicateKeyError } from '../errors';
import type { AuditFact } from '../domain/events';
import { recordEvent, recordEvents } from './events';
import { insertManyOnce } from './insertMany';
import type { Models } from './models';

/** An audit record: the fact (src/domain/events.ts AuditFact, whose event is written beside it), its deterministic key and run. */
export interface AuditInput extends AuditFact {
  key: string;
  actor: { type: 'system' | 'admin' | 'user' | 'idp' | 'directory'; id: string | null };
  runId?: string | null;
}

/** An audit record as stored: absent optional fields are null. */
const auditDocument = (event: AuditInput) => ({
  ...event,
  userId: event.userId ?? null,
  before: event.before ?? null,
  after: event.after ?? null,
  reason: event.reason ?? null,
  context: event.context ?? null,
  workflowId: event.workflowId ?? null,
  runId: event.runId ?? null,
});

/**
 * Append one audit event exactly once per key: a plain insert that the unique
 * index on `key` refuses the second time, so a retried write is a no-op.
 * (An insert, not an upsert by key: FerretDB v1 would scan the collection.)
 * Its domain event (src/domain/events.ts) is written in the same step under
 * the same key — also when the audit record was already there (a step that
 * crashed between the two writes), so every audited fact has its event once.
 * Returns true when this call wrote the audit record.
 */
export async function recordAudit(models: Models, event: AuditInput): Promise<boolean> {
  const written = await insertAudit(models, event);
  await recordEvent(models, event.key, event);
  return written;
}

/**
 * recordAudit for many facts at once (an import's batch): the audit records
 * in one unordered insert (a key already taken is left as it is), then their
 * events the same way — the same once-per-key outcome as one recordAudit
 * each, in two commands.
 */
export async function recordAudits(models: Models, events: readonly AuditInput[]): Promise<void> {
  if (events.length === 0) return;
  await insertManyOnce(
    models.auditEvents,
    events.map((event) => ({ ...auditDocument(event), _id: new Types.ObjectId() })),
  );
  await recordEvents(models, events);
}

async function insertAudit(models: Models, event: AuditInput): Promise<boolean> {
  try {
    await models.auditEvents.create(auditDocument(event));
    return true;
  } catch (err) {
    if (isDuplicateKeyError(err)) return false;
    throw err;
  }
}

/** How old a pending audit must be before the sweeper writes it: older than any recordAction still under way. */
export const PENDING_AUDIT_GRACE_MS = 30_000;

/**
 * An event outside a workflow (an admin action, a rejected request): a fresh
 * key, stamped now. Durable as one step: the fact is first written to the
 * audit outbox, then the audit record and its event, then the outbox entry
 * is deleted; if the process dies in between, the sweeper
 * (writePendingAudits) writes what is missing under the same key.
 */
export async function recordAction(models: Models, event: Omit<AuditInput, 'key' | 'at'>): Promise<boolean> {
  const fact: AuditInput = { ...event, key: `evt:${randomUUID()}`, at: new Date() };
  await models.pendingAudits.create({ _id: fact.key, fact, at: fact.at });
  const written = await recordAudit(models, fact);
  await models.pendingAudits.deleteOne({ _id: fact.key });
  return written;
}

/**
 * The recovery path: audits (and their events) of admin actions whose
 * writer died before finishing, written now — at most `limit` a sweep.
 * Returns how many were completed.
 */
export async function writePendingAudits(models: Models, now = new Date(), limit = 500): Promise<number> {
  const stale = await models.pendingAudits
    .find({ at: { $lt: new Date(now.getTime() - PENDING_AUDIT_GRACE_MS) } })
    .limit(limit)
    .lean();
  for (const pending of stale) {
    const fact = pending.fact as AuditInput;
    await recordAudit(models, { ...fact, at: new Date(fact.at) });
    await models.pendingAudits.deleteOne({ _id: pending._id });
  }
  return stale.length;
}

/** Which audit events a tenant's admin asks for: by user, action, time span, actor. */
export interface AuditQuery {
  user?: string | undefined;
  action?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  actor?: { type: string; id: string } | undefined;
}

/** The audit writes the libraries make, bound to the models (src/store/store.ts). */
export function createAuditStore(models: Models) {
  return {
    recordAction: (event: Omit<AuditInput, 'key' | 'at'>) => recordAction(models, event),
    recordAudit: (event: AuditInput) => recordAudit(models, event),
    recordAudits: (events: readonly AuditInput[]) => recordAudits(models, events),
    /** Up to `limit + 1` of the tenant's audit events matching `filter`, newest first, before `before` (the caller pages). */
    forTenant: (tenantId: Types.ObjectId, filter: AuditQuery, before: DocId | null, limit: number) => {
      const at: Record<string, Date> = {};
      if (filter.from) at.$gte = filter.from;
      if (filter.to) at.$lte = filter.to;
      return models.auditEvents
        .find({
          tenantId,
          ...(filter.user ? { userId: filter.user } : {}),
          ...(filter.action ? { action: filter.action } : {}),
          ...(filter.actor ? { 'actor.type': filter.actor.type, 'actor.id': filter.actor.id } : {}),
          ...(Object.keys(at).length ? { at } : {}),
          ...(before ? { _id: { $lt: before } } : {}),
        })
        .sort({ _id: -1 })
        .limit(limit + 1)
        .lean();
    },
    /** Whether an audit event of this key (and, when given, this action) is recorded. */
    recorded: async (key: string, action?: string) => (await models.auditEvents.exists({ key, ...(action === undefined ? {} : { action }) })) !== null,
  };
}
