import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { cursorAt, eventIdAt } from '../../src/domain/events';
import { createApp } from '../../src/http/app';
import { registeredRoutes, type RegisteredRoute } from '../../src/http/openapi/routeTable';
import { routeDocOf } from '../../src/http/routeDoc';
import { fieldRefusals } from '../../src/http/validate';
import { encodeCursor } from '../../src/library/pagination';
import { createLogger } from '../../src/logger';
import { startHarness, type Harness } from '../support/harness';
import { seedTenantForApiRun } from '../support/openapiSeed';

/** A paged list as registered on the app: found by its query schema declaring a cursor field. */
interface PagedRoute {
  path: string;
  /** The query parameter that carries the cursor (`cursor`, or `after` for the events API). */
  field: string;
}

/** The app's routes as registered, built the way the harness's server was (createApp over the same services). */
const appRoutes = (h: Harness): RegisteredRoute[] =>
  registeredRoutes(
    createApp({
      config: h.config,
      models: h.services.db.models,
      logger: createLogger('warn', 'cursor-test'),
      signIn: h.services.signIn,
      libraries: h.services.libraries,
      readiness: h.services.readiness,
    }).app.router,
  );

/** Every GET route of the app whose query has a field refused as `invalid_cursor`: a new paged list is covered without being named here. */
function pagedRoutes(registered: RegisteredRoute[]): PagedRoute[] {
  const out: PagedRoute[] = [];
  for (const r of registered) {
    if (r.method !== 'GET') continue;
    for (const handler of r.handlers) {
      const query = routeDocOf(handler)?.query;
      if (!(query instanceof z.ZodObject)) continue;
      for (const [field, schema] of Object.entries(query.shape as Record<string, z.ZodType>)) {
        if (fieldRefusals.get(schema)?.code === 'invalid_cursor') out.push({ path: r.path, field });
      }
    }
  }
  return out;
}

/**
 * Every GET route that answers pages (its response declares `nextCursor`) or
 * reads a `cursor`/`after` parameter: each must be one pagedRoutes() finds,
 * so a new list that validates its cursor by hand (or not at all) fails here.
 */
function routesThatPage(registered: RegisteredRoute[]): string[] {
  const out: string[] = [];
  for (const r of registered) {
    if (r.method !== 'GET') continue;
    for (const handler of r.handlers) {
      const doc = routeDocOf(handler);
      const answersPages = doc?.response instanceof z.ZodObject && 'nextCursor' in doc.response.shape;
      const query = doc?.query instanceof z.ZodObject ? (doc.query.shape as Record<string, z.ZodType>) : {};
      for (const field of ['cursor', 'after']) if (field in query) out.push(`${r.path}?${field}`);
      if (answersPages && !('cursor' in query) && !('after' in query)) out.push(`${r.path}?(no cursor parameter)`);
    }
  }
  return out;
}

/** A seeded generator (mulberry32): the same cursors on every run, a failure reproducible by its seed. */
function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T;
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));
  const text = (n: number) =>
    Array.from({ length: n }, () => String.fromCodePoint(pick([int(0x80), 0x80 + int(0x780), 0x4e00 + int(0x500), 0x1f600 + int(0x50), int(0x20)]))).join('');
  return { int, pick, bytes, text };
}

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64url');

/** Cursors nobody handed out: the shapes an attacker or a broken client sends. */
const CRAFTED: string[] = [
  's:abc',
  's:{"$ne":null}',
  b64('s:abc'),
  b64('s:{"$ne":null}'),
  b64('o:{"$gt":""}'),
  b64('o:'),
  b64('s:'),
  'o:',
  '',
  b64(`o:${'z'.repeat(24)}`),
  b64(`o:${'A'.repeat(24)}`),
  b64('s:a\u0000b'),
  b64(`s:${'x'.repeat(601)}`),
  'x'.repeat(5000),
  b64('x'.repeat(2000)),
  'üñí©ødé-😀',
  b64('s:😀'),
  '%00',
  '../../etc/passwd',
  'evt_',
  'evt_0000000000000_zzzzzzzzzz',
  `${cursorAt(Date.now())}`,
  'null',
  'undefined',
  '[object Object]',
];

/** Cursors a list of this kind may accept (a well-formed position, whether or not a row sits there). */
const wellFormed = (field: string, rnd: ReturnType<typeof random>): string[] =>
  field === 'after'
    ? [eventIdAt(Date.now() - rnd.int(1e9), rnd.bytes(5).toString('hex'))]
    : [encodeCursor(new Types.ObjectId()), encodeCursor(`${new Types.ObjectId().toHexString()}:${rnd.bytes(6).toString('hex')}`)];

/** Random cursors: base64url of random bytes, of random tagged text, random text as is. */
const randomCursors = (rnd: ReturnType<typeof random>, n: number): string[] =>
  Array.from({ length: n }, () => {
    switch (rnd.int(4)) {
      case 0:
        return b64(rnd.bytes(1 + rnd.int(64)));
      case 1:
        return b64(`${rnd.pick(['o:', 's:', 'x:', ''])}${rnd.text(rnd.int(40))}`);
      case 2:
        return rnd.text(1 + rnd.int(30));
      default:
        return `${rnd.pick(['o:', 's:', 'evt_'])}${rnd.bytes(rnd.int(30)).toString(rnd.pick(['hex', 'base64', 'latin1'] as const))}`;
    }
  });

describe('page cursors on every paged list: 200 or 400 invalid_cursor, never a 500', () => {
  let h: Harness;
  let ids: Record<string, string>;
  let registered: RegisteredRoute[];
  let routes: PagedRoute[];
  let sessionCookie = '';

  beforeAll(async () => {
    h = await startHarness();
    ids = await seedTenantForApiRun(h, 'pc-acme');
    registered = appRoutes(h);
    routes = pagedRoutes(registered);
    // The tenant API answers a browser session: the operator's, from the console's token sign-in.
    const first = await fetch(`${h.url}/console`, { redirect: 'manual' });
    const cookie = (first.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await first.text())?.[1] ?? '';
    const login = await fetch(`${h.url}/console/login/token`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf, token: h.adminToken }).toString(),
    });
    expect(login.status).toBe(303);
    sessionCookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  });
  afterAll(async () => {
    await h?.close();
  });

  /** The route's path with the seeded tenant's ids; a parameter without a seeded value fails the test (seed one in openapiSeed.ts). */
  const pathOf = (route: PagedRoute): string =>
    route.path.replace(/:(\w+)/g, (_, name: string) => {
      const value = ids[name];
      if (value === undefined) throw new Error(`${route.path}: no seeded value for :${name} (add it to test/support/openapiSeed.ts)`);
      return encodeURIComponent(value);
    });

  /** Call a list as its callers do: the admin API with the token, the tenant API and the console's pages with a session. */
  const call = async (route: PagedRoute, query: string) => {
    const headers: Record<string, string> = route.path.startsWith('/api/admin/')
      ? { authorization: `Bearer ${h.adminToken}` }
      : route.path.startsWith('/api/tenants/') || route.path === '/console' || route.path.startsWith('/console/')
        ? { cookie: sessionCookie }
        : (() => {
            throw new Error(`${route.path}: no caller known for this paged list (teach the test how to call it)`);
          })();
    const res = await fetch(`${h.url}${pathOf(route)}${query}`, { headers });
    const text = await res.text();
    return {
      status: res.status,
      body: (text.startsWith('{') ? JSON.parse(text) : { raw: text }) as {
        error?: { code: string; message: string };
        data?: unknown[];
        nextCursor?: string | null;
      },
    };
  };

  it('finds every paged list from the routes themselves', () => {
    const found = routes.map((r) => `${r.path}?${r.field}`);
    // Every list that answers pages or reads a cursor declares it with the cursor schemas (src/http/pagination.ts).
    expect(routesThatPage(registered).filter((r) => !found.includes(r))).toEqual([]);
    for (const known of [
      '/api/admin/tenants?cursor',
      '/api/admin/tenants/:tenant/members?cursor',
      '/api/admin/tenants/:tenant/audit-events?cursor',
      '/api/admin/tenants/:tenant/approvals?cursor',
      '/api/admin/tenants/:tenant/directories/:directoryId/users?cursor',
      '/api/admin/tenants/:tenant/directories/:directoryId/groups?cursor',
      '/api/admin/tenants/:tenant/directories/:directoryId/operations?cursor',
      '/api/admin/tenants/:tenant/events?after',
      '/api/admin/events?after',
      '/api/tenants/:tenant/approvals?cursor',
      '/console/t/:tenant/groups?cursor',
      '/console/t/:tenant/imports?cursor',
      '/console/t/:tenant/imports/:importId?cursor',
    ]) {
      expect(found).toContain(known);
    }
  });

  it('refuses the cursors of the reported 500s with 400 invalid_cursor', async () => {
    const tenants = { path: '/api/admin/tenants', field: 'cursor' };
    const audit = { path: '/api/admin/tenants/:tenant/audit-events', field: 'cursor' };
    for (const route of [tenants, audit]) {
      for (const cursor of [b64('s:abc'), b64('s:{"$ne":null}'), 's:abc', 's:{"$ne":null}']) {
        const res = await call(route, `?cursor=${encodeURIComponent(cursor)}`);
        expect(res.status, `${route.path} ${cursor}`).toBe(400);
        expect(res.body.error?.code).toBe('invalid_cursor');
      }
    }
  });

  it('refuses a replay from a cursor that is not an event ID, before anything is sent', async () => {
    for (const after of ['nope', '', 'evt_', b64('o:0123456789abcdef01234567'), 'x'.repeat(5000)]) {
      const res = await h.admin('POST', `/tenants/${ids.tenant}/webhooks/${ids.endpointId}/replay`, { after });
      expect(res.status, after.slice(0, 40)).toBe(400);
      expect(res.body.error.code).toBe('invalid_cursor');
    }
    const objectCursor = await h.admin('POST', `/tenants/${ids.tenant}/webhooks/${ids.endpointId}/replay`, { after: { $gt: '' } });
    expect(objectCursor.status).toBe(400);
    expect(objectCursor.body.error.code).toBe('invalid_cursor');
    expect(await h.services.db.models.auditEvents.countDocuments({ action: /replay/ })).toBe(0);
  });

  it('answers random and crafted cursors with 200 or 400 invalid_cursor, and writes nothing', async () => {
    const { models } = h.services.db;
    const refusalsBefore = await models.auditEvents.countDocuments({ action: /denied|rejected/ });
    const rnd = random(0x5eed);
    // Real cursors of each list (where it has a second page): valid on their own list, refused on a list of another kind.
    const issued = new Map<string, string>();
    for (const route of routes) {
      const first = await call(route, '?limit=1');
      expect(first.status, route.path).toBe(200);
      if (first.body.nextCursor) issued.set(route.path, first.body.nextCursor);
    }
    expect(issued.size).toBeGreaterThan(0);

    const failures: string[] = [];
    const q = (field: string, c: string) => `?${new URLSearchParams({ [field]: c })}`;
    for (const route of routes) {
      type Expect = 'any' | 'accept' | 'refuse';
      const cases: Array<{ query: string; expect: Expect }> = [
        // Crafted and random ones: a key list may take a tagged string as a position (it is only ever compared as a string).
        ...[...CRAFTED, ...randomCursors(rnd, 60)].map((c) => ({ query: q(route.field, c), expect: 'any' as Expect })),
        // What no list hands out: empty, not base64url, too long.
        ...['', 's:abc', 'o:', '%00', 'x'.repeat(5000), 'üñí©ødé-😀'].map((c) => ({ query: q(route.field, c), expect: 'refuse' as Expect })),
        // Another list's cursor: answered when it is of the same kind, else refused.
        ...[...issued.entries()].filter(([p]) => p !== route.path).map(([, c]) => ({ query: q(route.field, c), expect: 'any' as Expect })),
        ...wellFormed(route.field, rnd).map((c) => ({ query: q(route.field, c), expect: 'any' as Expect })),
        ...(issued.has(route.path) ? [{ query: q(route.field, issued.get(route.path) ?? ''), expect: 'accept' as Expect }] : []),
        // Repeated parameters and unencoded JSON never reach a query as an array or object.
        { query: `?${route.field}=a&${route.field}=b`, expect: 'refuse' },
        { query: `?${route.field}=${encodeURIComponent('{"$ne":null}')}`, expect: 'refuse' },
        { query: `?${route.field}[$ne]=x`, expect: 'any' },
      ];
      for (const c of cases) {
        const res = await call(route, c.query);
        // A console list answers a page (HTML); an API list its data.
        const answered = res.status === 200 && (Array.isArray(res.body.data) || (route.path.startsWith('/console') && 'raw' in res.body));
        const refused =
          res.status === 400 &&
          ((res.body.error?.code === 'invalid_cursor' && res.body.error.message.startsWith(`${route.field}: `)) ||
            (route.path.startsWith('/console') && (res.body as { raw?: string }).raw?.includes('Reason code: <code>invalid_cursor</code>') === true));
        // `cursor[$ne]` is a parameter of another name: ignored, or refused as unknown by a strict list.
        const unknownParam = c.query.includes('[$ne]') && res.status === 400 && res.body.error?.code === 'validation_failed';
        const fine = c.expect === 'accept' ? answered : c.expect === 'refuse' ? refused : answered || refused || unknownParam;
        if (!fine) failures.push(`${route.path}${c.query.slice(0, 120)} (${c.expect}) → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
      }
    }
    expect(failures).toEqual([]);
    // A refused cursor is not a denial of anyone: nothing was audited.
    expect(await models.auditEvents.countDocuments({ action: /denied|rejected/ })).toBe(refusalsBefore);
  });
});
