import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { cursorAt, eventFromAudit, eventIdAt, type AuditFact, type DomainEvent } from '../domain/events';
import { isDuplicateKeyError } from '../errors';
import { insertManyOnce } from './insertMany';
import type { Models } from './models';
import { deleteInBatches } from './sweepBatches';

/** What a process learns when it wrote an event: webhook delivery is woken by it (src/webhooks/waker.ts). */
export interface EventWritten {
  id: string;
  type: string;
  tenantId: string | null;
}

/**
 * Event writes of this process, for whoever wants to react at once (the
 * webhook waker). A hint only: delivery reads the events collection, so a
 * lost notice costs latency, never an event.
 */
export const eventWrites = new EventEmitter<{ written: [EventWritten] }>();
eventWrites.setMaxListeners(50);

let sequence = 0;
let lastMs = 0;
const processTag = randomBytes(3).toString('hex');
/**
 * A new event ID: the write's millisecond, then this process's sequence (so
 * two events one step writes in the same millisecond keep their order),
 * then a per-process tag (IDs of two processes never collide). A process's
 * IDs only grow: never an earlier millisecond than the last ID's (a batch
 * stamps all its events with one `now`; a clock set back), and when the
 * 16-bit sequence wraps, the next millisecond — else the rest of a batch
 * written across the wrap would sort before its beginning.
 */
export function nextEventId(now = Date.now()): string {
  sequence = (sequence + 1) % 0x10000;
  lastMs = sequence === 0 ? Math.max(now, lastMs + 1) : Math.max(now, lastMs);
  return eventIdAt(lastMs, `${sequence.toString(16).padStart(4, '0')}${processTag}`);
}

/**
 * Write the event of an audited fact, once per audit key (the unique index
 * on `key` refuses a retried activity's second write). Called by
 * recordAudit in the same step as the audit record, whether or not that
 * record was new: a step that crashed between the two writes emits its
 * event when it is retried. The ID is taken at the write, so IDs follow
 * write order.
 */
export async function recordEvent(models: Models, key: string, fact: AuditFact): Promise<void> {
  const row = eventDocument(key, fact, new Date());
  if (!row) return;
  try {
    await models.events.create(row);
  } catch (err) {
    if (isDuplicateKeyError(err)) return;
    throw err;
  }
  eventWrites.emit('written', { id: row._id, type: row.type, tenantId: row.tenantId });
}

/** The stored event of an audited fact (null: the fact has no event), its ID taken now, so IDs follow write order. */
function eventDocument(key: string, fact: AuditFact, at: Date) {
  const id = nextEventId(at.getTime());
  const event = eventFromAudit(fact, id);
  if (!event) return null;
  return {
    _id: id,
    key,
    type: event.type,
    tenantId: event.tenantId,
    payload: JSON.stringify(event),
    recordedAt: at,
    day: dayOf(at.getTime()),
    part: partOf(id),
  };
}

/** recordEvent for many audited facts at once, in one unordered insert (an event whose key is taken is not written again). */
export async function recordEvents(models: Models, facts: ReadonlyArray<AuditFact & { key: string }>): Promise<void> {
  const at = new Date();
  const rows = facts.flatMap((fact) => eventDocument(fact.key, fact, at) ?? []);
  const refused = await insertManyOnce(models.events, rows);
  for (const r of rows) if (!refused.has(r._id)) eventWrites.emit('written', { id: r._id, type: r.type, tenantId: r.tenantId });
}

export interface EventQuery {
  /** null = every tenant (the operator). */
  tenantId: string | null;
  after: string | null;
  /** Exclusive upper bound (a settle point, or a replay's end). */
  before?: string | null;
  types?: readonly string[];
  limit: number;
}

/** Events in ID order after the cursor. */
export async function listEvents(models: Models, q: EventQuery): Promise<DomainEvent[]> {
  const idRange: Record<string, string> = {};
  if (q.after) idRange.$gt = q.after;
  if (q.before) idRange.$lt = q.before;
  const rows = await models.events
    .find({
      ...(q.tenantId !== null ? { tenantId: q.tenantId } : {}),
      ...(Object.keys(idRange).length > 0 ? { _id: idRange } : {}),
      ...(q.types && q.types.length > 0 ? { type: { $in: [...q.types] } } : {}),
    })
    .sort({ _id: 1 })
    .limit(q.limit)
    .lean();
  return rows.map((r) => JSON.parse(r.payload) as DomainEvent);
}

/** The newest event's ID, or a cursor at `now` when there is none: where a new endpoint starts. */
export async function latestEventId(models: Models, now = Date.now()): Promise<string> {
  const last = await models.events.findOne({}, { _id: 1 }).sort({ _id: -1 }).lean();
  return last?._id ?? cursorAt(now);
}

const DAY_MS = 86_400_000;
/** UTC days since the epoch: an event's `day`. */
export const dayOf = (ms: number): number => Math.floor(ms / DAY_MS);
/** How many parts a day is deleted in. */
export const PARTS = 16;
/**
 * An event's `part` of its day (0–15, from the ID's random tail): a day is
 * deleted a sixteenth at a time, because FerretDB on PostgreSQL refuses a
 * delete of more than 65,535 documents in one command.
 */
export const partOf = (id: string): number => parseInt(id.slice(-1), 16) % PARTS;

/** How many days before the retention's edge a sweep looks at (a sweeper stopped for longer leaves older days to the next process's first sweep). */
const LOOKBACK_DAYS = 7;
/** Per database: the last day a sweep deleted whole, and whether this process swept events without a `day` yet. */
const swept = new WeakMap<Models, { throughDay: number; legacyDone: boolean }>();

/**
 * Delete events (and webhook attempts and deliveries) older than the
 * retention period. Events go by whole UTC days, once the whole day is past
 * retention (so an event stays up to a day longer): sixteen deletes per day by
 * the indexed `day` and `part`, equalities FerretDB v1 pushes down, so a sweep
 * reads only the expiring day's events — a range on `_id` or `recordedAt`
 * makes it read every event the store holds, every minute. A day swept whole
 * is not looked at again by this process. The first sweep of a process
 * instead deletes by a range on `_id` (events written before `day` existed,
 * or left while no sweeper ran): a full read per batch of 50,000 until none
 * is left. Every delete is bounded (db/sweepBatches.ts: FerretDB on
 * PostgreSQL refuses to delete more than 65,535 documents at once).
 * Webhook attempts and deliveries are still deleted by a range on `at`.
 */
export async function sweepEvents(models: Models, retentionMs: number, now = new Date()): Promise<{ events: number; webhookAttempts: number }> {
  const before = new Date(now.getTime() - retentionMs);
  const lastWholeDay = dayOf(before.getTime()) - 1;
  const state = swept.get(models) ?? { throughDay: lastWholeDay - LOOKBACK_DAYS, legacyDone: false };
  let events = 0;
  if (!state.legacyDone) {
    const legacy = await deleteInBatches(models.events, { _id: { $lt: cursorAt((lastWholeDay + 1) * DAY_MS) } }, { maxBatches: 2 });
    events += legacy.deleted;
    if (legacy.done) swept.set(models, { throughDay: Math.max(state.throughDay, lastWholeDay), legacyDone: true });
  } else {
    // A day counts as swept only once every part of it is gone: a failure or a cut-short batch leaves it to the next sweep.
    let through = state.throughDay;
    for (let day = Math.max(state.throughDay + 1, lastWholeDay - LOOKBACK_DAYS); day <= lastWholeDay; day++) {
      let whole = true;
      for (let part = 0; part < PARTS; part++) {
        const r = await deleteInBatches(models.events, { day, part });
        events += r.deleted;
        whole &&= r.done;
      }
      if (!whole) break;
      through = day;
    }
    swept.set(models, { throughDay: Math.max(state.throughDay, through), legacyDone: true });
  }
  const webhookAttempts = (await deleteInBatches(models.webhookAttempts, { at: { $lt: before } })).deleted;
  await deleteInBatches(models.webhookDeliveries, { at: { $lt: before } });
  return { events, webhookAttempts };
}

/** The event reads the libraries make, bound to the models (src/store/store.ts). */
export function createEventStore(models: Models) {
  return {
    /** listEvents: events in ID order after the cursor. */
    list: (q: EventQuery) => listEvents(models, q),
    /** The events with these IDs (those that still exist). */
    byIds: (ids: readonly string[]) => models.events.find({ _id: { $in: ids } }).lean(),
  };
}
