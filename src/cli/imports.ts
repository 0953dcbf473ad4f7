import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SingleBar } from 'cli-progress';
import { UsageError } from './adminClient';

interface ImportView {
  id: string;
  status: string;
  rows: number;
  processed: number;
  counts: Record<string, number>;
  failure?: { reason: string; message: string } | null;
}

const OUTCOMES = ['created', 'linked', 'unchanged', 'pending', 'skipped', 'failed'];
const summary = (counts: Record<string, number>) => OUTCOMES.map((o) => `${o} ${counts[o] ?? 0}`).join('\t');

export interface ImportCommandArgs {
  base: string;
  token: string;
  tenant: string;
  file: string | undefined;
  values: Record<string, string | boolean | undefined>;
  out: (line: string) => void;
  /** One line of a refusal (stderr). */
  err: (line: string) => void;
  /** Where the progress bar is drawn (stderr, so stdout stays the summary). */
  progress: NodeJS.WritableStream;
  pollMs?: number;
}

/**
 * `onramp import FILE --tenant T [--dry-run] [--key K] [--format csv|jsonl] [--results out.csv]`:
 * streams the file to `POST …/imports`, draws a progress bar while the
 * import runs, then prints the rows per outcome (and saves the per-row
 * results). Exit 0 when every row went through (failed rows are reported,
 * not fatal), 1 when the API refused the file.
 */
export async function importCommand({ base, token, tenant, file, values, out, err, progress, pollMs = 500 }: ImportCommandArgs): Promise<number> {
  if (!file) throw new UsageError('onramp import <file> --tenant <slug>');
  await stat(file).catch(() => {
    throw new UsageError(`no such file: ${file}`);
  });
  const str = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  const format = str('format') ?? (extname(file).toLowerCase() === '.csv' ? 'csv' : 'jsonl');
  if (format !== 'csv' && format !== 'jsonl') throw new UsageError('--format takes csv or jsonl');
  const api = `${base}/api/admin/tenants/${encodeURIComponent(tenant)}/imports`;
  const auth = { authorization: `Bearer ${token}` };
  const query = new URLSearchParams({
    format,
    ...(values['dry-run'] === true ? { dryRun: 'true' } : {}),
    ...(str('key') ? { key: str('key') as string } : {}),
  });
  const res = await fetch(`${api}?${query}`, {
    method: 'POST',
    headers: { ...auth, 'content-type': format === 'csv' ? 'text/csv' : 'application/x-ndjson' },
    body: Readable.toWeb(createReadStream(file)) as ReadableStream,
    duplex: 'half',
  } as RequestInit);
  const body = (await res.json().catch(() => null)) as {
    import?: ImportView;
    dryRun?: true;
    counts?: Record<string, number>;
    results?: Array<Record<string, unknown>>;
    error?: { code: string; message: string };
  } | null;
  if (!res.ok || !body) {
    err(`onramp: ${res.status} ${body?.error?.code ?? 'error'}: ${body?.error?.message ?? res.statusText}`);
    return 1;
  }
  if (body.dryRun) {
    out(`dry run, nothing written: ${body.results?.length ?? 0} rows`);
    out(summary(body.counts ?? {}));
    for (const r of (body.results ?? []).filter((r) => r.outcome !== 'created' && r.outcome !== 'linked' && r.outcome !== 'unchanged').slice(0, 20)) {
      out(`row ${String(r.n)}\t${String(r.email)}\t${String(r.outcome)}\t${String(r.reason ?? '')}`);
    }
    return 0;
  }
  let view = body.import as ImportView;
  out(`import ${view.id}${res.status === 200 ? ' (this key was imported before: nothing new is done, or its failed rows are resumed)' : ''}`);
  const bar = new SingleBar({ stream: progress, format: '{bar} {value}/{total} rows | {summary}', hideCursor: false, noTTYOutput: true, notTTYSchedule: 2000 });
  bar.start(view.rows, view.processed, { summary: summary(view.counts) });
  while (view.status !== 'done' && view.status !== 'failed') {
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    const got = await fetch(`${api}/${view.id}`, { headers: auth });
    if (!got.ok) {
      bar.stop();
      err(`onramp: ${got.status} while reading the import's progress`);
      return 1;
    }
    view = (await got.json()) as ImportView;
    bar.update(view.processed, { summary: summary(view.counts) });
  }
  if (view.status === 'failed') {
    bar.stop();
    out(summary(view.counts));
    err(`onramp: the import failed (${view.failure?.reason ?? 'failed'}): ${view.failure?.message ?? ''}`);
    return 1;
  }
  bar.update(view.rows, { summary: summary(view.counts) });
  bar.stop();
  out(summary(view.counts));
  const resultsFile = str('results');
  if (resultsFile) {
    const results = await fetch(`${api}/${view.id}/results`, { headers: auth });
    if (!results.ok || !results.body) return 1;
    await pipeline(Readable.fromWeb(results.body as never), createWriteStream(resultsFile));
    out(`per-row results: ${resultsFile}`);
  } else {
    out(`per-row results: GET ${api}/${view.id}/results`);
  }
  return 0;
}
