import type { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { Types } from 'mongoose';
import type { ImportRecord, ImportRowResult } from '../store/imports';
import type { Store } from '../store/store';
import { ROWS_PER_CHUNK } from '../domain/importRows';
import { encodeCursor, notThisListsCursor, type DocId } from './pagination';

/** A per-row results cursor: the number of the last row of the previous page. */
const ROW_CURSOR = /^\d{1,6}$/;

/** A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR at the start) is written as text. */
const safeCell = (value: string): string => (/^[=+\-@\t\r]/.test(value) ? `'${value}` : value);

/** An import's per-row results, read chunk by chunk: a page of them (console, API) and all of them as CSV (download). */
export function createImportResults(store: Store, find: (tenantId: Types.ObjectId, importId: string) => Promise<ImportRecord>) {
  return {
    /**
     * An import's per-row results in row order, a page at a time, as far as
     * they are done: a running import's results end at its first chunk still
     * being provisioned. The cursor is the last row number of the previous page.
     */
    async rowResults(tenantId: Types.ObjectId, importId: string, limit: number, after: DocId | null) {
      const doc = await find(tenantId, importId);
      if (after !== null && (typeof after !== 'string' || !ROW_CURSOR.test(after))) throw notThisListsCursor();
      const from = after === null ? 0 : Number(after);
      const out: ImportRowResult[] = [];
      // Row n (from 1) is in chunk floor((n - 1) / ROWS_PER_CHUNK): the first row after `from` is in chunk floor(from / ROWS_PER_CHUNK).
      for (let chunk = Math.floor(from / ROWS_PER_CHUNK); chunk < doc.chunks && out.length <= limit; chunk++) {
        const stored = await store.imports.resultChunk(importId, chunk);
        if (!stored) break;
        out.push(...[...stored.results].sort((a, b) => a.n - b.n).filter((r) => r.n > from));
      }
      const kept = out.slice(0, limit);
      const last = kept[kept.length - 1];
      return {
        data: kept.map((r) => ({ n: r.n, email: r.email, outcome: r.outcome, reason: r.reason ?? null, detail: r.detail ?? null, userId: r.userId ?? null })),
        nextCursor: out.length > limit && last ? encodeCursor(String(last.n)) : null,
      };
    },

    /** The per-row results as CSV (row, email, outcome, reason, detail, user id), chunk by chunk; null until the import is done. */
    async results(tenantId: Types.ObjectId, importId: string): Promise<Readable | null> {
      const doc = await find(tenantId, importId);
      if (doc.status !== 'done') return null;
      const csv = stringify({ header: true, columns: ['row', 'email', 'outcome', 'reason', 'detail', 'userId'] });
      // Until the reader goes away (a closed download destroys the stream): never waiting for a drain that will not come.
      const drained = () =>
        new Promise<void>((resolve) => {
          const done = () => {
            csv.off('drain', done);
            csv.off('close', done);
            resolve();
          };
          csv.once('drain', done);
          csv.once('close', done);
        });
      void (async () => {
        try {
          for (let chunk = 0; chunk < doc.chunks && !csv.destroyed; chunk++) {
            const stored = await store.imports.resultChunk(importId, chunk);
            for (const r of stored?.results ?? []) {
              if (csv.destroyed) return;
              if (!csv.write([r.n, safeCell(r.email), r.outcome, r.reason ?? '', safeCell(r.detail ?? ''), r.userId ?? ''])) await drained();
            }
          }
          if (!csv.destroyed) csv.end();
        } catch (err) {
          csv.destroy(err instanceof Error ? err : new Error(String(err)));
        }
      })();
      return csv;
    },
  };
}
