/**
 * Admin provisioning scenarios of `npm run bench`, durable and
 * inline in the same run:
 *
 * - import: one CSV of N rows (10,000 by default) posted to `POST …/imports`
 *   and polled until done — rows/s from the upload to the last row.
 * - invitation-accept: invitations (at most 20: the per-IP limit of code
 *   requests in 15 minutes, and the bench has one IP) to addresses no SSO governs; each
 *   invitee's page, code request and mailed code are prepared untimed; the
 *   timed request is the code's POST, which runs the acceptance and answers
 *   with a session (303).
 */
import type { Models } from '../src/store/models';
import { drive, type LoadResult, type Prepared } from './load';

export interface ImportBenchResult {
  rows: number;
  /** Rows done when the import ended (or the bench's deadline came). */
  processed: number;
  seconds: number;
  rowsPerSecond: number;
  counts: Record<string, number>;
}

interface Api {
  url: string;
  token: string;
}

const headers = (api: Api, type = 'application/json') => ({ authorization: `Bearer ${api.token}`, 'content-type': type });

export async function importRows(api: Api, tenant: string, domain: string, rows: number, deadline: number): Promise<ImportBenchResult> {
  const csv = ['email,name,roles', ...Array.from({ length: rows }, (_, i) => `row${i}@${domain},Row ${i},member`)].join('\n');
  const started = Date.now();
  const res = await fetch(`${api.url}/api/admin/tenants/${tenant}/imports?key=bench`, { method: 'POST', headers: headers(api, 'text/csv'), body: csv });
  if (res.status !== 202) throw new Error(`import: ${res.status} ${await res.text()}`);
  const { import: created } = (await res.json()) as { import: { id: string } };
  for (;;) {
    const view = (await (await fetch(`${api.url}/api/admin/tenants/${tenant}/imports/${created.id}`, { headers: headers(api) })).json()) as {
      status: string;
      processed: number;
      counts: Record<string, number>;
    };
    if (view.status === 'done' || Date.now() > deadline) {
      const seconds = (Date.now() - started) / 1000;
      return {
        rows,
        processed: view.processed,
        seconds: Math.round(seconds * 10) / 10,
        rowsPerSecond: Math.round((view.processed / seconds) * 10) / 10,
        counts: view.counts,
      };
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** A browser's cookie and the CSRF token of the last page. */
async function page(url: string, cookie: string, form?: Record<string, string>) {
  const res = await fetch(url, {
    method: form ? 'POST' : 'GET',
    redirect: 'manual',
    headers: { cookie, ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    ...(form ? { body: new URLSearchParams(form).toString() } : {}),
  });
  const html = await res.text();
  return { cookie: res.headers.get('set-cookie')?.split(';')[0] ?? cookie, csrf: /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '' };
}

export async function invitationAccepts(api: Api, models: Models, tenant: string, count: number, concurrency: number, deadline: number): Promise<LoadResult> {
  const prepared: Prepared[] = [];
  for (let i = 0; i < count; i++) {
    const email = `guest${i}@guests.bench.test`;
    const res = await fetch(`${api.url}/api/admin/tenants/${tenant}/invitations`, { method: 'POST', headers: headers(api), body: JSON.stringify({ email }) });
    if (res.status !== 201) throw new Error(`invitation: ${res.status} ${await res.text()}`);
    const path = new URL(((await res.json()) as { acceptUrl: string }).acceptUrl).pathname;
    const opened = await page(`${api.url}${path}`, '');
    const asked = await page(`${api.url}${path}/code`, opened.cookie, { _csrf: opened.csrf, email });
    const mail = await models.outbox.findOne({ to: email, subject: /code/ }).sort({ _id: -1 }).lean();
    const code = /is (\d{6})/.exec(mail?.text ?? '')?.[1] ?? '';
    const form = new URLSearchParams({ _csrf: asked.csrf || opened.csrf, email, code }).toString();
    prepared.push({
      subject: email,
      send: () =>
        fetch(`${api.url}${path}/verify`, {
          method: 'POST',
          redirect: 'manual',
          headers: { cookie: asked.cookie, 'content-type': 'application/x-www-form-urlencoded' },
          body: form,
        }),
    });
  }
  return drive(prepared, concurrency, deadline);
}
