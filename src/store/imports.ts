import type { Types } from 'mongoose';
import type { ProvisioningActor } from '../domain/provisioningContext';
import type { Models } from './models';
import { importChunkKey, type ImportDoc, type ImportRow, type RowResult } from './models/import';

/** An import as stored (lean). */
export type ImportRecord = ImportDoc;
/** One stored file row: the request, or why it is none. */
export type StoredImportRow = ImportRow;
/** One row's stored result. */
export type ImportRowResult = RowResult;

/** Bulk imports: the import, its rows in chunks, its per-row results in chunks, and upload takeovers. */
export function createImportStore(models: Models) {
  return {
    /** The import with this ID, or null. */
    byId: async (id: string) => (await models.imports.findById(id).lean()) as ImportRecord | null,
    /** The tenant's import with this ID (only `createdAt` read), or null. */
    positionOf: (tenantId: Types.ObjectId, id: string) => models.imports.findOne({ _id: id, tenantId }, { createdAt: 1 }).lean(),
    /** The tenant's newest `limit` imports. */
    newest: async (tenantId: Types.ObjectId, limit: number) =>
      (await models.imports.find({ tenantId }).sort({ createdAt: -1 }).limit(limit).lean()) as ImportRecord[],
    /** Up to `limit + 1` of the tenant's imports, newest first, older than `last` (from the first when null): the caller pages. */
    olderThan: async (tenantId: Types.ObjectId, last: { createdAt: Date; _id: string } | null, limit: number) =>
      (await models.imports
        .find({
          tenantId,
          ...(last ? { $or: [{ createdAt: { $lt: last.createdAt } }, { createdAt: last.createdAt, _id: { $lt: last._id } }] } : {}),
        })
        .sort({ createdAt: -1, _id: -1 })
        .limit(limit + 1)
        .lean()) as ImportRecord[],
    /** Insert a new import, receiving; a taken `_id` throws the driver's duplicate-key error. */
    create: async ({ _id, tenantId, key, format, actor }: { _id: string; tenantId: Types.ObjectId; key: string; format: string; actor: ProvisioningActor }) => {
      await models.imports.create({ _id, tenantId, key, format, status: 'receiving', actor });
    },
    /** Take over a stuck or failed upload: a unique insert of `takeoverId` (a taken one throws the driver's duplicate-key error). */
    insertTakeover: async (takeoverId: string, importId: string) => {
      await models.importTakeovers.create({ _id: takeoverId, importId, at: new Date() });
    },
    /** Set the import receiving again (a failed import's file sent again). */
    markReceiving: async (id: string) => {
      await models.imports.updateOne({ _id: id }, { $set: { status: 'receiving' } });
    },
    /** Start a dead upload over: its chunks deleted, its rows zeroed, its format set. */
    restartUpload: async (id: string, format: string) => {
      await models.importChunks.deleteMany({ importId: id });
      await models.imports.updateOne({ _id: id }, { $set: { rows: 0, format } });
    },
    /** Insert chunk `chunk` of the import's rows; a chunk already stored throws the driver's duplicate-key error. Returns its ID. */
    insertChunk: async (importId: string, chunk: number, rows: StoredImportRow[]) => {
      const _id = importChunkKey(importId, chunk);
      await models.importChunks.create({ _id, importId, rows });
      return _id;
    },
    /** Set how many rows were received (also: the upload is alive). */
    setRows: async (id: string, rows: number) => {
      await models.imports.updateOne({ _id: id }, { $set: { rows } });
    },
    /** A refused resumption: the chunks it stored deleted, the import failed again (if still receiving). */
    restoreFailed: async (id: string, chunkIds: readonly string[]) => {
      await models.importChunks.deleteMany({ _id: { $in: chunkIds } });
      await models.imports.updateOne({ _id: id, status: 'receiving' }, { $set: { status: 'failed' } });
    },
    /** A refused first upload: its chunks and the import (if still receiving) deleted. */
    discardUpload: async (id: string) => {
      await models.importChunks.deleteMany({ importId: id });
      await models.imports.deleteOne({ _id: id, status: 'receiving' });
    },
    /** The file received whole: running, with its rows, chunks and hash, no failure. */
    markRunning: async (id: string, received: { rows: number; chunks: number; contentHash: string }) => {
      await models.imports.updateOne({ _id: id }, { $set: { status: 'running', ...received, failure: null } });
    },
    /** Every stored result chunk of the import (only the outcomes). */
    storedOutcomes: (importId: string) => models.importResults.find({ importId }, { 'results.outcome': 1 }).lean(),
    /** The results of chunk `chunk` of the import, or null when not stored yet. */
    resultChunk: (importId: string, chunk: number) => models.importResults.findById(importChunkKey(importId, chunk)).lean(),
    /** Chunk `chunk` of the import's rows, or null. */
    rowChunk: (importId: string, chunk: number) => models.importChunks.findById(importChunkKey(importId, chunk)).lean(),
    /** Store the results of chunk `chunk`; results already stored throw the driver's duplicate-key error. */
    insertResults: async (importId: string, chunk: number, results: ImportRowResult[]) => {
      await models.importResults.create({ _id: importChunkKey(importId, chunk), importId, results });
    },
    /** A running import failed: `failed`, with why (an import no longer running is left as it is). */
    markFailed: async (id: string, failure: { reason: string; chunk: number; message: string; at: Date }) => {
      await models.imports.updateOne({ _id: id, status: 'running' }, { $set: { status: 'failed', failure } });
    },
    /** The import is done: its summary and end time stored, no failure. */
    markDone: async (id: string, summary: Record<string, number>, finishedAt: Date) => {
      await models.imports.updateOne({ _id: id }, { $set: { status: 'done', summary, failure: null, finishedAt } });
    },
  };
}
