import { Schema, type Connection } from 'mongoose';

/**
 * One change of a document whose writers take turns (db/turns.ts), under
 * `<document key>:<generation>` (a unique key: of writers that read the same
 * generation one wins). `set` is what the change writes (as `{ path, value }` pairs), so a change whose
 * writer died is applied by the next writer.
 */
export const documentChangeSchema = new Schema(
  {
    _id: { type: String, required: true },
    set: { type: Schema.Types.Mixed, required: true },
    at: { type: Date, required: true },
  },
  { collection: 'document_changes', versionKey: false, minimize: false },
);
export const documentChangeModel = (conn: Connection) => conn.model('DocumentChange', documentChangeSchema);
