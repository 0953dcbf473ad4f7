import { Client } from '@temporalio/client';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTemporalCli } from '../../src/devservices/goBinaries';
import { cacheDir } from '../../src/devservices/paths';
import { emailSearchValue } from '../../src/runs/searchEmail';
import { signInWorkflowId } from '../../src/runs/signInClient';
import { signInWorkflow } from '../../workflows/signIn';
import { newIdp, samlSignIn, startHarness, TEST_TEMPORAL_ENV, type Harness, type SamlConnectionInfo } from '../support/harness';
import { spawnOnramp } from '../support/serveProcess';

const execFileAsync = promisify(execFile);
import { waitForSignInRuns } from '../support/temporal';

/** Codec-server JSON: metadata values and data in base64. */
interface JsonPayload {
  metadata: Record<string, string>;
  data: string;
}

const isBytes = (v: unknown): v is Uint8Array => v instanceof Uint8Array;

/** A proto object with every byte string as text (toJSON would show base64): what someone reading Temporal's store sees. */
function bytesAsText(v: unknown): unknown {
  if (isBytes(v)) return Buffer.from(v).toString('latin1');
  if (Array.isArray(v)) return v.map(bytesAsText);
  if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, bytesAsText(x)]));
  return v;
}
const readable = (value: unknown): string => JSON.stringify(bytesAsText(value));

/** Every payload ({ metadata, data }) in a proto object, in codec-server JSON form. */
function payloadsIn(value: unknown, out: JsonPayload[] = []): JsonPayload[] {
  if (typeof value !== 'object' || value === null || isBytes(value)) return out;
  const o = value as Record<string, unknown>;
  if (o.metadata && typeof o.metadata === 'object' && 'data' in o && (isBytes(o.data) || o.data == null)) {
    out.push({
      metadata: Object.fromEntries(Object.entries(o.metadata as Record<string, Uint8Array>).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
      data: Buffer.from((o.data as Uint8Array | null) ?? new Uint8Array()).toString('base64'),
    });
    return out;
  }
  for (const v of Array.isArray(value) ? value : Object.values(o)) payloadsIn(v, out);
  return out;
}

describe('personal data in Temporal: sealed payloads, hashed search attributes, an operator-only codec endpoint', () => {
  let h: Harness;
  let conn: SamlConnectionInfo;
  /** A client without the codec: what the Temporal UI, its CLI or a cluster operator reads. */
  let plain: Client;
  const idp = newIdp('privacy');
  const tenant = 'privacy';
  const uiOrigin = 'http://127.0.0.1:18233';
  const person = {
    nameId: 'wilhelmina.quist@privacy.test',
    email: 'wilhelmina.quist@privacy.test',
    name: 'Wilhelmina Quistorp',
    groups: ['idp-zebracorn-team'],
  };
  const tenantGroup = 'okapi-guild';
  const secrets = ['wilhelmina', 'Quistorp', 'zebracorn', tenantGroup];

  beforeAll(async () => {
    h = await startHarness({ env: { ONRAMP_TEMPORAL_UI_ORIGIN: uiOrigin } });
    await h.createTenant(tenant);
    conn = await h.createSamlConnection(tenant, idp);
    expect((await h.admin('POST', `/tenants/${tenant}/groups`, { name: tenantGroup })).status).toBe(201);
    const sync = await h.admin('PUT', `/tenants/${tenant}/connections/${conn.id}/group-sync`, {
      mode: 'full',
      mappings: [{ value: 'idp-zebracorn-team', group: tenantGroup }],
    });
    expect(sync.status).toBe(200);
    plain = new Client({ connection: h.services.client.connection, namespace: h.config.temporal.namespace });
  });
  afterAll(async () => h?.close());

  const codec = (direction: 'decode' | 'encode', payloads: JsonPayload[], headers: Record<string, string> = { authorization: `Bearer ${h.adminToken}` }) =>
    fetch(`${h.url}/api/temporal-codec/${direction}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-namespace': 'default', ...headers },
      body: JSON.stringify({ payloads }),
    });

  let history: unknown;
  let signInCookie: string | null;

  it('a SAML sign-in leaves no email, name or group in the history or the search attributes a plain client reads', async () => {
    const res = await samlSignIn(conn, idp, person);
    expect(res.status).toBe(303);
    signInCookie = res.cookie;
    await waitForSignInRuns(h.services.client, conn.id, person.nameId);
    // The person was provisioned, with the mapped group (the run did its work).
    const me = (await (await fetch(`${h.url}/api/me`, { headers: { cookie: res.cookie ?? '' } })).json()) as { memberships: Array<{ groups: string[] }> };
    expect(me.memberships[0]?.groups).toEqual([tenantGroup]);

    const handle = plain.workflow.getHandle(signInWorkflowId(conn.id, person.nameId));
    history = await handle.fetchHistory();
    const text = readable(history);
    expect(text).toContain('binary/encrypted');
    for (const s of secrets) expect(text.toLowerCase()).not.toContain(s.toLowerCase());

    const described = await handle.describe();
    const attributes = readable({ raw: described.raw, typed: described.typedSearchAttributes.getAll(), memo: described.memo });
    for (const s of secrets) expect(attributes.toLowerCase()).not.toContain(s.toLowerCase());
    // OnrampEmail holds the keyed hash: equal to what `onramp runs --email` computes, and nothing of the address.
    const hash = emailSearchValue(h.config.temporal.searchEmail)(person.email);
    expect(hash).toMatch(/^h1:[A-Za-z0-9_-]{43}$/);
    expect(described.raw.workflowExecutionInfo?.searchAttributes?.indexedFields?.OnrampEmail).toBeTruthy();
    expect(attributes).toContain(hash);
  });

  it('the operator decodes the same payloads through the codec endpoint: all of it is there', async () => {
    const payloads = payloadsIn(history);
    expect(payloads.length).toBeGreaterThan(3);
    const res = await codec('decode', payloads);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { payloads: JsonPayload[] };
    expect(body.payloads).toHaveLength(payloads.length);
    const decoded = body.payloads.map((p) => Buffer.from(p.data, 'base64').toString('utf8')).join('\n');
    for (const s of secrets) expect(decoded).toContain(s);
    expect(body.payloads.every((p) => Buffer.from(p.metadata.encoding ?? '', 'base64').toString() !== 'binary/encrypted')).toBe(true);
    // encode → decode round trip through the endpoint (what the UI does for signals it sends).
    const sealed = (await (
      await codec('encode', [{ metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: Buffer.from('"hello"').toString('base64') }])
    ).json()) as { payloads: JsonPayload[] };
    expect(Buffer.from(sealed.payloads[0]?.metadata.encoding ?? '', 'base64').toString()).toBe('binary/encrypted');
    const opened = (await (await codec('decode', sealed.payloads)).json()) as { payloads: JsonPayload[] };
    expect(Buffer.from(opened.payloads[0]?.data ?? '', 'base64').toString()).toBe('"hello"');
  });

  it("ops find the person's runs with `onramp runs --email`, and read them with the Temporal CLI through the codec endpoint", async () => {
    const env = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      TEMPORAL_ADDRESS: h.config.temporal.address ?? '',
      TEMPORAL_NAMESPACE: h.config.temporal.namespace,
      ...TEST_TEMPORAL_ENV,
    };
    const cli = spawnOnramp('onramp.ts', env, ['runs', '--email', 'Wilhelmina.Quist@Privacy.test', '--json']);
    let stdout = '';
    cli.child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    expect(await cli.exited, cli.stderr()).toBe(0);
    const rows = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { workflowId: string; outcome: string; tenant: string });
    expect(rows.length).toBeGreaterThanOrEqual(1);
    expect(rows.every((r) => r.workflowId === signInWorkflowId(conn.id, person.nameId) && r.tenant === conn.tenantId)).toBe(true);

    // The Temporal CLI, pointed at the codec endpoint with the admin token, shows the history decoded; without it, sealed.
    const temporal = await ensureTemporalCli(cacheDir(process.env.ONRAMP_CACHE_DIR), process.env.TEMPORAL_CLI_PATH);
    const show = (codecArgs: string[]) =>
      execFileAsync(temporal, [
        'workflow',
        'show',
        '--address',
        h.config.temporal.address ?? '',
        '--namespace',
        h.config.temporal.namespace,
        '--workflow-id',
        rows[0]?.workflowId ?? '',
        '--output',
        'json',
        ...codecArgs,
      ]);
    // Its JSON output shows each payload's data in base64: read them as text.
    const payloadText = (stdout: string) =>
      [...stdout.matchAll(/"data":\s*"([A-Za-z0-9+/=]*)"/g)].map((m) => Buffer.from(m[1] ?? '', 'base64').toString('latin1')).join('\n');
    const decoded = payloadText((await show(['--codec-endpoint', `${h.url}/api/temporal-codec`, '--codec-auth', `Bearer ${h.adminToken}`])).stdout);
    for (const s of secrets) expect(decoded).toContain(s);
    const sealed = await show([]);
    expect(payloadText(sealed.stdout).length).toBeGreaterThan(100);
    for (const s of secrets) expect(`${sealed.stdout}\n${payloadText(sealed.stdout)}`.toLowerCase()).not.toContain(s.toLowerCase());
  });

  it('nobody else decodes: no token, a wrong token, a signed-in member → 401; altered payloads → 400 with the reason code', async () => {
    const payloads = payloadsIn(history).slice(0, 2);
    const callers: Array<Record<string, string>> = [{}, { authorization: 'Bearer not-the-admin-token' }, { cookie: signInCookie ?? '' }];
    for (const headers of callers) {
      const res = await codec('decode', payloads, headers);
      expect(res.status).toBe(401);
      const body = (await res.json()) as { error: { code: string }; payloads?: unknown };
      expect(body.error.code).toBe('unauthorized');
      expect(body.payloads).toBeUndefined();
    }
    const sealed = payloadsIn(history).find((p) => Buffer.from(p.metadata.encoding ?? '', 'base64').toString() === 'binary/encrypted');
    const data = Buffer.from(sealed?.data ?? '', 'base64');
    data[data.length - 1] = (data[data.length - 1] ?? 0) ^ 1;
    const tampered = await codec('decode', [{ metadata: sealed?.metadata ?? {}, data: data.toString('base64') }]);
    expect(tampered.status).toBe(400);
    expect(((await tampered.json()) as { error: { code: string } }).error.code).toBe('temporal_payload_undecryptable');
    const unknownKey = await codec('decode', [
      { metadata: { ...sealed?.metadata, 'encryption-key-id': Buffer.from('retired').toString('base64') }, data: sealed?.data ?? '' },
    ]);
    expect(unknownKey.status).toBe(400);
    expect(((await unknownKey.json()) as { error: { code: string } }).error.code).toBe('temporal_payload_key_unknown');
  });

  it('CORS: only the configured Temporal UI origin; the operator signed in to the console decodes from it with credentials', async () => {
    const preflight = (origin: string) =>
      fetch(`${h.url}/api/temporal-codec/decode`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace' },
      });
    const ok = await preflight(uiOrigin);
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(uiOrigin);
    expect(ok.headers.get('access-control-allow-credentials')).toBe('true');
    expect(ok.headers.get('access-control-allow-headers')).toContain('x-namespace');
    const evil = await preflight('https://evil.test');
    expect(evil.status).toBe(403);
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();

    // The operator's console session (admin token sign-in), sent by the browser from the UI's origin.
    const first = await fetch(`${h.url}/console`);
    const cookie = (first.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await first.text())?.[1] ?? '';
    const login = await fetch(`${h.url}/console/login/token`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf, token: h.adminToken }).toString(),
    });
    expect(login.status).toBe(303);
    const operator = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const payloads = payloadsIn(history);
    const fromUi = await codec('decode', payloads, { cookie: operator, origin: uiOrigin });
    expect(fromUi.status).toBe(200);
    expect(fromUi.headers.get('access-control-allow-origin')).toBe(uiOrigin);
    expect(JSON.stringify(await fromUi.json())).toContain(Buffer.from(JSON.stringify(person.email)).toString('base64').slice(0, 12));
    // The same session from another site's page: refused.
    const fromElsewhere = await codec('decode', payloads, { cookie: operator, origin: 'https://evil.test' });
    expect(fromElsewhere.status).toBe(403);
    expect(fromElsewhere.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('a run started without the codec (a history from before it) completes on the worker that has it', async () => {
    const claim = {
      tenantId: conn.tenantId,
      connectionId: conn.id,
      subject: 'old-run-subject',
      email: 'oldtimer@privacy.test',
      emailVerified: true,
      name: 'Old Timer',
      groups: null,
      attributes: [],
    };
    const workflowId = signInWorkflowId(conn.id, claim.subject);
    // Started as before the codec: its input goes to Temporal in clear.
    await plain.workflow.start(signInWorkflow, {
      workflowId,
      taskQueue: h.config.temporal.taskQueue,
      args: [{ claim }],
      workflowTaskTimeout: h.config.temporal.workflowTaskTimeoutMs,
    });
    const result = await h.services.client.workflow.getHandle<typeof signInWorkflow>(workflowId).result();
    expect(result).toMatchObject({ status: 'active', newUser: true });
    expect(await h.services.db.models.users.countDocuments({ email: 'oldtimer@privacy.test' })).toBe(1);
    // Its input stays in clear (as it was recorded); what the worker wrote since is sealed.
    const text = readable(await plain.workflow.getHandle(workflowId).fetchHistory());
    expect(text).toContain('oldtimer@privacy.test');
    expect(text).toContain('binary/encrypted');
  });
});
