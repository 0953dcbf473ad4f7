/**
 * npm run bench — what durable provisioning costs a sign-in, side by side
 * with the same flow run inline (no Temporal). Drives the real HTTP ACS with
 * SAML responses signed in advance by samlify (and the OIDC callback after a
 * real OpenID Provider's pages), on loopback, bounded in count and time.
 * Scenarios: first-sign-in, returning, returning-groups, groups-200,
 * oidc-first, oidc-returning, burst; SCIM: scim-user-create, scim-initial-sync
 * (bench/scim.ts); admin: import, invitation-accept (bench/admin.ts); webhooks: delivery during
 * the burst, and the burst with no / a healthy / a dead endpoint (bench/webhooks.ts, durable only,
 * not in the default set). See docs/performance.md.
 *
 *   npm run bench -- --count 200 --concurrency 20 --burst 1000 --burst-concurrency 50 --max-seconds 1500
 *   (--burst 10000 is the full acquisition day; docs/performance.md says why it was not run here)
 *   npm run bench -- --scenarios scim --scim-users 10000 --scim-groups 50 --scim-group-max 2000
 *   npm run bench -- --scenarios admin --import-rows 10000 --invitations 20
 *   npm run bench -- --scenarios webhooks --burst 1000 --burst-concurrency 50 --max-seconds 3600 --out bench/results/webhooks-<date>.json
 *   (--webhook-endpoints none,healthy,dead picks the runs; --webhook-drain-seconds bounds the wait for the healthy receiver)
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildProduction } from '../src/bin/build';
import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import { loadConfig } from '../src/config';
import { createModels, type Models } from '../src/store/models';
import { createSamlIdp, type SamlIdp } from '../src/demo/samlIdp';
import { startStack } from '../src/devservices/launcher';
import { CookieJar, followUntil, issuerAt, startOidcProvider } from '../src/demo/oidcProvider';
import { freePort } from '../src/devservices/ports';
import { connectClient } from '../src/runs/connection';
import { signInWorkflowId } from '../src/runs/signInClient';
import { drive, samlPost, type Prepared } from './load';
import { initialSync, userCreates } from './scim';
import { importRows, invitationAccepts } from './admin';
import { SERVE, SERVE_INLINE, startServer, type ServerProcess } from './processes';
import { measureStartup, startupTable, type StartupFigures } from './startup';
import { profileRuns } from './profile';
import { measureServerFloor } from './floor';
import { compareGoals, figuresOf, GOALS, goalsTable } from './goals';
import { parseBenchArgs } from './options';
import type { AdminReport, ModeReport, ScimReport } from './reports';
import { runWebhookBench, webhookSummary, type WebhookReport } from './webhooks';

const parsed = parseBenchArgs(process.argv.slice(2));
if (parsed.kind === 'help') {
  process.stdout.write(`${parsed.text}\n`);
  process.exit(0);
}
if (parsed.kind === 'error') {
  process.stderr.write(`bench: ${parsed.message}\nRun \`npm run bench -- --help\` for the options.\n`);
  process.exit(2);
}
const opts = parsed.options;
const COUNT = opts.count;
const CONCURRENCY = opts.concurrency;
const BURST = opts.burst;
const BURST_CONCURRENCY = opts.burstConcurrency;
const deadline = Date.now() + opts.maxSeconds * 1000;
const SCENARIOS = new Set<string>(opts.scenarios);
const SCIM_USERS = opts.scimUsers;
const SCIM_GROUPS = opts.scimGroups;
const SCIM_GROUP_MAX = opts.scimGroupMax;
const IMPORT_ROWS = opts.importRows;
/** Code requests are rate-limited per IP (20 in 15 minutes, src/library/emailSignIn.ts) and the bench has one. */
const INVITATIONS = opts.invitations;
const WEBHOOK_DRAIN_SECONDS = opts.webhookDrainSeconds;
const WEBHOOK_ENDPOINTS = opts.webhookEndpoints;
const modes = opts.modes;
/** Starts of each process per runtime in the startup scenario. */
const STARTUP_ROUNDS = 3;
/** Workflows of each kind timed for the server's floor (durable, concurrency 1). */
const FLOOR_ROUNDS = 30;

async function admin(
  url: string,
  token: string,
  method: 'POST' | 'PUT',
  path: string,
  body: unknown,
): Promise<{ id: string; loginUrl: string; metadataUrl: string; baseUrl: string; token: string }> {
  const res = await fetch(`${url}/api/admin${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status !== (method === 'POST' ? 201 : 200)) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as { id: string; loginUrl: string; metadataUrl: string; baseUrl: string; token: string };
}

/** Groups the bench IdP asserts: mapped ones for returning-groups, and 200 unmapped ones (created as tenant groups). */
const MAPPED = ['g-a', 'g-b', 'g-c'];
const MANY = Array.from({ length: 200 }, (_, i) => `team-${String(i).padStart(3, '0')}`);
const GROUPS_200_USERS = 20;

/** Sign responses in advance (not timed): one AuthnRequest + one signed response per sign-in. */
async function prepare(idp: SamlIdp, conn: { loginUrl: string; metadataUrl: string }, subjects: string[], groups?: string[]): Promise<Prepared[]> {
  const metadata = await (await fetch(conn.metadataUrl)).text();
  const out: Prepared[] = [];
  for (const subject of subjects) {
    const login = await fetch(conn.loginUrl, { redirect: 'manual' });
    // Valid for the whole run: a burst of 10,000 takes longer than an IdP's usual 5 minutes.
    const r = await idp.respond(
      metadata,
      login.headers.get('location'),
      { nameId: subject, email: subject, name: subject.split('@')[0] ?? subject, ...(groups ? { groups } : {}) },
      { validityMs: 2 * 3600_000 },
    );
    out.push({ subject, send: samlPost(r.acsUrl, r.SAMLResponse) });
  }
  return out;
}

async function waitForAudits(models: Models, expected: number): Promise<void> {
  const until = Math.min(deadline + 60_000, Date.now() + 120_000);
  while (Date.now() < until && (await models.auditEvents.countDocuments({ action: 'signin.succeeded' })) < expected) {
    await new Promise((r) => setTimeout(r, 500));
  }
}

type Stack = Awaited<ReturnType<typeof startStack>>;

/** A fresh database, and the web (and, durable, the worker) processes on it (`extraEnv`: more settings for both). */
async function startMode(mode: 'durable' | 'inline', stack: Stack, extraEnv: Record<string, string> = {}) {
  const token = randomBytes(24).toString('base64url');
  const database = `bench_${mode}_${randomBytes(4).toString('hex')}`;
  const env = {
    ONRAMP_ADMIN_TOKEN: token,
    MONGODB_URI: stack.mongoUri,
    MONGODB_DATABASE: database,
    TEMPORAL_ADDRESS: stack.temporal.address,
    TEMPORAL_NAMESPACE: stack.temporal.namespace,
    TEMPORAL_TASK_QUEUE: `bench-${database}`,
    ONRAMP_SAML_REQUEST_TTL_MS: '3600000',
    ONRAMP_SAML_MAX_ASSERTION_AGE_MS: '3600000',
    ...extraEnv,
  };
  const servers: ServerProcess[] = [];
  const conn = await mongoose.createConnection(stack.mongoUri, { dbName: database }).asPromise();
  const models = createModels(conn);
  const stop = async () => {
    for (const s of servers.reverse()) await s.stop();
    await conn.dropDatabase().catch(() => undefined);
    await conn.close();
  };
  try {
    if (mode === 'durable') servers.push(await startServer('worker', { ...env, ONRAMP_ROLE: 'worker', ONRAMP_PORT: '0' }, durableServe));
    const web = await startServer(
      'web',
      { ...env, ONRAMP_ROLE: 'web', ONRAMP_PORT: String(await freePort()), ONRAMP_SCIM_RATE_PER_SECOND: '100000' },
      mode === 'inline' ? SERVE_INLINE : durableServe,
    );
    servers.push(web);
    for (const s of servers) log(`${mode}: ${s.name} ready in ${s.startMs} ms`);
    return { token, models, servers, url: web.url ?? '', stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function runMode(mode: 'durable' | 'inline', stack: Stack): Promise<ModeReport> {
  const report: ModeReport = { mode, scenarios: {}, peakRssMiB: {}, consistency: { ok: false, expected: {}, actual: {} } };
  const { token, models, servers, url, stop } = await startMode(mode, stack);
  try {
    await admin(url, token, 'POST', '/tenants', { slug: 'bench', name: 'Bench', jit: { enabled: true, defaultRoles: ['member'] } });
    const idp = createSamlIdp({ entityId: `https://idp.bench.test/${mode}`, ssoUrl: 'https://idp.bench.test/sso' });
    const sc = await admin(url, token, 'POST', '/tenants/bench/connections/saml', {
      name: 'bench',
      idpEntityId: idp.entityId,
      ssoUrl: idp.ssoUrl,
      certificates: [idp.certificate],
    });
    for (const name of MAPPED) await admin(url, token, 'POST', '/tenants/bench/groups', { name });
    await admin(url, token, 'PUT', `/tenants/bench/connections/${sc.id}/group-sync`, {
      mode: 'full',
      unmapped: 'create-group',
      mappings: MAPPED.map((g) => ({ value: g, group: g })),
    });

    const firstSubjects = Array.from({ length: COUNT }, (_, i) => `user${i}@bench.test`);
    log(`${mode}: preparing ${COUNT} signed responses`);
    const first = await prepare(idp, sc, firstSubjects);
    // Warm-up (not measured): JIT compilers, connection pools, workflow cache.
    await drive(
      await prepare(
        idp,
        sc,
        Array.from({ length: 10 }, (_, i) => `warmup${i}@bench.test`),
      ),
      5,
      deadline,
    );
    if (mode === 'durable' && CONCURRENCY === 1) {
      log(`${mode}: the server's floor (${FLOOR_ROUNDS} workflows with no steps)`);
      report.serverFloor = await measureServerFloor(stack.temporal, FLOOR_ROUNDS);
    }
    log(`${mode}: first-sign-in`);
    report.scenarios['first-sign-in'] = await drive(first, CONCURRENCY, deadline);
    if (mode === 'durable') {
      await waitForAudits(models, 10 + COUNT);
      report.profile = await profileRuns(
        await connectClient(stack.temporal),
        firstSubjects.slice(0, 25).map((s) => signInWorkflowId(sc.id, s)),
      );
    }
    log(`${mode}: returning`);
    report.scenarios.returning = await drive(await prepare(idp, sc, firstSubjects), CONCURRENCY, deadline);
    // returning-groups: members holding [g-a, g-b] (seeded, not measured) come back with [g-a, g-c].
    const seed = await drive(await prepare(idp, sc, firstSubjects, ['g-a', 'g-b']), CONCURRENCY, deadline);
    log(`${mode}: returning-groups`);
    report.scenarios['returning-groups'] = await drive(await prepare(idp, sc, firstSubjects, ['g-a', 'g-c']), CONCURRENCY, deadline);
    // groups-200: first sign-ins of people in 200 IdP groups (the answer vs the fan-out of 200 grants).
    const manySubjects = Array.from({ length: Math.min(GROUPS_200_USERS, COUNT) }, (_, i) => `many${i}@bench.test`);
    log(`${mode}: groups-200`);
    report.scenarios['groups-200'] = await drive(await prepare(idp, sc, manySubjects, MANY), Math.min(CONCURRENCY, 5), deadline);
    if (mode === 'durable') {
      await waitForAudits(models, 10 + COUNT + COUNT + seed.ok + COUNT + manySubjects.length);
      report.groups200Profile = await profileRuns(
        await connectClient(stack.temporal),
        manySubjects.map((s) => signInWorkflowId(sc.id, s)),
      );
    }
    // oidc-first / oidc-returning: the OIDC callback — code exchange and userinfo with a real OpenID Provider on
    // loopback, then the workflow — is timed; the browser's trip through the provider's pages is prepared, untimed.
    const oidcPort = await freePort();
    const oidcClient = { clientId: 'bench', clientSecret: 'bench-oidc-client-secret' };
    const oc = (await admin(url, token, 'POST', '/tenants/bench/connections/oidc', {
      name: 'bench oidc',
      issuer: issuerAt(oidcPort),
      ...oidcClient,
    })) as unknown as {
      loginUrl: string;
      redirectUri: string;
    };
    const op = await startOidcProvider(oidcPort, { ...oidcClient, redirectUris: [oc.redirectUri] });
    try {
      const oidcSubjects = Array.from({ length: Math.min(COUNT, 30) }, (_, i) => `oidc${i}`);
      for (const sub of oidcSubjects) op.users.set(sub, { email: `${sub}@bench-oidc.test`, email_verified: true, name: sub });
      const prepareOidc = async (): Promise<Prepared[]> => {
        const out: Prepared[] = [];
        for (const subject of oidcSubjects) {
          op.loginAs(subject);
          const callback = await followUntil(oc.loginUrl, oc.redirectUri, new CookieJar());
          out.push({ subject, send: () => fetch(callback, { redirect: 'manual' }) });
        }
        return out;
      };
      log(`${mode}: oidc-first`);
      report.scenarios['oidc-first'] = await drive(await prepareOidc(), CONCURRENCY, deadline);
      log(`${mode}: oidc-returning`);
      report.scenarios['oidc-returning'] = await drive(await prepareOidc(), CONCURRENCY, deadline);
    } finally {
      await op.close();
    }
    if (BURST > 0) {
      log(`${mode}: preparing burst of ${BURST}`);
      const burst = await prepare(
        idp,
        sc,
        Array.from({ length: BURST }, (_, i) => `burst${i}@bench.test`),
      );
      log(`${mode}: burst`);
      report.scenarios.burst = await drive(burst, BURST_CONCURRENCY, deadline);
    }
    for (const s of servers) report.peakRssMiB[s.name] = s.peakRssMiB();

    // Consistency: every successful sign-in accounted for exactly once.
    const ok = (k: string) => {
      const r = report.scenarios[k];
      return r && 'ok' in r ? r.ok : 0;
    };
    const newUsers = 10 + ok('first-sign-in') + ok('burst') + ok('groups-200') + ok('oidc-first');
    const signIns = newUsers + ok('returning') + seed.ok + ok('returning-groups') + ok('oidc-returning');
    await waitForAudits(models, signIns);
    const count = (action: string) => models.auditEvents.countDocuments({ action });
    report.consistency.expected = {
      users: newUsers,
      identities: newUsers,
      memberships: newUsers,
      'user.created': newUsers,
      'identity.linked': newUsers,
      'membership.created': newUsers,
      'signin.succeeded': signIns,
      grants: 2 * seed.ok + MANY.length * ok('groups-200'),
      'group.granted': 2 * seed.ok + ok('returning-groups') + MANY.length * ok('groups-200'),
      'group.revoked': ok('returning-groups'),
    };
    report.consistency.actual = {
      users: await models.users.countDocuments(),
      identities: await models.identities.countDocuments(),
      memberships: await models.memberships.countDocuments(),
      'user.created': await count('user.created'),
      'identity.linked': await count('identity.linked'),
      'membership.created': await count('membership.created'),
      'signin.succeeded': await count('signin.succeeded'),
      grants: await models.grants.countDocuments(),
      'group.granted': await count('group.granted'),
      'group.revoked': await count('group.revoked'),
    };
    report.consistency.ok = Object.entries(report.consistency.expected).every(([k, v]) => report.consistency.actual[k] === v);
    return report;
  } finally {
    await stop();
  }
}

/** The SCIM scenarios, in a database of their own (bench/scim.ts). */
async function runScimMode(mode: 'durable' | 'inline', stack: Stack): Promise<ScimReport> {
  const { token, models, servers, url, stop } = await startMode(mode, stack);
  try {
    await admin(url, token, 'POST', '/tenants', { slug: 'scim-bench', name: 'SCIM bench', jit: { enabled: false, defaultRoles: ['member'] } });
    await admin(url, token, 'PUT', '/tenants/scim-bench/domains', { domains: [{ domain: 'scim.bench.test', verified: true }] });
    const create = async (name: string) => {
      const d = await admin(url, token, 'POST', '/tenants/scim-bench/directories', { name, provider: 'entra' });
      return { id: d.id, baseUrl: d.baseUrl, token: d.token };
    };
    const warm = await create('warm-up');
    await drive(userCreates(warm, 'warm', 10), 5, deadline, (s) => s === 201);
    log(`${mode}: scim-user-create`);
    const creates = await drive(userCreates(await create('creates'), 'create', COUNT), CONCURRENCY, deadline, (s) => s === 201);
    log(`${mode}: scim-initial-sync (${SCIM_USERS} users, ${SCIM_GROUPS} groups of up to ${SCIM_GROUP_MAX})`);
    const sync = await initialSync(await create('initial sync'), models, {
      users: SCIM_USERS,
      groups: SCIM_GROUPS,
      groupMax: SCIM_GROUP_MAX,
      concurrency: CONCURRENCY,
      deadline,
    });
    const peakRssMiB = Object.fromEntries(servers.map((s) => [s.name, s.peakRssMiB()]));
    const expected = { users: 10 + creates.ok + sync.users, grants: sync.memberships };
    const actual = { users: await models.scimUsers.countDocuments(), grants: await models.grants.countDocuments({ kind: 'group' }) };
    return { mode, creates, sync, peakRssMiB, consistency: { ok: expected.users === actual.users && expected.grants === actual.grants, expected, actual } };
  } finally {
    await stop();
  }
}

/** The admin provisioning scenarios, in a database of their own (bench/admin.ts). */
async function runAdminMode(mode: 'durable' | 'inline', stack: Stack): Promise<AdminReport> {
  const { token, models, servers, url, stop } = await startMode(mode, stack);
  try {
    await admin(url, token, 'POST', '/tenants', { slug: 'admin-bench', name: 'Admin bench', jit: { enabled: false, defaultRoles: ['member'] } });
    await admin(url, token, 'PUT', '/tenants/admin-bench/domains', { domains: [{ domain: 'import.bench.test', verified: true }] });
    log(`${mode}: import of ${IMPORT_ROWS} rows`);
    const imported = await importRows({ url, token }, 'admin-bench', 'import.bench.test', IMPORT_ROWS, deadline);
    const importRssMiB = Object.fromEntries(servers.map((s) => [s.name, s.peakRssMiB()]));
    log(`${mode}: invitation-accept (${INVITATIONS})`);
    const accepts = await invitationAccepts({ url, token }, models, 'admin-bench', INVITATIONS, Math.min(CONCURRENCY, 10), deadline);
    // Every imported row's facts once: its account's and its membership's audit records (and their events).
    const imports = (action: string) => models.auditEvents.countDocuments({ action, workflowId: { $regex: '^import-' } });
    const created = imported.counts.created ?? 0;
    const expected: Record<string, number> = {
      memberships: imported.processed + accepts.ok,
      'import user.created': created,
      'import membership.created': created + (imported.counts.linked ?? 0),
    };
    const actual: Record<string, number> = {
      memberships: await models.memberships.countDocuments(),
      'import user.created': await imports('user.created'),
      'import membership.created': await imports('membership.created'),
    };
    const ok = Object.entries(expected).every(([k, v]) => actual[k] === v);
    return { mode, import: imported, importRssMiB, accepts, consistency: { ok, expected, actual } };
  } finally {
    await stop();
  }
}

/** Webhook delivery during the burst (bench/webhooks.ts): durable only, each run on a database and processes of its own. */
async function runWebhooks(stack: Stack): Promise<WebhookReport> {
  return runWebhookBench(
    {
      startStack: (env) => startMode('durable', stack, env),
      async tenant(s, slug) {
        const t = await admin(s.url, s.token, 'POST', '/tenants', { slug, name: slug, jit: { enabled: true, defaultRoles: ['member'] } });
        const idp = createSamlIdp({ entityId: `https://idp.bench.test/${slug}`, ssoUrl: 'https://idp.bench.test/sso' });
        const sc = await admin(s.url, s.token, 'POST', `/tenants/${slug}/connections/saml`, {
          name: slug,
          idpEntityId: idp.entityId,
          ssoUrl: idp.ssoUrl,
          certificates: [idp.certificate],
        });
        return { id: t.id, prepare: (subjects) => prepare(idp, sc, subjects) };
      },
      log,
    },
    { burst: BURST, concurrency: BURST_CONCURRENCY, deadline, drainSeconds: WEBHOOK_DRAIN_SECONDS, endpoints: WEBHOOK_ENDPOINTS },
  );
}

function log(msg: string) {
  process.stderr.write(`bench: ${msg}\n`);
}

function table(reports: ModeReport[]): string {
  const rows = [
    '| scenario | mode | sign-ins | errors | sign-ins/s | p50 ms | p95 ms | p99 ms | max ms |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  const names = [...new Set(reports.flatMap((r) => Object.keys(r.scenarios)))];
  for (const name of names) {
    for (const r of reports) {
      const s = r.scenarios[name];
      if (!s) continue;
      if ('skipped' in s) rows.push(`| ${name} | ${r.mode} | skipped: ${s.skipped} | | | | | | |`);
      else
        rows.push(
          `| ${name} | ${r.mode} | ${s.count} | ${s.errors} | ${s.throughput} | ${s.latencyMs.p50} | ${s.latencyMs.p95} | ${s.latencyMs.p99} | ${s.latencyMs.max} |`,
        );
    }
    const [d, i] = ['durable', 'inline'].map((m) => reports.find((r) => r.mode === m)?.scenarios[name]);
    if (d && i && 'latencyMs' in d && 'latencyMs' in i) {
      rows.push(
        `| ${name} | durable ÷ inline | | | ${(d.throughput / i.throughput).toFixed(2)}× | ${(d.latencyMs.p50 / i.latencyMs.p50).toFixed(2)}× | ${(d.latencyMs.p95 / i.latencyMs.p95).toFixed(2)}× | ${(d.latencyMs.p99 / i.latencyMs.p99).toFixed(2)}× | |`,
      );
    }
  }
  return rows.join('\n');
}

// Ctrl+C or a kill: exit normally, so every started server is killed on the way out (processes.ts, devservices).
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

const config = loadConfig({ ...process.env, NODE_ENV: 'test' });
const dataDir = await mkdtemp(join(tmpdir(), 'onramp-bench-'));
const stack = await startStack({ config, dataDir, persistTemporal: false });
/**
 * `--runtime built` (the default): the durable processes run `npm run build`'s output with plain node and the
 * prebuilt workflow bundle, as the image does (inside the checkout, so its packages resolve). The inline baseline
 * is bench code and runs through tsx either way.
 */
const builtServe =
  opts.runtime === 'built' || SCENARIOS.has('startup')
    ? join((await buildProduction(fileURLToPath(new URL('../.onramp/bench-build/', import.meta.url)))).outDir, 'serve.mjs')
    : undefined;
/** What the durable processes run: the built entry point, or (undefined) the sources through tsx. */
const durableServe = opts.runtime === 'built' ? builtServe : undefined;
log(`runtime: ${durableServe ? `built (${durableServe})` : 'tsx'}`);
log(`store: ${stack.mongoBackend ? `embedded FerretDB on ${stack.mongoBackend}` : 'MONGODB_URI'}`);
const reports: ModeReport[] = [];
const scimReports: ScimReport[] = [];
const adminReports: AdminReport[] = [];
const webhookReports: WebhookReport[] = [];
let startup: StartupFigures[] = [];
try {
  if (SCENARIOS.has('startup') && builtServe) {
    const database = `bench_startup_${randomBytes(4).toString('hex')}`;
    startup = await measureStartup(
      { built: builtServe, tsx: SERVE },
      {
        ONRAMP_ADMIN_TOKEN: randomBytes(24).toString('base64url'),
        MONGODB_URI: stack.mongoUri,
        MONGODB_DATABASE: database,
        TEMPORAL_ADDRESS: stack.temporal.address,
        TEMPORAL_NAMESPACE: stack.temporal.namespace,
      },
      STARTUP_ROUNDS,
      log,
    );
  }
  if (SCENARIOS.has('signin')) for (const mode of modes) reports.push(await runMode(mode, stack));
  if (SCENARIOS.has('scim')) for (const mode of modes) scimReports.push(await runScimMode(mode, stack));
  if (SCENARIOS.has('admin')) for (const mode of modes) adminReports.push(await runAdminMode(mode, stack));
  if (SCENARIOS.has('webhooks')) {
    if (BURST === 0) log('webhooks: skipped (--burst 0)');
    else webhookReports.push(await runWebhooks(stack));
  }
} finally {
  await stack.stop();
  await rm(dataDir, { recursive: true, force: true });
}

const summary = {
  at: new Date().toISOString(),
  machine: { cores: (await import('node:os')).cpus().length, node: process.version },
  /** The embedded FerretDB's backend (ONRAMP_EMBEDDED_BACKEND), or `external` with MONGODB_URI. */
  store: stack.mongoBackend ?? 'external',
  options: {
    count: COUNT,
    concurrency: CONCURRENCY,
    burst: BURST,
    burstConcurrency: BURST_CONCURRENCY,
    scimUsers: SCIM_USERS,
    scimGroups: SCIM_GROUPS,
    scimGroupMax: SCIM_GROUP_MAX,
    importRows: IMPORT_ROWS,
    invitations: INVITATIONS,
    webhookDrainSeconds: WEBHOOK_DRAIN_SECONDS,
    webhookEndpoints: WEBHOOK_ENDPOINTS,
    runtime: opts.runtime,
  },
  startup,
  reports,
  scimReports,
  adminReports,
  webhookReports,
};
/** The issue's goals beside this run's figures (bench/goals.ts), in the JSON and at the end of the output. */
const goals = compareGoals(GOALS, figuresOf(summary));
await mkdir(join(opts.out, '..'), { recursive: true });
await writeFile(opts.out, JSON.stringify({ ...summary, goals }, null, 2));
if (startup.length > 0) process.stdout.write(`\nStart-up (${STARTUP_ROUNDS} starts each):\n\n${startupTable(startup)}\n`);
if (reports.length > 0) process.stdout.write(`\n${table(reports)}\n\n`);
for (const r of reports) {
  process.stdout.write(
    `${r.mode}: peak RSS ${Object.entries(r.peakRssMiB)
      .map(([k, v]) => `${k} ${v} MiB`)
      .join(', ')}; consistency ${r.consistency.ok ? 'OK' : `FAILED ${JSON.stringify(r.consistency)}`}\n`,
  );
  if (r.serverFloor) {
    const f = r.serverFloor;
    process.stdout.write(
      `${r.mode}: server floor (p50 of ${f.rounds}, no steps): start → result ${f.startToResultMs} ms, Update-with-Start → answer ${f.updateWithStartMs} ms\n`,
    );
  }
  if (r.profile) process.stdout.write(`${r.mode}: profile of ${r.profile.runs} first sign-ins: ${JSON.stringify(r.profile)}\n`);
  if (r.groups200Profile) {
    const g = r.groups200Profile;
    process.stdout.write(
      `${r.mode}: groups-200 runs (${g.runs}): answer after ${g.startToDecisionMs} ms, all 200 grants done after ${g.startToCloseMs} ms (medians from run start)\n`,
    );
  }
}
for (const r of scimReports) {
  const c = r.creates;
  const y = r.sync;
  process.stdout.write(
    `${r.mode}: scim-user-create ${c.count} (${c.errors} errors): ${c.throughput}/s, p50 ${c.latencyMs.p50} ms, p95 ${c.latencyMs.p95} ms\n` +
      `${r.mode}: scim-initial-sync ${y.users} users, ${y.groups} groups, ${y.memberships} memberships (${y.errors} errors ${JSON.stringify(y.errorSamples)}): ` +
      `requests done in ${y.seconds} s, converged in ${y.convergedSeconds ?? 'never'} s; users ${y.usersPhase.throughput}/s (probe+create p50 ${y.usersPhase.latencyMs.p50} ms), ` +
      `groups p50 ${y.groupsPhase.latencyMs.p50} ms each; ${y.requestsPerUser} requests and ${y.documentsPerUser} stored documents per user; ` +
      `peak RSS ${Object.entries(r.peakRssMiB)
        .map(([k, v]) => `${k} ${v} MiB`)
        .join(', ')}; consistency ${r.consistency.ok ? 'OK' : `FAILED ${JSON.stringify(r.consistency)}`}\n`,
  );
}
for (const r of adminReports) {
  const i = r.import;
  const a = r.accepts;
  process.stdout.write(
    `${r.mode}: import ${i.processed}/${i.rows} rows in ${i.seconds} s = ${i.rowsPerSecond} rows/s ${JSON.stringify(i.counts)}; peak RSS to the end of the import ${Object.entries(
      r.importRssMiB,
    )
      .map(([k, v]) => `${k} ${v} MiB`)
      .join(', ')}\n` +
      `${r.mode}: invitation-accept ${a.count} (${a.errors} errors ${JSON.stringify(a.errorSamples)}): p50 ${a.latencyMs.p50} ms, p95 ${a.latencyMs.p95} ms; consistency ${r.consistency.ok ? 'OK' : `FAILED ${JSON.stringify(r.consistency)}`}\n`,
  );
}
for (const r of webhookReports) process.stdout.write(`\n${webhookSummary(r)}\n`);
process.stdout.write(`\nGoals (this run: ${summary.store} store; see docs/performance.md):\n\n${goalsTable(goals)}\n`);
process.stdout.write(`\nJSON: ${opts.out}\n`);
if ([...reports, ...scimReports, ...adminReports, ...webhookReports].some((r) => !r.consistency.ok)) process.exitCode = 1;
