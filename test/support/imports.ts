import { parse } from 'csv-parse/sync';
import { expect } from 'vitest';
import type { Harness } from './harness';

export interface ImportAnswer {
  status: number;
  body: {
    import?: {
      id: string;
      key: string;
      status: string;
      rows: number;
      processed: number;
      counts: Record<string, number>;
      failure: { reason: string; chunk: number; message: string } | null;
    };
    dryRun?: true;
    counts?: Record<string, number>;
    results?: Array<{ n: number; email: string; outcome: string; reason: string | null }>;
    error?: { code: string; message: string; details?: Record<string, unknown> };
  };
}

/** POST a file to a tenant's imports, as an integrator would (a streamed body of the given type). */
export async function postImport(
  h: Harness,
  tenant: string,
  file: string,
  opts: { type?: string; query?: string; headers?: Record<string, string> } = {},
): Promise<ImportAnswer> {
  const res = await fetch(`${h.url}/api/admin/tenants/${tenant}/imports${opts.query ? `?${opts.query}` : ''}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${h.adminToken}`, 'content-type': opts.type ?? 'text/csv', ...opts.headers },
    body: file,
  });
  return { status: res.status, body: (await res.json()) as ImportAnswer['body'] };
}

/** Poll the import until it is done (or in the given status); its view then. */
export async function importDone(h: Harness, tenant: string, id: string, timeoutMs = 180_000, status = 'done') {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const got = await h.admin('GET', `/tenants/${tenant}/imports/${id}`);
    expect(got.status).toBe(200);
    const view = got.body as unknown as {
      status: string;
      rows: number;
      processed: number;
      counts: Record<string, number>;
      failure: { reason: string; chunk: number; message: string } | null;
    };
    if (view.status === status) return view;
    if (Date.now() > until) throw new Error(`import ${id} not done: ${JSON.stringify(view)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The import's per-row results CSV, parsed. */
export async function importResults(
  h: Harness,
  tenant: string,
  id: string,
): Promise<Array<{ row: string; email: string; outcome: string; reason: string; userId: string }>> {
  const res = await fetch(`${h.url}/api/admin/tenants/${tenant}/imports/${id}/results`, { headers: { authorization: `Bearer ${h.adminToken}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
  return parse(await res.text(), { columns: true }) as Array<{ row: string; email: string; outcome: string; reason: string; userId: string }>;
}

/** A CSV of people at `domain`: header row, then one row each. */
export const peopleCsv = (domain: string, from: number, count: number, extra = ''): string =>
  [
    'Email,Name,Roles,Groups,External ID',
    ...Array.from({ length: count }, (_, i) => `person${from + i}@${domain},Person ${from + i},member,${extra},E-${from + i}`),
  ].join('\r\n');
