import { createHash, randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Types } from 'mongoose';
import { countOutcomes, predictMember, zeroCounts, type MemberResult, type OutcomeCounts } from '../domain/memberResult';
import { loadAdminWorld } from '../store/adminWorld';
import type { ImportRecord, StoredImportRow } from '../store/imports';
import type { Store } from '../store/store';
import { duplicateTracker, MAX_IMPORT_ROWS, readImportRow, ROWS_PER_CHUNK, type ReadRow } from '../domain/importRows';
import { createImportResults } from './importResults';
import type { ProvisioningActor } from '../domain/provisioningContext';
import { isDuplicateKeyError, notFound, OnrampError } from '../errors';
import { countImport } from '../metrics/registry';
import type { ImportRunner } from '../runs/importClient';
import { digestOf, importFileBody, recordsOf, type ImportFormat } from './importFile';
import { ownerGrantCheck, refuseOwnerGrant } from './ownerGrants';
import { notThisListsCursor, page, type DocId } from './pagination';

/** An upload that wrote nothing for this long died: another upload under its key may take over. */
const STALE_UPLOAD_MS = 10 * 60_000;
/** How many rows a dry run plans at once. */
const DRY_RUN_PARALLEL = 8;

/** `_id` of an import: from the tenant and the caller's key, so the same key is the same import. */
export const importIdOf = (tenantId: string, key: string): string => `imp_${createHash('sha256').update(`${tenantId}\u0000${key}`).digest('hex').slice(0, 24)}`;

export interface ImportView {
  id: string;
  key: string;
  format: ImportFormat;
  status: 'receiving' | 'running' | 'done' | 'failed';
  rows: number;
  /** Why the import stopped (status `failed`): a reason code, the chunk, the product's message; null otherwise. */
  failure: { reason: string; chunk: number; message: string } | null;
  processed: number;
  counts: OutcomeCounts;
  createdAt: Date;
  finishedAt: Date | null;
}

/** A file row as stored: the request, or the reason it is none. */
function storedRow(n: number, row: ReadRow): StoredImportRow {
  if (row.ok) return { n, ...row.request, error: null, detail: null };
  return { n, email: row.email || '-', name: null, roles: [], groups: [], externalId: null, error: row.error, detail: row.detail };
}

/**
 * Bulk imports: the upload is read as a stream and stored in
 * chunks, then one import run provisions them (workflows/import.ts). A dry
 * run reads the same rows and plans each with the same pure planner against
 * the same world, writing nothing.
 */
export function createImportLibrary(store: Store, runner: ImportRunner) {
  /**
   * The file's rows, numbered from 1, each read or reported (duplicates after the first).
   * `mayGrantOwner: false` (a console admin who is not an owner): a row giving the owner role refuses the whole file.
   */
  async function* rowsOf(
    tenantId: Types.ObjectId,
    body: Readable,
    format: ImportFormat,
    asker: { actor: ProvisioningActor; mayGrantOwner?: boolean },
  ): AsyncGenerator<StoredImportRow> {
    const givesOwner = asker.mayGrantOwner === false ? await ownerGrantCheck(store, tenantId) : null;
    const track = duplicateTracker();
    let n = 0;
    for await (const record of recordsOf(body, format)) {
      n++;
      if (n > MAX_IMPORT_ROWS) throw new OnrampError('import_too_large', `An import is at most ${MAX_IMPORT_ROWS} rows; split the file.`, { status: 413 });
      const row = storedRow(
        n,
        'unreadable' in record ? { ok: false, email: '', error: 'row_malformed', detail: record.unreadable } : track(readImportRow(record.raw)),
      );
      if (givesOwner?.(row)) throw await refuseOwnerGrant(store, tenantId, asker.actor, `Row ${n}`);
      yield row;
    }
  }

  /** An import as answered; `justStarted` skips asking its run (nothing is done yet). */
  const view = async (doc: ImportRecord, justStarted = false): Promise<ImportView> => {
    const failure = doc.status === 'failed' && doc.failure ? { reason: doc.failure.reason, chunk: doc.failure.chunk, message: doc.failure.message } : null;
    const base = {
      id: doc._id,
      key: doc.key,
      format: doc.format as ImportFormat,
      status: doc.status as ImportView['status'],
      rows: doc.rows,
      failure,
      createdAt: doc.createdAt,
      finishedAt: doc.finishedAt ?? null,
    };
    if (doc.status === 'done') return { ...base, processed: doc.rows, counts: { ...zeroCounts(), ...(doc.summary as Partial<OutcomeCounts> | null) } };
    if (doc.status === 'receiving' || justStarted) return { ...base, processed: 0, counts: zeroCounts() };
    const progress = doc.status === 'running' ? await runner.progress(doc._id) : null;
    if (progress) return { ...base, processed: progress.processed, counts: progress.counts };
    // No run answers (or it failed): the chunks whose results are stored.
    const stored = await store.imports.storedOutcomes(doc._id);
    const counts = countOutcomes(stored.flatMap((c) => c.results));
    return { ...base, processed: Object.values(counts).reduce((a, b) => a + b, 0), counts };
  };

  const find = async (tenantId: Types.ObjectId, importId: string): Promise<ImportRecord> => {
    const doc = await store.imports.byId(importId);
    if (!doc || String(doc.tenantId) !== String(tenantId)) throw notFound('import');
    return doc;
  };

  return {
    /**
     * Receive a file and start its import. The same key again with the same
     * file (its SHA-256): the import it already is — importing a file twice
     * changes nothing; a failed one is resumed (rows already done are not
     * redone). The same key with another file: 409 `import_key_reused`
     * naming the import, nothing written. `existing` tells which.
     */
    async receive(
      tenantId: Types.ObjectId,
      input: { stream: Readable; format: ImportFormat; key: string | null; actor: ProvisioningActor; mayGrantOwner?: boolean },
    ): Promise<{ import: ImportView; existing: boolean }> {
      const key = input.key ?? randomBytes(12).toString('hex');
      const _id = importIdOf(String(tenantId), key);
      const before = await store.imports.byId(_id);
      const reused = () =>
        new OnrampError('import_key_reused', `This import key was used for another file (import ${_id}); send a new file under a new key.`, {
          status: 409,
          details: { importId: _id },
        });
      if (before && (before.status === 'running' || before.status === 'done')) {
        const digest = await digestOf(input.stream);
        if (before.contentHash && before.contentHash !== digest) throw reused();
        if (before.status === 'running')
          await runner.start({ importId: _id, tenantId: String(tenantId), actor: input.actor, chunks: before.chunks, rows: before.rows, counts: zeroCounts() });
        return { import: await view(before), existing: true };
      }
      const busy = () =>
        new OnrampError('import_in_progress', 'A file is being received under this import key; wait for it, then send again.', { status: 409 });
      /** Of concurrent takeovers of one state exactly one goes on: a unique insert (a conditional update is not atomic on FerretDB). */
      const claimTakeover = async (takeoverId: string) => {
        try {
          await store.imports.insertTakeover(takeoverId, _id);
        } catch (err) {
          if (isDuplicateKeyError(err)) throw busy();
          throw err;
        }
      };
      // A file received whole once (a failed import, or its resumption that went quiet): sending it again re-reads it,
      // keeps the chunks stored and adds any missing; its hash (when kept) must match.
      let resuming = false;
      if (before?.status === 'failed') {
        await claimTakeover(`${_id}:failed:${before.updatedAt.getTime()}`);
        await store.imports.markReceiving(_id);
        resuming = true;
      } else if (before) {
        // Another upload under this key is still arriving; one that went quiet died: take over.
        if (Date.now() - before.updatedAt.getTime() < STALE_UPLOAD_MS) throw busy();
        await claimTakeover(`${_id}:${before.updatedAt.getTime()}`);
        resuming = Boolean(before.contentHash);
        if (!resuming) {
          await store.imports.restartUpload(_id, input.format);
        }
      } else {
        try {
          await store.imports.create({ _id, tenantId, key, format: input.format, actor: input.actor });
        } catch (err) {
          if (isDuplicateKeyError(err)) throw busy();
          throw err;
        }
      }
      const file = importFileBody(input.stream);
      let rows = 0;
      let chunks = 0;
      let pending: StoredImportRow[] = [];
      /** Chunks this upload stored (a refused upload takes back only these). */
      const stored: string[] = [];
      const flush = async () => {
        if (pending.length === 0) return;
        try {
          stored.push(await store.imports.insertChunk(_id, chunks, pending));
        } catch (err) {
          // Stored by the first upload of this file: the same rows.
          if (!(resuming && isDuplicateKeyError(err))) throw err;
        }
        chunks++;
        pending = [];
        await store.imports.setRows(_id, resuming ? (before?.rows ?? rows) : rows); // alive: another upload under the key waits
      };
      const takeBack = async () => {
        if (resuming) {
          // The import stays what it was: failed, with its chunks and results.
          await store.imports.restoreFailed(_id, stored);
        } else {
          // Nothing half-received stays: the next upload under this key starts over.
          await store.imports.discardUpload(_id);
        }
      };
      try {
        for await (const row of rowsOf(tenantId, file.body, input.format, input)) {
          rows++;
          pending.push(row);
          if (pending.length === ROWS_PER_CHUNK) await flush();
        }
        await flush();
        const expectedHash = resuming ? (before?.contentHash ?? null) : null;
        if (expectedHash && file.digest() !== expectedHash) throw reused();
      } catch (err) {
        await takeBack();
        throw err;
      }
      await store.imports.markRunning(_id, { rows, chunks, contentHash: file.digest() });
      const started = { importId: _id, tenantId: String(tenantId), actor: input.actor, chunks, rows, counts: zeroCounts() };
      await (resuming ? runner.restart(started) : runner.start(started));
      countImport('received');
      return { import: await view((await store.imports.byId(_id)) as ImportRecord, true), existing: resuming };
    },

    /** What the import would do, row by row, writing nothing: the same rows, the same planner, the same world. */
    async dryRun(tenantId: Types.ObjectId, input: { stream: Readable; format: ImportFormat; actor: ProvisioningActor; mayGrantOwner?: boolean }) {
      const scope = { run: { workflowId: 'dry-run', runId: 'dry-run' }, tenantId: String(tenantId), source: 'import' as const, actor: input.actor };
      const results: Array<{ n: number; email: string } & MemberResult> = [];
      let batch: StoredImportRow[] = [];
      const plan = async () => {
        const planned = await Promise.all(
          batch.map(async (row) => {
            if (row.error) return { n: row.n, email: row.email, outcome: 'failed' as const, reason: row.error, detail: row.detail ?? null, userId: null };
            const request = { email: row.email, name: row.name ?? null, roles: [...row.roles], groups: [...row.groups], externalId: row.externalId ?? null };
            return {
              n: row.n,
              email: row.email,
              ...predictMember(
                await loadAdminWorld(store, { run: scope.run, tenantId: scope.tenantId, email: request.email, groups: request.groups }),
                request,
                scope,
              ),
            };
          }),
        );
        results.push(...planned);
        batch = [];
      };
      for await (const row of rowsOf(tenantId, importFileBody(input.stream).body, input.format, input)) {
        batch.push(row);
        if (batch.length === DRY_RUN_PARALLEL) await plan();
      }
      await plan();
      return { dryRun: true as const, rows: results.length, counts: countOutcomes(results), results };
    },

    get: async (tenantId: Types.ObjectId, importId: string) => view(await find(tenantId, importId)),

    async list(tenantId: Types.ObjectId, limit: number) {
      const docs = await store.imports.newest(tenantId, limit);
      return Promise.all(docs.map((d) => view(d)));
    },

    /**
     * The tenant's imports, newest first, a page at a time. The cursor is the
     * last import of the previous page (an import ID, looked up in this tenant:
     * any other is refused as `invalid_cursor`).
     */
    async listPage(tenantId: Types.ObjectId, limit: number, after: DocId | null) {
      let position: { createdAt: Date; _id: string } | null = null;
      if (after !== null) {
        const last = typeof after === 'string' ? await store.imports.positionOf(tenantId, after) : null;
        if (!last) throw notThisListsCursor();
        position = { createdAt: last.createdAt, _id: last._id };
      }
      const docs = await store.imports.olderThan(tenantId, position, limit);
      const { rows, nextCursor } = page(docs, limit);
      return { data: await Promise.all(rows.map((d) => view(d))), nextCursor };
    },

    ...createImportResults(store, find),
  };
}

export type ImportLibrary = ReturnType<typeof createImportLibrary>;
