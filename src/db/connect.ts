import mongoose, { type Connection } from 'mongoose';
import { createModels, ensureIndexes, type Models } from './models';

export interface Database {
  connection: Connection;
  models: Models;
  close(): Promise<void>;
}

export async function connectDatabase(uri: string, dbName: string): Promise<Database> {
  const connection = mongoose.createConnection(uri, {
    dbName,
    autoIndex: false,
    autoCreate: false,
    serverSelectionTimeoutMS: 10_000,
  });
  await connection.asPromise();
  const models = createModels(connection);
  await ensureIndexes(models);
  return { connection, models, close: () => connection.close() };
}
