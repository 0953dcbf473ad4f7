import { beforeAll, describe, expect, it } from 'vitest';
import { newIdp, samlSignIn, useSamlTenants, user, type Harness, type SamlConnectionInfo } from '../support/harness';
import { waitForSignInRuns } from '../support/temporal';

/** The console's import form: what a tenant admin who is not an owner may import, and a form sent twice. */
describe('admin console: imports by a tenant admin', () => {
  let h: Harness;
  const idp = newIdp('cimp');
  let conn: SamlConnectionInfo;
  let adminCookie = '';

  const get = (path: string) => fetch(`${h.url}${path}`, { headers: { cookie: adminCookie }, redirect: 'manual' });
  const formOf = async () => {
    const html = await (await get('/console/t/cimp/imports')).text();
    return {
      csrf: /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '',
      key: /name="key" value="([^"]+)"/.exec(html)?.[1] ?? null,
    };
  };
  const upload = (form: { csrf: string; key: string | null }, csv: string, dryRun = false) => {
    const body = new FormData();
    body.set('_csrf', form.csrf);
    if (form.key !== null) body.set('key', form.key);
    if (dryRun) body.set('dryRun', 'true');
    body.set('file', new Blob([csv], { type: 'text/csv' }), 'people.csv');
    return fetch(`${h.url}/console/t/cimp/imports`, { method: 'POST', redirect: 'manual', headers: { cookie: adminCookie }, body });
  };

  useSamlTenants([{ slug: 'cimp', idp }], (harness, conns) => ([h, [conn]] = [harness, conns as [SamlConnectionInfo]]));
  beforeAll(async () => {
    // Ada administers the tenant through a group granting `admin`; she is not an owner.
    const ada = await samlSignIn(conn, idp, user('ada', 'cimp.test'));
    adminCookie = ada.cookie ?? '';
    await waitForSignInRuns(h.services.client, conn.id, 'ada@cimp.test');
    const adaId = String((await h.services.db.models.users.findOne({ email: 'ada@cimp.test' }).lean())?._id);
    await h.admin('POST', '/tenants/cimp/groups', { name: 'admins', roles: ['admin'] });
    await h.admin('POST', '/tenants/cimp/groups', { name: 'owners', roles: ['owner'] });
    await h.admin('PUT', `/tenants/cimp/members/${adaId}/groups/admins`);
    await h.admin('PUT', '/tenants/cimp/domains', { domains: [{ domain: 'cimp.test', verified: true }] });
  });

  it('a file giving the owner role, directly or through a group that grants it, is refused whole (403 forbidden); nothing is stored or provisioned', async () => {
    const { models } = h.services.db;
    const form = await formOf();
    for (const csv of [
      'email,roles\nolga@cimp.test,owner\n',
      'email,groups\nmia@cimp.test,owners\n',
      'email,roles\nzed@cimp.test,member\nolga@cimp.test,admin;owner\n',
    ]) {
      for (const dryRun of [true, false]) {
        const res = await upload(form, csv, dryRun);
        expect(res.status, csv).toBe(403);
        const page = await res.text();
        expect(page).toContain('forbidden');
        expect(page).toContain('only an owner of the organization may give or take the owner role');
      }
    }
    expect(await models.imports.countDocuments({})).toBe(0);
    expect(await models.auditEvents.countDocuments({ action: 'owner_grant.refused' })).toBe(6);
    expect(await models.importChunks.countDocuments({})).toBe(0);
    expect(await models.users.countDocuments({ email: { $in: ['olga@cimp.test', 'mia@cimp.test', 'zed@cimp.test'] } })).toBe(0);
    // Her file without the owner role goes through.
    const ok = await upload(await formOf(), 'email,roles\nnina@cimp.test,admin\n');
    expect(ok.status).toBe(303);
    expect(await models.imports.countDocuments({})).toBe(1);
  });

  it('the same form sent twice (a double click) starts one import, and both answers lead to it', async () => {
    const { models } = h.services.db;
    const before = await models.imports.countDocuments({});
    const form = await formOf();
    const csv = 'email,name\ncy@cimp.test,Cy\n';
    const first = await upload(form, csv);
    const second = await upload(form, csv);
    expect(first.status).toBe(303);
    expect(second.status).toBe(303);
    expect(second.headers.get('location')).toBe(first.headers.get('location'));
    expect(await models.imports.countDocuments({})).toBe(before + 1);
    // Both at once: still one import.
    const again = await formOf();
    const both = await Promise.all([upload(again, 'email\ndee@cimp.test\n'), upload(again, 'email\ndee@cimp.test\n')]);
    expect(both.map((r) => r.status)).toEqual([303, 303]);
    expect(both[1]?.headers.get('location')).toBe(both[0]?.headers.get('location'));
    expect(await models.imports.countDocuments({})).toBe(before + 2);
    // A new page is a new form: another import.
    expect((await upload(await formOf(), csv)).status).toBe(303);
    expect(await models.imports.countDocuments({})).toBe(before + 3);
  });

  it('an upload nobody was admitted for is refused before its file is read, whatever the tenant in its path (no 64 MB held for a stranger)', async () => {
    for (const [path, status] of [
      ['/console/t/cimp/imports', 401],
      ['/console/t/X/imports', 400],
    ] as const) {
      // A body that starts and never ends: only a server that answers before reading it all answers at all.
      let pull = 0;
      const body = new ReadableStream<Uint8Array>({
        pull: async (controller) => {
          if (pull++ === 0) controller.enqueue(new TextEncoder().encode('--b\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\n'));
          else await new Promise((resolve) => setTimeout(resolve, 10_000));
        },
      });
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(), 3_000);
      const res = await fetch(`${h.url}${path}`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'multipart/form-data; boundary=b' },
        body,
        signal: abort.signal,
        duplex: 'half',
      } as RequestInit).finally(() => clearTimeout(timer));
      expect(res.status, path).toBe(status);
      abort.abort();
    }
  });

  it('a directory or webhook form sent twice (a double click, also at once) creates one; the second answer leads to it', async () => {
    const { models } = h.services.db;
    const formAt = async (path: string) => {
      const html = await (await get(path)).text();
      return { _csrf: /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '', key: /name="key" value="([^"]+)"/.exec(html)?.[1] ?? '' };
    };
    const post = (path: string, fields: Record<string, string>) =>
      fetch(`${h.url}${path}`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: adminCookie, 'content-type': 'application/x-www-form-urlencoded', origin: h.url },
        body: new URLSearchParams(fields).toString(),
      });
    const tenantId = (await models.tenants.findOne({ slug: 'cimp' }).lean())?._id;

    const dirForm = await formAt('/console/t/cimp/directories');
    expect(dirForm.key).not.toBe('');
    const dirs = await Promise.all([1, 2].map(() => post('/console/t/cimp/directories', { ...dirForm, name: 'Entra', provider: 'entra' })));
    expect(dirs.map((r) => r.status).sort()).toEqual([201, 303]);
    expect(await models.scimDirectories.countDocuments({ tenantId })).toBe(1);
    const directory = await models.scimDirectories.findOne({ tenantId }).lean();
    expect(dirs.find((r) => r.status === 303)?.headers.get('location')).toBe(`/console/t/cimp/directories/${String(directory?._id)}`);
    expect(await models.auditEvents.countDocuments({ action: 'directory.created', 'target.id': String(directory?._id) })).toBe(1);

    const hookForm = await formAt('/console/t/cimp/webhooks');
    const hooks = [
      await post('/console/t/cimp/webhooks', { ...hookForm, url: 'https://hooks.cimp.test/onramp' }),
      await post('/console/t/cimp/webhooks', { ...hookForm, url: 'https://hooks.cimp.test/onramp' }),
    ];
    expect(hooks.map((r) => r.status)).toEqual([201, 303]);
    expect(await models.webhookEndpoints.countDocuments({ tenantId: String(tenantId) })).toBe(1);
    // A new form (another key) makes another.
    expect((await post('/console/t/cimp/directories', { ...(await formAt('/console/t/cimp/directories')), name: 'Okta', provider: 'okta' })).status).toBe(201);
    expect(await models.scimDirectories.countDocuments({ tenantId })).toBe(2);
  });
});
