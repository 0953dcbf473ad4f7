import mongoose, { type Connection } from 'mongoose';
import type { Logger } from '../logger';
import { createModels, ensureIndexes, type Models } from './models';
import { guardConnection, watchUnacknowledgedWrites } from './replyGuard';

export interface Database {
  connection: Connection;
  models: Models;
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
  const models = createModels(connection);
  await ensureIndexes(models);
  return { connection, models, close: () => connection.close() };
}
