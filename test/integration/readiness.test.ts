import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startFerretDb, type RunningMongo } from '../../src/devservices/ferretdbServer';
import { ensureFerretDb, ensureTemporalCli } from '../../src/devservices/goBinaries';
import { cacheDir } from '../../src/devservices/paths';
import { freePort } from '../../src/devservices/ports';
import { startTemporalDevServer, type RunningTemporal } from '../../src/devservices/temporalDevServer';
import type { ReadinessReport } from '../../src/library/readiness';
import { startHarness, type Harness } from '../support/harness';
import { scrape, type Sample } from '../support/metrics';
import { startWorkerProcess, type WorkerProcess } from '../support/workerProcess';

/**
 * `/readyz` on a private database and Temporal server that the test stops
 * and starts: unready (503, naming the failed check) while either is away or
 * no worker polls, ready (200) again once they are back. A worker-only
 * process answers the same on its metrics port, and serves the Temporal
 * SDK's own metrics when asked.
 */
describe('readiness follows the database, Temporal and the workers', () => {
  let h: Harness;
  let mongo: RunningMongo;
  let temporal: RunningTemporal;
  let worker: WorkerProcess | undefined;
  let dataDir: string;
  const bins = { ferret: '', temporal: '' };
  const ports = { mongo: 0, temporal: 0, ui: 0, workerMetrics: 0, workerSdk: 0 };
  const namespace = inject('stack').namespace;

  const startMongo = () => startFerretDb(bins.ferret, join(dataDir, 'ferret'), dataDir, ports.mongo);
  const startTemporal = () =>
    startTemporalDevServer({
      bin: bins.temporal,
      port: ports.temporal,
      uiPort: ports.ui,
      dbFile: join(dataDir, 'temporal.sqlite'),
      logDir: dataDir,
      namespace,
    });
  const startWorker = async () => {
    worker = await startWorkerProcess(h, {
      ONRAMP_METRICS_PORT: String(ports.workerMetrics),
      ONRAMP_WORKER_METRICS_ADDRESS: `127.0.0.1:${ports.workerSdk}`,
      LOG_LEVEL: 'fatal',
    });
  };

  const readyz = async (base = h.url): Promise<{ status: number; body: ReadinessReport }> => {
    const res = await fetch(`${base}/readyz`);
    return { status: res.status, body: (await res.json()) as ReadinessReport };
  };
  const total = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
    samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((n, s) => n + s.value, 0);
  const metrics = () => scrape(`${h.url}/metrics`, h.adminToken);
  const failing = (r: ReadinessReport) => r.checks.filter((c) => !c.ok).map((c) => c.name);
  /** Poll /readyz until `accept` holds (probes are cheap: each check has 2 s). */
  const until = async (accept: (r: { status: number; body: ReadinessReport }) => boolean, timeoutMs = 40_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = await readyz();
      if (accept(r) || Date.now() > deadline) return r;
      await new Promise((res) => setTimeout(res, 500));
    }
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'onramp-readyz-'));
    bins.ferret = await ensureFerretDb(cacheDir(process.env.ONRAMP_CACHE_DIR));
    bins.temporal = await ensureTemporalCli(cacheDir(process.env.ONRAMP_CACHE_DIR));
    for (const k of Object.keys(ports) as (keyof typeof ports)[]) ports[k] = await freePort();
    mongo = await startMongo();
    temporal = await startTemporal();
    h = await startHarness({ worker: false, mongoUri: mongo.uri, temporalAddress: temporal.address, env: { LOG_LEVEL: 'fatal' } });
  });
  afterAll(async () => {
    await worker?.stop();
    await h?.close();
    await temporal?.stop();
    await mongo?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('is unready while no worker polls, ready once one does (the worker process answers the same)', async () => {
    const idle = await readyz();
    expect(idle.status).toBe(503);
    expect(idle.body.checks.map((c) => c.name)).toEqual(['database', 'temporal', 'workers']);
    expect(failing(idle.body)).toEqual(['workers']);
    expect(idle.body.checks[2]?.error).toBe(`no worker polls task queue ${h.config.temporal.taskQueue}`);

    await startWorker();
    const ready = await until((r) => r.status === 200);
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ ready: true, checks: [{ ok: true }, { ok: true }, { ok: true }] });

    // The worker-only process: readiness and onramp's metrics on its metrics port, the SDK's metrics on its own address.
    expect((await readyz(`http://127.0.0.1:${ports.workerMetrics}`)).status).toBe(200);
    const app = await scrape(`http://127.0.0.1:${ports.workerMetrics}/metrics`);
    expect(app.some((s) => s.name === 'onramp_webhook_attempts_total' || s.name === 'process_cpu_user_seconds_total')).toBe(true);
    const sdk = await scrape(`http://127.0.0.1:${ports.workerSdk}/metrics`);
    expect(sdk.some((s) => s.name.startsWith('temporal_'))).toBe(true);
  });

  it('goes unready when the database stops (only the database check fails) and ready again when it returns', async () => {
    const before = await metrics();
    await mongo.stop();
    const down = await until((r) => r.status === 503, 15_000);
    expect(down.status).toBe(503);
    expect(failing(down.body)).toEqual(['database']);
    // The answer says what failed, not a driver's message or an address.
    expect(JSON.stringify(down.body)).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|Mongo/);

    mongo = await startMongo();
    const back = await until((r) => r.status === 200);
    expect(back.status).toBe(200);
    // The database client's errors while it was away were counted.
    expect(total(await metrics(), 'onramp_db_errors_total')).toBeGreaterThan(total(before, 'onramp_db_errors_total'));
  });

  it('goes unready when Temporal stops and ready again when it returns and the worker polls', async () => {
    const before = await metrics();
    await temporal.stop();
    const down = await until((r) => r.status === 503, 15_000);
    expect(down.status).toBe(503);
    expect(failing(down.body)).toContain('temporal');
    expect(failing(down.body)).not.toContain('database');
    // The probe's failed call is a Temporal client error.
    const unavailable = { method: 'GetSystemInfo', code: 'UNAVAILABLE' };
    expect(total(await metrics(), 'onramp_temporal_client_errors_total', unavailable)).toBeGreaterThan(
      total(before, 'onramp_temporal_client_errors_total', unavailable),
    );

    temporal = await startTemporal(); // same port, same SQLite file
    let back = await until((r) => r.status === 200, 30_000);
    if (back.status !== 200 && worker && worker.child.exitCode !== null) {
      // A worker that gave up while its server was away is replaced, as an orchestrator would.
      await startWorker();
      back = await until((r) => r.status === 200);
    }
    expect(back.status, JSON.stringify(back.body)).toBe(200);
  });
});
