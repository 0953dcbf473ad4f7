/**
 * Defences against a database connection that answers the wrong request.
 *
 * FerretDB v1 replies even to an unacknowledged write (`writeConcern: { w: 0 }`),
 * and the MongoDB driver never reads that reply: from then on every operation
 * on that pooled connection receives the previous operation's answer
 * (`findOne({_id:'b'})` returns document `a`). onramp never writes with `w: 0`
 * (test/unit/no-unacknowledged-writes.test.ts); these guards make sure a
 * connection that still gets out of step is noticed and thrown away instead
 * of answering with someone else's data:
 *
 * - `watchUnacknowledgedWrites`: any command sent with `w: 0` is logged as an
 *   error and the connection pool is reset at once (the stray reply dies with
 *   its connection);
 * - `idGuardPlugin`: a query by `_id` whose answer holds another `_id` is an
 *   infrastructure error (`db_reply_mismatch`, retryable), never data; the pool
 *   is reset so the retry runs on a fresh connection.
 */
import type { CommandStartedEvent, MongoClient } from 'mongodb';
import type { Connection, Query, Schema } from 'mongoose';
import { OnrampError } from '../errors';
import type { Logger } from '../logger';

/** The driver's pool of one server: the two calls used here (not part of the driver's public types). */
interface PoolLike {
  clear(options?: { interruptInUseConnections?: boolean }): void;
  ready(): void;
}
interface TopologyLike {
  s?: { servers?: Map<string, { pool?: PoolLike }> };
}

/**
 * Drop every pooled connection: each is closed when it is next checked in or
 * out (the pool's generation moves on), and new operations get new ones.
 */
export function resetPool(client: MongoClient): number {
  const topology = (client as unknown as { topology?: TopologyLike }).topology;
  let reset = 0;
  for (const server of topology?.s?.servers?.values() ?? []) {
    if (!server.pool) continue;
    server.pool.clear();
    server.pool.ready();
    reset++;
  }
  return reset;
}

const WRITE_COMMANDS = new Set(['insert', 'update', 'delete', 'findAndModify']);

/** Whether a driver command is an unacknowledged write (exported for the unit test). */
export function isUnacknowledgedWrite(commandName: string, command: Record<string, unknown>): boolean {
  if (!WRITE_COMMANDS.has(commandName)) return false;
  const wc = command.writeConcern as { w?: unknown } | undefined;
  return wc?.w === 0;
}

/** Needs the client built with `monitorCommands: true`. */
export function watchUnacknowledgedWrites(client: MongoClient, logger: Logger): void {
  client.on('commandStarted', (event: CommandStartedEvent) => {
    if (!isUnacknowledgedWrite(event.commandName, event.command as Record<string, unknown>)) return;
    logger.error(
      { alarm: 'unacknowledged_write', command: event.commandName, collection: event.command[event.commandName] },
      'an unacknowledged write (w: 0) was sent; the connection pool is reset so its stray reply cannot answer another query',
    );
    resetPool(client);
  });
}

type IdValue = { toString(): string } | string | number;

/** The `_id` a filter asks for: one value, a set (`$in`), or nothing to check. */
export function askedIds(filter: Record<string, unknown>): Set<string> | null {
  const id = filter._id as unknown;
  if (id === undefined || id === null) return null;
  if (typeof id === 'string' || typeof id === 'number') return new Set([String(id)]);
  if (id instanceof RegExp) return null; // a pattern, not an identity lookup
  if (typeof id === 'object') {
    const ops = id as Record<string, unknown>;
    if (Array.isArray(ops.$in)) return new Set(ops.$in.map((v) => String(v as IdValue)));
    const keys = Object.keys(ops);
    if (keys.some((k) => k.startsWith('$'))) return null; // $gt, $exists…: not an identity lookup
    return new Set([String(id as IdValue)]); // an ObjectId
  }
  return null;
}

/** The documents a query's result holds (lean or hydrated, one or many). */
function resultDocs(res: unknown): Array<{ _id?: unknown }> {
  if (res === null || res === undefined) return [];
  if (Array.isArray(res)) return res as Array<{ _id?: unknown }>;
  if (typeof res === 'object') return [res as { _id?: unknown }];
  return [];
}

export interface ReplyMismatch {
  collection: string;
  asked: string[];
  got: string;
}

/** Thrown when a document for another `_id` came back. Retryable (503), logged as an alarm. */
export const replyMismatchError = (m: ReplyMismatch): OnrampError =>
  new OnrampError('db_reply_mismatch', `the database answered a lookup by _id in ${m.collection} with another document`, {
    status: 503,
    expose: false,
    details: { ...m },
  });

const QUERY_OPS: Array<'find' | 'findOne' | 'findOneAndUpdate' | 'findOneAndDelete' | 'findOneAndReplace'> = [
  'find',
  'findOne',
  'findOneAndUpdate',
  'findOneAndDelete',
  'findOneAndReplace',
];

/** Where each connection's guard reports (the plugin is applied once per schema, shared by connections). */
const loggers = new WeakMap<Connection, Logger>();

/**
 * Guard a connection: a mongoose plugin checks, after every
 * find/findOne/findOneAnd* that names `_id`, that each returned document's
 * `_id` is one that was asked for. Call before the models are built.
 */
export function guardConnection(conn: Connection, logger: Logger): void {
  loggers.set(conn, logger);
  conn.plugin(idGuard, { deduplicate: true });
}

function idGuard(schema: Schema): void {
  schema.post(QUERY_OPS, { document: false, query: true }, function (this: Query<unknown, unknown>, res: unknown) {
    const asked = askedIds(this.getFilter() as Record<string, unknown>);
    if (!asked) return;
    for (const doc of resultDocs(res)) {
      if (doc._id === undefined) continue; // projected away
      const got = String(doc._id as IdValue);
      if (asked.has(got)) continue;
      const mismatch = { collection: this.model.collection.collectionName, asked: [...asked].slice(0, 5), got };
      loggers
        .get(this.model.db)
        ?.error({ alarm: 'db_reply_mismatch', ...mismatch }, 'a lookup by _id returned another document; resetting the connection pool');
      resetPool(this.model.db.getClient());
      throw replyMismatchError(mismatch);
    }
  });
}
