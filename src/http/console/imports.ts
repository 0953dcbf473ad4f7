import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import type { Router } from 'express';
import { ROW_OUTCOMES } from '../../domain/adminProvisioning';
import { OnrampError } from '../../errors';
import { MAX_IMPORT_BYTES, type ImportFormat } from '../../library/importFile';
import { importIdOf, type ImportView } from '../../library/imports';
import { importParams } from '../admin/importRoutes';
import { idempotencyKey, keyListQuery, tenantParams } from '../admin/schemas';
import { escapeHtml as e } from '../pages';
import { route } from '../route';
import { blankAsAbsent, type ConsoleContext, type ConsoleDeps } from './context';
import { dateTime, hiddenCsrf, hiddenFormKey, pager } from './layout';
import { consoleUpload, type UploadSpec } from './upload';

/**
 * The upload form's fields besides the file and its CSRF field: a dry run, as the API's `?dryRun=true`, and the
 * import key the page put in its form (the same form sent twice is one import, as the API's `?key=`).
 */
const uploadForm = z.object({
  dryRun: z.preprocess(blankAsAbsent, z.enum(['true']).optional()),
  key: z.preprocess(blankAsAbsent, idempotencyKey.optional()),
});
/** How many of a dry run's rows its answer lists (it stores nothing, so it has no pages). */
const DRY_RUN_ROWS_SHOWN = 200;
/** While an import runs, its page reloads itself this often. */
const REFRESH_SECONDS = 2;

/** The file read into memory, as large as the admin API reads (one file, a few small fields). */
const IMPORT_UPLOAD: UploadSpec = {
  field: 'file',
  fileSize: MAX_IMPORT_BYTES,
  fieldSize: 1024,
  fields: 5,
  tooLarge: () => new OnrampError('body_too_large', `An import is at most ${MAX_IMPORT_BYTES / 1024 / 1024} MB; split the file.`, { status: 413 }),
  notTheForm: 'The form was refused: send one file, in the "file" field.',
};

/** The file's format from its name or type: CSV (or JSON lines); anything else, or a file that is not text, is refused (415). */
function formatOfUpload(file: { originalname: string; mimetype: string; buffer: Buffer }): ImportFormat {
  const name = file.originalname.toLowerCase();
  const type = file.mimetype.toLowerCase();
  const notCsv = () =>
    new OnrampError(
      'unsupported_media_type',
      'That is not a CSV file: upload a .csv file with a header row (email, name, roles, groups), or JSON lines (.jsonl).',
      {
        status: 415,
      },
    );
  if (file.buffer.includes(0)) throw notCsv();
  if (name.endsWith('.csv') || type === 'text/csv') return 'csv';
  if (name.endsWith('.jsonl') || name.endsWith('.ndjson') || type === 'application/x-ndjson' || type === 'application/jsonl') return 'jsonl';
  throw notCsv();
}

const countsTable = (counts: Record<string, number>) =>
  `<table class="counts"><thead><tr>${ROW_OUTCOMES.map((o) => `<th scope="col">${e(o)}</th>`).join('')}</tr></thead><tbody><tr>${ROW_OUTCOMES.map(
    (o) => `<td data-outcome="${e(o)}">${counts[o] ?? 0}</td>`,
  ).join('')}</tr></tbody></table>`;

const statusText = (i: ImportView) => (i.status === 'done' ? 'completed' : i.status);

interface RowOut {
  n: number;
  email: string;
  outcome: string;
  reason: string | null;
  detail: string | null;
  userId: string | null;
}
const rowsTable = (slug: string, rows: RowOut[]) =>
  `<table><thead><tr><th scope="col">Row</th><th scope="col">Email</th><th scope="col">Outcome</th><th scope="col">Reason code</th><th scope="col">Detail</th><th scope="col">Member</th></tr></thead><tbody>${rows
    .map(
      (r) =>
        `<tr data-row="${r.n}" data-outcome="${e(r.outcome)}"><td>${r.n}</td><th scope="row">${e(r.email)}</th><td>${e(r.outcome)}</td><td>${r.reason ? `<code>${e(r.reason)}</code>` : ''}</td>
<td>${e(r.detail ?? '')}</td><td>${r.userId ? `<a href="/console/t/${e(slug)}/members/${e(r.userId)}">${e(r.userId)}</a>` : ''}</td></tr>`,
    )
    .join('')}</tbody></table>`;

/**
 * Imports: upload a CSV file (or a dry run of it), the tenant's imports
 * newest first, and an import's progress and per-row results — through the
 * import library, as the admin API's import routes.
 */
export function importPages(r: Router, deps: ConsoleDeps, ctx: ConsoleContext) {
  ctx.tenantPage('imports', 'imports', { query: keyListQuery }, async ({ tenant, query, csrf }) => {
    const base = `/console/t/${e(tenant.slug)}/imports`;
    const { data, nextCursor } = await deps.imports.listPage(tenant._id, query.limit, query.cursor);
    const upload = `<h2>Import members from a file</h2><form method="post" action="${base}" enctype="multipart/form-data">${hiddenCsrf(csrf)}
${hiddenFormKey()}
<p><label>CSV file <input type="file" name="file" accept=".csv,text/csv,.jsonl,application/x-ndjson" required></label></p>
<p class="muted">A header row, then one member a row: <code>email</code>, and optionally <code>name</code>, <code>roles</code> and <code>groups</code> (separated by <code>;</code>), <code>externalId</code>. At most ${MAX_IMPORT_BYTES / 1024 / 1024} MB.</p>
<p><label><input type="checkbox" name="dryRun" value="true"> Dry run: show what each row would do, and change nothing</label></p>
<p><button type="submit">Upload</button></p></form>`;
    const table = data.length
      ? `<table><thead><tr><th scope="col">Started</th><th scope="col">Status</th><th scope="col">Rows</th><th scope="col">Done</th>${ROW_OUTCOMES.map((o) => `<th scope="col">${e(o)}</th>`).join('')}</tr></thead><tbody>${data
          .map(
            (i) =>
              `<tr data-import="${e(i.id)}"><th scope="row"><a href="${base}/${e(i.id)}">${dateTime(i.createdAt)}</a></th><td>${e(statusText(i))}</td><td>${i.rows}</td><td>${i.processed}</td>${ROW_OUTCOMES.map(
                (o) => `<td>${i.counts[o]}</td>`,
              ).join('')}</tr>`,
          )
          .join('')}</tbody></table>`
      : '<p>No imports yet.</p>';
    return { title: 'Imports', body: `${upload}<h2>Imports</h2>${table}${pager(base, { limit: String(query.limit) }, nextCursor)}` };
  });

  ctx.tenantPage('imports/:importId', 'imports', { params: importParams, query: keyListQuery }, async ({ tenant, params, query }) => {
    const i = await deps.imports.get(tenant._id, params.importId);
    const { data, nextCursor } = await deps.imports.rowResults(tenant._id, i.id, query.limit, query.cursor);
    const base = `/console/t/${e(tenant.slug)}/imports/${e(i.id)}`;
    const running = i.status === 'running' || i.status === 'receiving';
    const facts = `<dl><dt>Status</dt><dd data-import-status="${e(i.status)}">${e(statusText(i))}${running ? ' <span class="muted">(this page reloads itself)</span>' : ''}</dd>
<dt>Progress</dt><dd><progress max="${i.rows}" value="${i.processed}"></progress> <span data-progress>${i.processed} of ${i.rows}</span> rows done</dd>
<dt>Started</dt><dd>${dateTime(i.createdAt)}</dd>${i.finishedAt ? `<dt>Finished</dt><dd>${dateTime(i.finishedAt)}</dd>` : ''}
${i.failure ? `<dt>Stopped</dt><dd><code>${e(i.failure.reason)}</code> at chunk ${i.failure.chunk}: ${e(i.failure.message)}</dd>` : ''}</dl>`;
    const results = data.length ? rowsTable(tenant.slug, data) : `<p>${running ? 'No row is done yet.' : 'No rows.'}</p>`;
    return {
      title: 'Import',
      body: `${facts}<h2>Rows per outcome</h2>${countsTable(i.counts)}<h2>Rows</h2>${results}${pager(base, { limit: String(query.limit) }, nextCursor)}
${i.status === 'done' ? `<p><a href="${base}/results.csv" download>Download every row's result (CSV)</a></p>` : ''}<p><a href="/console/t/${e(tenant.slug)}/imports">All imports</a></p>`,
      ...(running ? { refreshSeconds: REFRESH_SECONDS } : {}),
    };
  });

  /** Every row's result as CSV once the import is done (the admin API's download, for the session's admin). */
  r.get(
    '/console/t/:tenant/imports/:importId/results.csv',
    route(
      {
        params: importParams,
        guard: async ({ params, req }) => {
          const tenant = await deps.tenants.bySlug(params.tenant);
          await ctx.actorFor(req, String(tenant._id));
          return tenant;
        },
      },
      async ({ params, auth: tenant, res }) => {
        const csv = await deps.imports.results(tenant._id, params.importId);
        if (!csv) throw new OnrampError('import_not_done', 'The import is still running; its results are ready once it is done.', { status: 409 });
        res.status(200).type('text/csv').attachment(`${params.importId}-results.csv`);
        await pipeline(csv, res).catch((err: unknown) => {
          if ((err as { code?: string }).code !== 'ERR_STREAM_PREMATURE_CLOSE') throw err;
        });
      },
    ),
  );

  /** Only a tenant's admin (or the operator) gets as far as sending a file: the others are refused before it is read. */
  const upload = consoleUpload(ctx, IMPORT_UPLOAD);

  r.post(
    '/console/t/:tenant/imports',
    ...upload.handlers,
    route({ params: tenantParams, guard: ctx.formGuard, body: uploadForm }, async ({ auth, body, req, res }) =>
      ctx.attempt(req, res, auth.tenant, 'imports', 'The file was not imported', async () => {
        const file = upload.take(req);
        if (!file) throw new OnrampError('validation_failed', 'The form was refused: choose a CSV file to upload.', { status: 400 });
        const format = formatOfUpload(file);
        const stream = Readable.from([file.buffer]);
        if (body.dryRun) {
          const plan = await deps.imports.dryRun(auth.tenant._id, { stream, format, actor: auth.actor, mayGrantOwner: auth.mayActOnOwners });
          const shown = plan.results.slice(0, DRY_RUN_ROWS_SHOWN);
          const more = plan.rows > shown.length ? `<p class="muted">The first ${shown.length} of ${plan.rows} rows.</p>` : '';
          const page = `<div class="flash" role="status"><p>Dry run of ${e(file.originalname)}: ${plan.rows} rows read; nothing was changed.</p></div>
<h2>Rows per outcome</h2>${countsTable(plan.counts)}<h2>Rows</h2>${rowsTable(auth.tenant.slug, shown)}${more}
<p><a href="/console/t/${e(auth.tenant.slug)}/imports">Back to imports</a></p>`;
          await ctx.render(req, res, { title: 'Dry run', body: page, tenant: auth.tenant, current: 'imports' });
          return;
        }
        const key = body.key ?? null;
        const received = await deps.imports
          .receive(auth.tenant._id, { stream, format, key, actor: auth.actor, mayGrantOwner: auth.mayActOnOwners })
          .catch((err: unknown) => {
            // The same form sent again while its file is still arriving (a double click): follow that import.
            if (key !== null && err instanceof OnrampError && err.code === 'import_in_progress') return null;
            throw err;
          });
        if (!received) {
          await ctx.flashAndGo(
            req,
            res,
            `/console/t/${auth.tenant.slug}/imports/${importIdOf(String(auth.tenant._id), key ?? '')}`,
            'This file is being received.',
          );
          return;
        }
        await ctx.flashAndGo(
          req,
          res,
          `/console/t/${auth.tenant.slug}/imports/${received.import.id}`,
          `Import of ${file.originalname} started: ${received.import.rows} rows.`,
        );
      }),
    ),
  );
}
