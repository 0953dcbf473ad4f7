import type { CommandStartedEvent, CommandSucceededEvent, MongoClient } from 'mongodb';
import type { Models } from '../../src/store/models';

/**
 * Every read the driver sends, from its command monitoring (the connection is
 * opened with `monitorCommands: true`, src/store/connect.ts): which collection,
 * the filter's shape (field names and operators, never values), and what kind
 * of read it is:
 *
 * - `_id`: an equality on `_id`;
 * - `bounded`: an equality on an indexed field whose result is bounded —
 *   a limit, a unique index the equalities cover, a single-document
 *   update/delete, or a field that selects one subject's own documents
 *   (PER_SUBJECT: a user's memberships, a member's grants) — an `_id` range
 *   with a limit, or a read of configuration (CONFIGURATION: a tenant's
 *   connections, the webhook endpoints), whose size admins set;
 * - `unbounded`: anything else (its cost grows with the collection) —
 *   including `$in`, even on `_id`: FerretDB v1 pushes no `$in` down and
 *   reads the whole collection to answer it.
 *
 * Writes by filter (update, delete, findAndModify) are reads too: the server
 * must find the documents first.
 */
export type ReadKind = '_id' | 'bounded' | 'unbounded';

export interface ReadRecord {
  collection: string;
  command: string;
  shape: string;
  kind: ReadKind;
  /** Why a non-`_id` read counts as bounded (or what makes it unbounded). */
  why: string;
  /** Documents answered (find/aggregate batches, count's n, updated or deleted count). */
  docs: number;
}

interface IndexInfo {
  keys: string[];
  unique: boolean;
}

type Doc = Record<string, unknown>;
const isDoc = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v) && !('_bsontype' in v) && !(v instanceof Date);
const isOperatorDoc = (v: unknown): v is Doc => isDoc(v) && Object.keys(v).length > 0 && Object.keys(v).every((k) => k.startsWith('$'));

/** A filter's shape: `{tenantId, status:$in}`. */
export function filterShape(filter: unknown): string {
  if (!isDoc(filter)) return '{}';
  const parts = Object.entries(filter).map(([k, v]) => {
    if (k === '$or' || k === '$and' || k === '$nor') return `${k}[${Array.isArray(v) ? v.map(filterShape).join(',') : ''}]`;
    if (isOperatorDoc(v)) return `${k}:${Object.keys(v).join(':')}`;
    return k;
  });
  return `{${parts.join(', ')}}`;
}

/** The fields a filter holds by equality (a value, or `$eq`). */
function equalityFields(filter: Doc): Set<string> {
  const out = new Set<string>();
  for (const [k, v] of Object.entries(filter)) {
    if (k.startsWith('$')) continue;
    if (!isOperatorDoc(v) || '$eq' in v) out.add(k);
  }
  return out;
}

/**
 * Indexed fields whose equality selects one subject's own documents: bounded
 * by that account or member (a few memberships, the grants of one member),
 * not by the tenant's size.
 */
export const PER_SUBJECT: Readonly<Record<string, string>> = {
  'memberships.userId': "the account's memberships",
  'grants.membershipId': "the member's grants",
  'user_attributes.userId': "the account's custom attributes",
  'identities.userId': "the account's identities",
  'user_emails.userId': "the account's email claims",
};

/** Collections of configuration: as large as admins make them, whatever the number of members. */
export const CONFIGURATION: Readonly<Record<string, string>> = {
  saml_connections: "the tenant's SAML connections",
  oidc_connections: "the tenant's OIDC connections",
  scim_directories: "the tenant's directories",
  webhook_endpoints: 'the webhook endpoints',
  webhook_run_states: "the webhook endpoints' delivery states",
};

const isIdEquality = (f: Doc): boolean => '_id' in f && (!isOperatorDoc(f._id) || Object.keys(f._id).every((op) => op === '$eq'));
const isIdIn = (f: Doc): boolean => isOperatorDoc(f._id) && '$in' in f._id;

function isIdRange(filter: Doc): boolean {
  const id = filter._id;
  return isOperatorDoc(id) && Object.keys(id).every((op) => ['$gt', '$gte', '$lt', '$lte'].includes(op));
}

export function classify(
  collection: string,
  filter: unknown,
  indexes: readonly IndexInfo[],
  bound: { limit: boolean; single: boolean },
): { kind: ReadKind; why: string } {
  const f = isDoc(filter) ? filter : {};
  if (isIdEquality(f)) return { kind: '_id', why: '' };
  if (isIdIn(f)) return { kind: 'unbounded', why: '$in (not pushed down: reads the collection)' };
  if (isIdRange(f) && (bound.limit || bound.single)) return { kind: 'bounded', why: '_id range, limit' };
  const config = CONFIGURATION[collection];
  if (config) return { kind: 'bounded', why: config };
  const eq = equalityFields(f);
  const leading = indexes.filter((i) => i.keys[0] !== undefined && eq.has(i.keys[0]));
  if (leading.length === 0) return { kind: 'unbounded', why: 'no indexed equality' };
  if (bound.single) return { kind: 'bounded', why: 'indexed equality, one document' };
  if (leading.some((i) => i.unique && i.keys.every((k) => eq.has(k)))) return { kind: 'bounded', why: 'unique index' };
  const subject = [...eq].map((k) => PER_SUBJECT[`${collection}.${k}`]).find(Boolean);
  if (subject) return { kind: 'bounded', why: subject };
  if (bound.limit) return { kind: 'bounded', why: 'indexed equality, limit' };
  return { kind: 'unbounded', why: 'indexed equality without a bound' };
}

/** Each collection's indexes, from the models' schemas (what ensureIndexes creates). */
export function indexesOf(models: Models): Map<string, IndexInfo[]> {
  const out = new Map<string, IndexInfo[]>();
  for (const model of Object.values(models)) {
    const list: IndexInfo[] = [{ keys: ['_id'], unique: true }];
    for (const [keys, options] of model.schema.indexes()) list.push({ keys: Object.keys(keys), unique: (options as { unique?: boolean }).unique === true });
    out.set(model.collection.collectionName, list);
  }
  return out;
}

interface Pending {
  collection: string;
  command: string;
  entries: Array<{ shape: string; kind: ReadKind; why: string }>;
}

const READS = new Set(['find', 'aggregate', 'count', 'distinct', 'update', 'delete', 'findAndModify']);

/** Records every read on a client between start() and stop(). */
export function commandLog(client: MongoClient, models: Models) {
  const indexes = indexesOf(models);
  const pending = new Map<number, Pending>();
  const cursors = new Map<string, ReadRecord[]>();
  let records: ReadRecord[] = [];
  let on = false;
  let lastAt = Date.now();

  const started = (e: CommandStartedEvent) => {
    lastAt = Date.now();
    if (!on) return;
    const c = e.command as Doc;
    if (e.commandName === 'getMore') return;
    if (!READS.has(e.commandName)) return;
    const collection = String(c[e.commandName]);
    const idx = indexes.get(collection) ?? [{ keys: ['_id'], unique: true }];
    const one = (filter: unknown, bound: { limit: boolean; single: boolean }) => ({ shape: filterShape(filter), ...classify(collection, filter, idx, bound) });
    let entries: Pending['entries'] = [];
    switch (e.commandName) {
      case 'find':
        entries = [one(c.filter, { limit: typeof c.limit === 'number' && c.limit > 0, single: c.singleBatch === true && c.limit === 1 })];
        break;
      case 'aggregate': {
        const pipeline = Array.isArray(c.pipeline) ? (c.pipeline as Doc[]) : [];
        const match = pipeline.find((s) => '$match' in s)?.$match ?? {};
        entries = [one(match, { limit: pipeline.some((s) => '$limit' in s), single: false })];
        break;
      }
      case 'count':
      case 'distinct':
        entries = [one(c.query, { limit: typeof c.limit === 'number' && c.limit > 0, single: false })];
        break;
      case 'findAndModify':
        entries = [one(c.query, { limit: false, single: true })];
        break;
      case 'update':
        entries = ((c.updates as Doc[] | undefined) ?? []).map((u) => one(u.q, { limit: false, single: u.multi !== true }));
        break;
      case 'delete':
        entries = ((c.deletes as Doc[] | undefined) ?? []).map((d) => one(d.q, { limit: false, single: d.limit === 1 }));
        break;
    }
    pending.set(e.requestId, { collection, command: e.commandName, entries });
  };
  const succeeded = (e: CommandSucceededEvent) => {
    lastAt = Date.now();
    const reply = e.reply as Doc;
    const cursor = isDoc(reply.cursor) ? reply.cursor : null;
    if (e.commandName === 'getMore' && cursor) {
      const owner = cursors.get(String(cursor.id));
      const batch = Array.isArray(cursor.nextBatch) ? cursor.nextBatch.length : 0;
      const rec = owner?.[0];
      if (rec) rec.docs += batch;
      return;
    }
    const p = pending.get(e.requestId);
    if (!p) return;
    pending.delete(e.requestId);
    let docs = 0;
    if (cursor) docs = Array.isArray(cursor.firstBatch) ? cursor.firstBatch.length : 0;
    else if (typeof reply.n === 'number') docs = reply.n;
    else if (Array.isArray(reply.values)) docs = reply.values.length;
    else if (reply.value !== undefined) docs = reply.value === null ? 0 : 1;
    const made = p.entries.map((en, i) => ({ collection: p.collection, command: p.command, ...en, docs: i === 0 ? docs : 0 }));
    records.push(...made);
    if (cursor && String(cursor.id) !== '0') cursors.set(String(cursor.id), made);
  };
  const failed = (e: { requestId: number }) => pending.delete(e.requestId);
  client.on('commandStarted', started);
  client.on('commandSucceeded', succeeded);
  client.on('commandFailed', failed);

  return {
    /** Start recording afresh. */
    start() {
      records = [];
      on = true;
    },
    /** Wait until the driver has been quiet for `quietMs` (the durable tail finished), then stop and return what was read. */
    async stop(quietMs = 500, maxMs = 15_000): Promise<ReadRecord[]> {
      const deadline = Date.now() + maxMs;
      while (Date.now() - lastAt < quietMs && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      on = false;
      return records;
    },
    detach() {
      client.off('commandStarted', started);
      client.off('commandSucceeded', succeeded);
      client.off('commandFailed', failed);
    },
  };
}

/** One row per distinct read: collection, command, shape, kind, how many times, documents answered. */
type Summary = Omit<ReadRecord, 'docs'> & { count: number; docs: number };
export function summarize(records: readonly ReadRecord[]): Summary[] {
  const by = new Map<string, Summary>();
  for (const r of records) {
    const key = `${r.collection}|${r.command}|${r.shape}|${r.kind}`;
    const row = by.get(key) ?? { collection: r.collection, command: r.command, shape: r.shape, kind: r.kind, why: r.why, count: 0, docs: 0 };
    row.count += 1;
    row.docs += r.docs;
    by.set(key, row);
  }
  return [...by.values()].sort((a, b) => `${a.collection}${a.shape}`.localeCompare(`${b.collection}${b.shape}`));
}
