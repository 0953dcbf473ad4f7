import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheDir } from '../../src/devservices/paths';
import { ensureSchemathesis } from '../../src/devservices/schemathesis';
import { startHarness, type Harness } from '../support/harness';
import { seedTenantForApiRun } from '../support/openapiSeed';

const run = promisify(execFile);
const TENANT = 'st-acme';

/**
 * What schemathesis checks: no 5xx; every status, media type, header and
 * body as documented; nothing answered without the token; input the
 * document calls invalid refused (not for the import upload: its body is an
 * opaque file). Not `positive_data_acceptance`: refinements (a role listed
 * twice, a real X.509 certificate) have no JSON Schema form, so data the
 * document allows may still be refused with 400.
 */
const CHECKS = [
  'not_a_server_error',
  'status_code_conformance',
  'content_type_conformance',
  'response_headers_conformance',
  'response_schema_conformance',
  'ignored_auth',
  'negative_data_rejection',
];
/** The rest of schemathesis' checks, off: they need links between operations (none declared) or expect 405 where Express answers 404. */
const UNCHECKED = [
  'positive_data_acceptance',
  'missing_required_header',
  'unsupported_method',
  'allow_header_conformance',
  'use_after_free',
  'ensure_resource_availability',
  'object_level_authorization',
];

/** schemathesis' configuration: the checks, the seeded ids as path parameters, and the one operation exempt from `negative_data_rejection`. */
const configToml = (ids: Record<string, string>): string =>
  [
    '[checks]',
    ...CHECKS.map((c) => `${c}.enabled = true`),
    ...UNCHECKED.map((c) => `${c}.enabled = false`),
    '',
    '[parameters]',
    ...Object.entries(ids).map(([name, value]) => `"path.${name}" = ${JSON.stringify(value)}`),
    '',
    '[[operations]]',
    'include-path = "/tenants/{tenant}/imports"',
    'include-method = "POST"',
    'checks.negative_data_rejection.enabled = false',
    '',
  ].join('\n');

type Document = { paths: Record<string, Record<string, unknown>> };
const operationsOf = (doc: Document): string[] => Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));

/** Test cases and failures by operation (`GET /tenants/{tenant}`), from schemathesis' JUnit report. */
function junitCases(xml: string): Array<{ name: string; failed: boolean }> {
  return [...xml.matchAll(/<testcase\b[^>]*\bname="([^"]+)"[^>]*?(\/>|>([\s\S]*?)<\/testcase>)/g)].map((m) => ({
    name: (m[1] ?? '').replace(/&quot;/g, '"').replace(/&amp;/g, '&'),
    failed: /<(failure|error)\b/.test(m[3] ?? ''),
  }));
}

/** The operations that answered 2xx at least once, from the HAR log of the run. */
function answered2xx(har: string, ops: string[], base: string): Set<string> {
  const matchers = ops.map((op) => {
    const [method, path] = op.split(' ') as [string, string];
    return { op, method, re: new RegExp(`^${path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{\w+\}/g, '[^/]+')}$`) };
  });
  const entries = (JSON.parse(har) as { log: { entries: Array<{ request: { method: string; url: string }; response: { status: number } }> } }).log.entries;
  const hit = new Set<string>();
  for (const { request, response } of entries) {
    if (response.status < 200 || response.status > 299) continue;
    const path = new URL(request.url).pathname.slice(new URL(base).pathname.length);
    const m = matchers.find((x) => x.method === request.method && x.re.test(path));
    if (m) hit.add(m.op);
  }
  return hit;
}

/**
 * The admin API against its own OpenAPI document: the document is served
 * behind the token and every operation in it is routed; then schemathesis
 * (PyPI, pinned; installed by `build-servers --test` into a cached
 * virtualenv) generates requests from it against the real stack, with a
 * seeded tenant's real ids as path parameters.
 */
describe('admin API OpenAPI document (schemathesis)', () => {
  let h: Harness;
  let st: string;
  let dir: string;
  let doc: Document;
  let ids: Record<string, string>;

  beforeAll(async () => {
    st = await ensureSchemathesis(cacheDir(process.env.ONRAMP_CACHE_DIR));
    dir = await mkdtemp(join(tmpdir(), 'onramp-schemathesis-'));
    h = await startHarness();
    ids = await seedTenantForApiRun(h, TENANT);
    doc = (await (await fetch(`${h.url}/api/admin/openapi.json`, { headers: { authorization: `Bearer ${h.adminToken}` } })).json()) as Document;
  });
  afterAll(async () => {
    await h?.close();
    if (dir && !process.env.KEEP_SCHEMATHESIS_REPORTS) await rm(dir, { recursive: true, force: true });
  });

  it('serves the document at /api/admin/openapi.json, to the admin token only', async () => {
    expect((await fetch(`${h.url}/api/admin/openapi.json`)).status).toBe(401);
    const res = await fetch(`${h.url}/api/admin/openapi.json`, { headers: { authorization: `Bearer ${h.adminToken}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual(doc);
    expect(doc).toMatchObject({ openapi: '3.1.0', servers: [{ url: `${h.config.http.publicUrl.replace(/\/$/, '')}/api/admin` }] });
    expect(operationsOf(doc).length).toBeGreaterThan(60);
  });

  it('routes every operation it documents (none falls through to "route … not found")', async () => {
    const unrouted: string[] = [];
    for (const op of operationsOf(doc)) {
      const [method, template] = op.split(' ') as [string, string];
      const path = template.replace(/\{(\w+)\}/g, (_m, name: string) => encodeURIComponent(name === 'tenant' ? TENANT : `no-such-${name}`));
      // A body no route accepts: strict bodies refuse it (400) before anything is written.
      const res = await fetch(`${h.url}/api/admin${path}`, {
        method,
        headers: { authorization: `Bearer ${h.adminToken}`, 'content-type': 'application/json' },
        ...(method === 'GET' ? {} : { body: JSON.stringify({ probe: true }) }),
      });
      const body = res.headers.get('content-type')?.startsWith('application/json') ? ((await res.json()) as { error?: { message?: string } }) : null;
      if (body?.error?.message?.startsWith('route ')) unrouted.push(op);
    }
    expect(unrouted).toEqual([]);
  });

  it('schemathesis: no 5xx, every answer as documented, the token required', async () => {
    const schema = join(dir, 'openapi.json');
    await writeFile(schema, JSON.stringify(doc));
    const config = join(dir, 'schemathesis.toml');
    await writeFile(config, configToml(ids));
    const base = `${h.url}/api/admin`;
    const args = [
      '--config-file',
      config,
      'run',
      schema,
      '--url',
      base,
      '--header',
      `Authorization: Bearer ${h.adminToken}`,
      '--phases',
      'examples,coverage,fuzzing',
      '--max-examples',
      '20',
      '--workers',
      '1',
      '--seed',
      '20260101',
      '--generation-database',
      'none',
      '--request-timeout',
      '30',
      '--no-color',
      '--report',
      'junit,har',
      '--report-junit-path',
      join(dir, 'junit.xml'),
      '--report-har-path',
      join(dir, 'har.json'),
    ];
    const started = Date.now();
    const { code, out } = await run(st, args, { cwd: dir, maxBuffer: 64 * 1024 * 1024, timeout: 170_000, env: { ...process.env, NO_COLOR: '1' } }).then(
      ({ stdout, stderr }) => ({ code: 0, out: `${stdout}${stderr}` }),
      (err: { code?: number; stdout?: string; stderr?: string }) => ({
        code: typeof err.code === 'number' ? err.code : 1,
        out: `${err.stdout ?? ''}${err.stderr ?? ''}`,
      }),
    );
    const seconds = (Date.now() - started) / 1000;
    const tail = `${out.slice(-6000)}\n(schemathesis ran ${seconds.toFixed(0)} s; reports in ${dir})`;

    const report = (name: string) => readFile(join(dir, name), 'utf8').catch(() => '');
    const cases = junitCases(await report('junit.xml'));
    const ops = operationsOf(doc);
    const tested = new Set(cases.map((c) => c.name));
    expect(
      cases.filter((c) => c.failed).map((c) => c.name),
      tail,
    ).toEqual([]);
    expect(code, tail).toBe(0);
    // Not vacuous: every operation was tested, and most reached their handlers' success answers on the seeded tenant.
    expect(
      ops.filter((op) => !tested.has(op)),
      tail,
    ).toEqual([]);
    const succeeded = answered2xx(await report('har.json'), ops, base);
    expect(succeeded.size, `2xx for: ${[...succeeded].sort().join(', ')}`).toBeGreaterThanOrEqual(Math.floor(ops.length * 0.6));
  }, 180_000);
});
