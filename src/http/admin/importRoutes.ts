import { pipeline } from 'node:stream/promises';
import { Router } from 'express';
import { z } from 'zod';
import type { ImportLibrary } from '../../library/imports';
import type { createTenantLibrary } from '../../library/tenants';
import { IMPORT_FORMATS, type ImportFormat } from '../../library/importFile';
import { OnrampError, validationError } from '../../errors';
import { route } from '../route';
import { idempotencyKey, idempotencyKeyOf, tenantParams } from './schemas';

export interface ImportRouterDeps {
  tenants: ReturnType<typeof createTenantLibrary>;
  imports: ImportLibrary;
  actor: { type: 'admin'; id: string | null };
}

const counts = z.object({ created: z.number(), linked: z.number(), unchanged: z.number(), pending: z.number(), skipped: z.number(), failed: z.number() });
export const importOut = z.object({
  id: z.string(),
  key: z.string(),
  format: z.enum(IMPORT_FORMATS),
  status: z.enum(['receiving', 'running', 'done', 'failed']),
  rows: z.number(),
  /** Why the import stopped (status `failed`); sending the same file under the same key resumes it. */
  failure: z.object({ reason: z.string(), chunk: z.number(), message: z.string() }).nullable(),
  processed: z.number(),
  counts,
  createdAt: z.date(),
  finishedAt: z.date().nullable(),
});
const rowResult = z.object({
  n: z.number(),
  email: z.string(),
  outcome: z.string(),
  reason: z.string().nullable(),
  detail: z.string().nullable(),
  userId: z.string().nullable(),
});
const dryRunOut = z.object({ dryRun: z.literal(true), rows: z.number(), counts, results: z.array(rowResult) });
const receivedOut = z.object({ import: importOut });
/** The media types an import is read in (or name the format with `?format=`). */
const IMPORT_MEDIA_TYPES = ['text/csv', 'application/x-ndjson', 'application/jsonl'] as const;
const importQuery = z.strictObject({
  format: z.enum(IMPORT_FORMATS).optional(),
  key: idempotencyKey.optional(),
  dryRun: z.enum(['true', 'false']).optional(),
});
export const importParams = tenantParams.extend({ importId: z.string().regex(/^imp_[0-9a-f]{24}$/, 'must be an import id') });

/** The file's format: `?format=`, else its content type (text/csv; application/x-ndjson, application/jsonl). */
function formatOf(query: { format?: ImportFormat }, contentType: string | undefined): ImportFormat {
  if (query.format) return query.format;
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (type === 'text/csv') return 'csv';
  if (type === 'application/x-ndjson' || type === 'application/jsonl' || type === 'application/x-jsonlines') return 'jsonl';
  throw new OnrampError('unsupported_media_type', 'Send the file as text/csv or application/x-ndjson (JSON lines), or name it with ?format=csv|jsonl.', {
    status: 415,
  });
}

/**
 * Bulk imports: POST a CSV or JSON-lines body (streamed) → 202 with the
 * import (200 when its key names it already: the same file, or a failed
 * import resumed; 409 when the key was used for another file); `?dryRun=true`
 * → 200 with what each row would do, nothing written. GET one for progress;
 * its results as CSV once done.
 */
export function importRouter({ tenants, imports, actor }: ImportRouterDeps): Router {
  const r = Router();
  const tenantOf = (params: { tenant: string }) => tenants.bySlug(params.tenant);

  r.post(
    '/tenants/:tenant/imports',
    route(
      {
        summary:
          'Import members from a CSV or JSON-lines file (streamed): 202 started, 200 its key was imported already; ?dryRun=true: 200 with what each row would do',
        params: tenantParams,
        query: importQuery,
        rawBody: IMPORT_MEDIA_TYPES,
        answers: {
          200: { contentType: 'application/json', schema: z.union([dryRunOut, receivedOut]) },
          202: { contentType: 'application/json', schema: receivedOut },
        },
        errors: [409, 415],
      },
      async ({ params, query, req, res }) => {
        const tenant = await tenantOf(params);
        const format = formatOf(query, req.get('content-type'));
        if (query.dryRun === 'true') {
          res.status(200).json(dryRunOut.parse(await imports.dryRun(tenant._id, { stream: req, format, actor })));
          return;
        }
        // The key as `?key=` or as the Idempotency-Key header, both checked by one rule.
        const header = idempotencyKeyOf(req.get('idempotency-key'));
        if (query.key !== undefined && header !== null && header !== query.key) throw validationError('Idempotency-Key', 'differs from ?key=; send one key');
        const key = query.key ?? header;
        const received = await imports.receive(tenant._id, { stream: req, format, key, actor });
        res.status(received.existing ? 200 : 202).json(receivedOut.parse({ import: received.import }));
      },
    ),
  );

  r.get(
    '/tenants/:tenant/imports',
    route({ summary: "List the tenant's imports (newest 50)", params: tenantParams, response: z.object({ data: z.array(importOut) }) }, async ({ params }) => ({
      data: await imports.list((await tenantOf(params))._id, 50),
    })),
  );

  r.get(
    '/tenants/:tenant/imports/:importId',
    route({ summary: "Read an import's progress and counts", params: importParams, response: importOut }, async ({ params }) =>
      imports.get((await tenantOf(params))._id, params.importId),
    ),
  );

  r.get(
    '/tenants/:tenant/imports/:importId/results',
    route(
      {
        summary: "Download an import's row results as CSV (once it is done)",
        params: importParams,
        answers: { 200: { contentType: 'text/csv', schema: z.string() } },
        errors: [409],
      },
      async ({ params, res }) => {
        const csv = await imports.results((await tenantOf(params))._id, params.importId);
        if (!csv) throw new OnrampError('import_not_done', 'The import is still running; its results are ready once it is done.', { status: 409 });
        res.status(200).type('text/csv').attachment(`${params.importId}-results.csv`);
        // Ends the answer, and stops the reader when the client goes away.
        await pipeline(csv, res).catch((err: unknown) => {
          if ((err as { code?: string }).code !== 'ERR_STREAM_PREMATURE_CLOSE') throw err;
        });
      },
    ),
  );
  return r;
}
