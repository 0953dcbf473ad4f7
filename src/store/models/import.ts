import { Schema, type Connection, type InferSchemaType } from 'mongoose';
import { ROW_OUTCOMES } from '../../domain/adminProvisioning';

/** `_id` of one chunk of an import's rows or results: `<importId>:<chunk>` (a keyed read). */
export const importChunkKey = (importId: string, chunk: number): string => `${importId}:${chunk}`;

/**
 * A bulk import: one document per import, its rows and
 * results in chunks beside it. `_id` comes from the tenant and the import
 * key, so the same file sent again under its key is the same import.
 */
export const importSchema = new Schema(
  {
    _id: { type: String, required: true },
    tenantId: { type: Schema.Types.ObjectId, required: true },
    /** The caller's import key (or a generated one). */
    key: { type: String, required: true },
    format: { type: String, enum: ['csv', 'jsonl'], required: true },
    /** receiving: rows still arriving; running: the workflow provisions them; done; failed: a chunk failed for good (sending the file again resumes). */
    status: { type: String, enum: ['receiving', 'running', 'done', 'failed'], required: true },
    /** Hex SHA-256 of the file as sent: the same key with a different file is refused. Null for imports stored before it was kept. */
    contentHash: { type: String, default: null },
    /** Why the import failed (status `failed`): a reason code, the chunk, and the product's message. */
    failure: {
      type: new Schema(
        {
          reason: { type: String, required: true },
          chunk: { type: Number, required: true },
          message: { type: String, required: true },
          at: { type: Date, required: true },
        },
        { _id: false },
      ),
      default: null,
    },
    rows: { type: Number, required: true, default: 0 },
    chunks: { type: Number, required: true, default: 0 },
    /** Rows per outcome, once done. */
    summary: { type: new Schema(Object.fromEntries(ROW_OUTCOMES.map((o) => [o, { type: Number, required: true }])), { _id: false }), default: null },
    actor: { type: { type: String, required: true }, id: { type: String, default: null } },
    finishedAt: { type: Date, default: null },
  },
  { timestamps: true, collection: 'imports' },
);
importSchema.index({ tenantId: 1, createdAt: 1 });

/** One import row as received: the request, or why it cannot be one (bad email, duplicate…). */
const importRowSchema = new Schema(
  {
    /** The row's number in the file (1 = the first data row). */
    n: { type: Number, required: true },
    email: { type: String, required: true },
    name: { type: String, default: null },
    roles: { type: [String], default: [] },
    groups: { type: [String], default: [] },
    externalId: { type: String, default: null },
    error: { type: String, default: null },
    detail: { type: String, default: null },
  },
  { _id: false },
);

export const importChunkSchema = new Schema(
  {
    _id: { type: String, required: true },
    importId: { type: String, required: true },
    rows: { type: [importRowSchema], required: true },
  },
  { timestamps: true, collection: 'import_chunks' },
);
importChunkSchema.index({ importId: 1 });

const rowResultSchema = new Schema(
  {
    n: { type: Number, required: true },
    email: { type: String, required: true },
    outcome: { type: String, enum: ROW_OUTCOMES, required: true },
    reason: { type: String, default: null },
    detail: { type: String, default: null },
    userId: { type: String, default: null },
  },
  { _id: false },
);

/** A chunk's per-row results, written once the chunk is provisioned: a retried chunk finds them and does nothing again. */
export const importResultSchema = new Schema(
  {
    _id: { type: String, required: true },
    importId: { type: String, required: true },
    results: { type: [rowResultSchema], required: true },
  },
  { timestamps: true, collection: 'import_results' },
);
importResultSchema.index({ importId: 1 });

export type ImportDoc = InferSchemaType<typeof importSchema> & { _id: string; createdAt: Date; updatedAt: Date };
export type ImportRow = InferSchemaType<typeof importRowSchema>;
export type RowResult = InferSchemaType<typeof rowResultSchema>;
export const importModel = (conn: Connection) => conn.model('Import', importSchema);
export const importChunkModel = (conn: Connection) => conn.model('ImportChunk', importChunkSchema);
export const importResultModel = (conn: Connection) => conn.model('ImportResult', importResultSchema);

/**
 * One takeover of a stale upload (`_id` `<importId>:<updatedAt ms>`: the
 * stale state it replaces). Of concurrent takeovers of one import key,
 * the one that inserts it goes on; the others are told the import is busy.
 */
export const importTakeoverSchema = new Schema(
  {
    _id: { type: String, required: true },
    importId: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { collection: 'import_takeovers', versionKey: false },
);
export const importTakeoverModel = (conn: Connection) => conn.model('ImportTakeover', importTakeoverSchema);
