import mongoose, { type Connection } from 'mongoose';
import type { Logger } from '../logger';
import { countClientErrors } from './clientMetrics';
import { createModels, ensureIndexes, type Models } from './models';
import { guardConnection, watchUnacknowledgedWrites } from './replyGuard';

export interface Database {
  connection: Connection;
  models: Models;
  /** The server answers a ping (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Connect, guard the connection against replies to other requests
 * (db/replyGuard.ts), build the models and their indexes.
 */
export async function connectDatabase(uri: string, dbName: string, logger: Logger): Promise<Database> {
  const connection = mongoose.createConnection(uri, {
    dbName,
    autoIndex: false,
    autoCreate: false,
    serverSelectionTimeoutMS: 10_000,
    monitorCommands: true,
  });
  const log = logger.child({ component: 'db' });
  guardConnection(connection, log);
  await connection.asPromise();
  watchUnacknowledgedWrites(connection.getClient(), log);
  countClientErrors(connection.getClient());
  const models = createModels(connection);
  await ensureIndexes(models);
  const ping = async () => {
    const db = connection.getClient().db(dbName);
    await db.command({ ping: 1 });
  };
  return { connection, models, ping, close: () => connection.close() };
}
