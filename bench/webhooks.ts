/**
 * The `webhooks` scenario: webhook delivery during
 * the sign-in burst (first sign-ins of new users), durable mode. Three runs
 * of the same burst, each on a fresh database, tenant and web + worker
 * processes: (a) no endpoint, (b) a healthy receiver, (c) a dead receiver
 * (accepts the connection, never answers: every attempt waits for the
 * request timeout, ONRAMP_WEBHOOK_TIMEOUT_MS = the default 10 s).
 *
 * (b) measures delivery: events received per second, end-to-end lag
 * (arrival − the event's write time, from its ID), the drain time after the
 * burst's last answer, and that the receiver got exactly the tenant's events
 * (the events API, read after the settle time) — each signature verified
 * with the `standardwebhooks` library, duplicates counted by webhook-id.
 * (a) vs (c) shows what a dead receiver costs a sign-in.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import type { Models } from '../src/store/models';
import { eventIdTime } from '../src/domain/events';
import { drive, latencyStats, type LoadResult, type Prepared } from './load';
import type { EndpointKind } from './options';
import type { ServerProcess } from './processes';

export { ENDPOINT_KINDS, type EndpointKind } from './options';

/** A fresh database with its web and worker processes (bench/run.ts startMode). */
export interface BenchStack {
  url: string;
  token: string;
  models: Models;
  servers: ServerProcess[];
  stop(): Promise<void>;
}

export interface WebhookBenchDeps {
  startStack(env: Record<string, string>): Promise<BenchStack>;
  /** A JIT tenant with a SAML connection; `prepare` signs sign-ins of the given subjects in advance. */
  tenant(stack: BenchStack, slug: string): Promise<{ id: string; prepare(subjects: string[]): Promise<Prepared[]> }>;
  log(msg: string): void;
}

export interface WebhookBenchOptions {
  burst: number;
  concurrency: number;
  /** Sign-ins are not started after this (ms epoch); the bench's --max-seconds. */
  deadline: number;
  /** How long run (b) waits, after the sign-ins, for the receiver to get every event. */
  drainSeconds: number;
  /** Which runs, in this order (default: all three). */
  endpoints: EndpointKind[];
}

/** The stack's settings for these runs: the defaults, spelled out (the dead receiver's attempts wait the full timeout). */
const SETTLE_MS = 2_000;
const ENV = { ONRAMP_WEBHOOK_TIMEOUT_MS: '10000', ONRAMP_EVENTS_SETTLE_MS: String(SETTLE_MS) };
const WARM_UP = 10;
/** After the receiver has everything: late duplicates still count. */
const STRAGGLER_MS = 3_000;

export interface DeliveryReport {
  /** The tenant's events after the endpoint's start, from the events API after the settle time. */
  expectedEvents: number;
  /** The same, counted in the events collection directly. */
  storedEvents: number;
  /** Requests the receiver got (duplicates and bad signatures included). */
  requests: number;
  delivered: number;
  missing: number;
  missingSample: string[];
  /** Events received that the events API does not list for the tenant after the endpoint's start. */
  unexpected: number;
  unexpectedSample: string[];
  /** Requests whose webhook-id had come before. */
  duplicates: number;
  duplicateSample: string[];
  badSignatures: number;
  /** First arrivals of an event whose ID is lower than one that came before (a late write found by the lookback). */
  outOfOrder: number;
  /** Which: the event, the higher-numbered one that came before it, and how far apart their IDs' write times are. */
  outOfOrderSample: Array<{ eventId: string; after: string; idGapMs: number }>;
  throughput: {
    /** Events first received while the burst ran, per second of the burst. */
    deliveredDuringBurstPerSecond: number;
    /** Events written (by ID time) while the burst ran, per second of the burst: what delivery has to keep up with. */
    writtenDuringBurstPerSecond: number;
    /** Events first received after the burst's last answer, per second up to the last arrival: delivery with the sign-ins done. */
    deliveredAfterBurstPerSecond: number;
    /** All events, from the first arrival to the last. */
    deliveredPerSecond: number;
  };
  /** Arrival − write time (the event ID's milliseconds), over each event's first arrival. */
  lagMs: LoadResult['latencyMs'];
  /** Events in write order, cut in ten slices: the median lag (ms) of each. Growth = a backlog. */
  lagByWriteDecileP50Ms: number[];
  /** The last event's arrival − the burst's last sign-in answer; null: not everything came within the bound. */
  drainMs: number | null;
  /** The endpoint's delivery log (webhook_attempts). */
  attempts: { logged: number; failed: number; sentMoreThanOnce: number; latencyMs: LoadResult['latencyMs'] };
}

export interface DeadReport {
  /** The tenant's events after the endpoint's start (none can be delivered). */
  storedEvents: number;
  /** Requests the dead receiver took (and never answered) during the run. */
  requests: number;
  distinctEvents: number;
  /** The delivery log once its first attempt ended (each should take the full request timeout). */
  attempts: { logged: number; outcomes: Record<string, number>; errors: Record<string, number>; latencyMs: LoadResult['latencyMs'] };
}

export interface WebhookRun {
  endpoint: EndpointKind;
  tenant: string;
  signIns: LoadResult;
  delivery?: DeliveryReport;
  dead?: DeadReport;
  peakRssMiB: Record<string, number | null>;
  consistency: { ok: boolean; problems: string[] };
}

export interface WebhookReport {
  mode: 'durable';
  burst: number;
  concurrency: number;
  env: Record<string, string>;
  runs: WebhookRun[];
  consistency: { ok: boolean };
}

interface Arrival {
  webhookId: string;
  eventId: string;
  at: number;
  verified: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
const flatHeaders = (req: IncomingMessage): Record<string, string> =>
  Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v ?? '')]));

async function listenOnLoopback(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A healthy receiver: verifies every request with `standardwebhooks`, answers 200 (401 to a bad signature), records arrivals. */
export async function startHealthyReceiver() {
  const arrivals: Arrival[] = [];
  const state: { verifier: Webhook | null } = { verifier: null };
  const server = await listenOnLoopback((req, res) => {
    void readBody(req).then(
      (body) => {
        const at = Date.now();
        const headers = flatHeaders(req);
        let verified = false;
        try {
          state.verifier?.verify(body, headers);
          verified = state.verifier !== null;
        } catch {
          verified = false;
        }
        let eventId = '';
        try {
          const id = (JSON.parse(body) as { data?: { id?: unknown } }).data?.id;
          eventId = typeof id === 'string' ? id : '';
        } catch {
          eventId = '';
        }
        arrivals.push({ webhookId: headers['webhook-id'] ?? '', eventId, at, verified });
        res.writeHead(verified ? 200 : 401, { 'content-type': 'text/plain' }).end(verified ? 'ok' : 'bad signature');
      },
      () => res.destroy(),
    );
  });
  return {
    ...server,
    arrivals,
    setSecret(secret: string) {
      state.verifier = new Webhook(secret);
    },
  };
}

/** A dead receiver: takes the connection and the request, never answers (each attempt runs into the sender's timeout). */
export async function startDeadReceiver() {
  const requests: Array<{ webhookId: string; at: number }> = [];
  const held = new Set<ServerResponse>();
  const server = await listenOnLoopback((req, res) => {
    requests.push({ webhookId: flatHeaders(req)['webhook-id'] ?? '', at: Date.now() });
    req.resume();
    held.add(res);
    res.on('close', () => held.delete(res));
  });
  return {
    url: server.url,
    requests,
    close: async () => {
      for (const res of held) res.destroy();
      await server.close();
    },
  };
}

async function adminCall<T>(stack: BenchStack, method: 'GET' | 'POST', path: string, expected: number, body?: unknown): Promise<T> {
  const res = await fetch(`${stack.url}/api/admin${path}`, {
    method,
    headers: { authorization: `Bearer ${stack.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (res.status !== expected) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Every event of the tenant the events API answers (events younger than the settle time are not answered yet). */
async function tenantEvents(stack: BenchStack, slug: string): Promise<string[]> {
  const ids: string[] = [];
  let after = '';
  for (;;) {
    const page = await adminCall<{ data: Array<{ id: string }>; nextCursor: string | null; hasMore: boolean }>(
      stack,
      'GET',
      `/tenants/${slug}/events?limit=500${after ? `&after=${after}` : ''}`,
      200,
    );
    ids.push(...page.data.map((e) => e.id));
    if (!page.hasMore || !page.nextCursor) return ids;
    after = page.nextCursor;
  }
}

/** Every sign-in run has ended (signin.succeeded is a run's last write; the database is the run's own). */
async function waitForSignIns(models: Models, expected: number, until: number): Promise<boolean> {
  while ((await models.auditEvents.countDocuments({ action: 'signin.succeeded' })) < expected) {
    if (Date.now() > until) return false;
    await sleep(250);
  }
  return true;
}

const perSecond = (n: number, ms: number) => (ms > 0 ? Math.round((n / (ms / 1000)) * 10) / 10 : 0);
const median = (xs: number[]) => latencyStats(xs).p50;

async function measureDelivery(
  stack: BenchStack,
  slug: string,
  tenantId: string,
  endpointId: string,
  receiver: Awaited<ReturnType<typeof startHealthyReceiver>>,
  window: { started: number; answered: number; drainUntil: number },
): Promise<DeliveryReport> {
  // The events API answers only settled events: wait past the settle time after the last run's last write.
  await sleep(SETTLE_MS + 500);
  const endpoint = await stack.models.webhookEndpoints.findById(endpointId, { startAfter: 1 }).lean();
  const startAfter = endpoint?.startAfter ?? '';
  const expected = (await tenantEvents(stack, slug)).filter((id) => id > startAfter);
  const storedEvents = await stack.models.events.countDocuments({ tenantId, _id: { $gt: startAfter } });
  const want = new Set(expected);
  const firstArrival = new Map<string, number>();
  const got = () => {
    for (const a of receiver.arrivals) if (a.verified && !firstArrival.has(a.eventId)) firstArrival.set(a.eventId, a.at);
    return expected.every((id) => firstArrival.has(id));
  };
  let drained = got();
  while (!drained && Date.now() < window.drainUntil) {
    await sleep(100);
    drained = got();
  }
  await sleep(STRAGGLER_MS);
  got();

  const seen = new Set<string>();
  const duplicateSample: string[] = [];
  let duplicates = 0;
  let outOfOrder = 0;
  const outOfOrderSample: DeliveryReport['outOfOrderSample'] = [];
  let highest = '';
  for (const a of receiver.arrivals) {
    if (seen.has(a.webhookId)) {
      duplicates++;
      if (duplicateSample.length < 5) duplicateSample.push(a.webhookId);
      continue;
    }
    seen.add(a.webhookId);
    if (a.eventId < highest) {
      outOfOrder++;
      if (outOfOrderSample.length < 5)
        outOfOrderSample.push({ eventId: a.eventId, after: highest, idGapMs: (eventIdTime(highest) ?? 0) - (eventIdTime(a.eventId) ?? 0) });
    } else highest = a.eventId;
  }
  const missing = expected.filter((id) => !firstArrival.has(id));
  const unexpected = [...firstArrival.keys()].filter((id) => !want.has(id));
  const inOrder = expected.filter((id) => firstArrival.has(id));
  const lag = (id: string) => (firstArrival.get(id) ?? 0) - (eventIdTime(id) ?? 0);
  const lags = inOrder.map(lag);
  const deciles = Array.from({ length: 10 }, (_, i) =>
    inOrder.slice(Math.floor((i * inOrder.length) / 10), Math.floor(((i + 1) * inOrder.length) / 10)).map(lag),
  ).filter((d) => d.length > 0);
  const arrivalTimes = [...firstArrival.values()].sort((a, b) => a - b);
  const burstMs = window.answered - window.started;
  const inBurst = (t: number) => t >= window.started && t <= window.answered;
  const attempts = await stack.models.webhookAttempts.find({ endpointId }, { outcome: 1, latencyMs: 1, sends: 1 }).lean();
  const lastArrival = Math.max(0, ...inOrder.map((id) => firstArrival.get(id) ?? 0));

  return {
    expectedEvents: expected.length,
    storedEvents,
    requests: receiver.arrivals.length,
    delivered: firstArrival.size,
    missing: missing.length,
    missingSample: missing.slice(0, 5),
    unexpected: unexpected.length,
    unexpectedSample: unexpected.slice(0, 5),
    duplicates,
    duplicateSample,
    badSignatures: receiver.arrivals.filter((a) => !a.verified).length,
    outOfOrder,
    outOfOrderSample,
    throughput: {
      deliveredDuringBurstPerSecond: perSecond(arrivalTimes.filter(inBurst).length, burstMs),
      writtenDuringBurstPerSecond: perSecond(expected.filter((id) => inBurst(eventIdTime(id) ?? 0)).length, burstMs),
      deliveredAfterBurstPerSecond: perSecond(arrivalTimes.filter((t) => t > window.answered).length, (arrivalTimes.at(-1) ?? 0) - window.answered),
      deliveredPerSecond: perSecond(arrivalTimes.length, (arrivalTimes.at(-1) ?? 0) - (arrivalTimes[0] ?? 0)),
    },
    lagMs: latencyStats(lags),
    lagByWriteDecileP50Ms: deciles.map(median),
    drainMs: drained ? Math.max(0, lastArrival - window.answered) : null,
    attempts: {
      logged: attempts.length,
      failed: attempts.filter((a) => a.outcome !== 'delivered').length,
      sentMoreThanOnce: attempts.filter((a) => (a.sends ?? 1) > 1).length,
      latencyMs: latencyStats(attempts.map((a) => a.latencyMs ?? 0)),
    },
  };
}

async function runOne(deps: WebhookBenchDeps, opts: WebhookBenchOptions, endpoint: EndpointKind): Promise<WebhookRun> {
  const slug = `webhooks-${endpoint}`;
  const stack = await deps.startStack(ENV);
  let healthy: Awaited<ReturnType<typeof startHealthyReceiver>> | null = null;
  let dead: Awaited<ReturnType<typeof startDeadReceiver>> | null = null;
  try {
    const tenant = await deps.tenant(stack, slug);
    deps.log(`webhooks (${endpoint} endpoint): preparing ${opts.burst} signed responses`);
    const preparing = Date.now();
    const items = await tenant.prepare(Array.from({ length: opts.burst }, (_, i) => `burst${i}@bench.test`));
    deps.log(`webhooks (${endpoint} endpoint): prepared in ${Math.round((Date.now() - preparing) / 1000)} s`);
    // Warm-up (not measured), finished before the endpoint exists: its events are not the endpoint's.
    const warm = await drive(await tenant.prepare(Array.from({ length: WARM_UP }, (_, i) => `warmup${i}@bench.test`)), 5, opts.deadline);
    await waitForSignIns(stack.models, warm.ok, Date.now() + 60_000);

    let endpointId = '';
    const create = async (url: string) => {
      const r = await adminCall<{ endpoint: { id: string }; secret: string }>(stack, 'POST', `/tenants/${slug}/webhooks`, 201, {
        url,
        description: `bench: ${endpoint}`,
      });
      endpointId = r.endpoint.id;
      return r.secret;
    };
    if (endpoint === 'healthy') {
      healthy = await startHealthyReceiver();
      healthy.setSecret(await create(healthy.url));
    } else if (endpoint === 'dead') {
      dead = await startDeadReceiver();
      await create(dead.url);
    }

    deps.log(`webhooks (${endpoint} endpoint): burst of ${opts.burst} at concurrency ${opts.concurrency}`);
    const started = Date.now();
    const signIns = await drive(items, opts.concurrency, opts.deadline);
    const answered = Date.now();
    deps.log(`webhooks (${endpoint} endpoint): ${signIns.ok}/${signIns.count} sign-ins in ${signIns.seconds} s`);
    const problems: string[] = [];
    if (signIns.errors > 0) problems.push(`${signIns.errors} sign-ins failed: ${signIns.errorSamples.join('; ')}`);
    if (!(await waitForSignIns(stack.models, warm.ok + signIns.ok, Math.min(opts.deadline + 60_000, Date.now() + 120_000))))
      problems.push('not every sign-in run ended');
    const peakRssMiB = Object.fromEntries(stack.servers.map((s) => [s.name, s.peakRssMiB()]));
    const run: WebhookRun = { endpoint, tenant: slug, signIns, peakRssMiB, consistency: { ok: false, problems } };

    if (healthy) {
      deps.log(`webhooks (${endpoint} endpoint): waiting for the receiver to get every event (up to ${opts.drainSeconds} s)`);
      const drainUntil = Math.max(Date.now() + 60_000, Math.min(opts.deadline, Date.now() + opts.drainSeconds * 1000));
      const d = await measureDelivery(stack, slug, tenant.id, endpointId, healthy, { started, answered, drainUntil });
      deps.log(
        `webhooks (${endpoint} endpoint): ${d.delivered}/${d.expectedEvents} events received, drained ${d.drainMs === null ? 'not within the bound' : `after ${Math.round(d.drainMs / 1000)} s`}`,
      );
      run.delivery = d;
      run.peakRssMiB = Object.fromEntries(stack.servers.map((s) => [s.name, s.peakRssMiB()]));
      if (d.drainMs === null)
        problems.push(`not drained: ${d.missing} of ${d.expectedEvents} events missing after the bound (e.g. ${d.missingSample.join(', ')})`);
      else if (d.missing > 0) problems.push(`${d.missing} events missing`);
      if (d.unexpected > 0) problems.push(`${d.unexpected} events received that the events API does not list (e.g. ${d.unexpectedSample.join(', ')})`);
      if (d.duplicates > 0) problems.push(`${d.duplicates} duplicate deliveries (e.g. ${d.duplicateSample.join(', ')})`);
      if (d.badSignatures > 0) problems.push(`${d.badSignatures} bad signatures`);
      if (d.storedEvents !== d.expectedEvents) problems.push(`events API lists ${d.expectedEvents} events, the collection holds ${d.storedEvents}`);
    }
    if (dead) {
      // A short burst can end before the first attempt did: wait for one (the timeout, and a little).
      const until = Date.now() + Number(ENV.ONRAMP_WEBHOOK_TIMEOUT_MS) + 5_000;
      while (dead.requests.length > 0 && Date.now() < until && (await stack.models.webhookAttempts.countDocuments({ endpointId })) === 0) await sleep(250);
      const attempts = await stack.models.webhookAttempts.find({ endpointId }, { outcome: 1, error: 1, latencyMs: 1 }).lean();
      const tally = (xs: string[]) => xs.reduce<Record<string, number>>((acc, x) => ({ ...acc, [x]: (acc[x] ?? 0) + 1 }), {});
      run.dead = {
        storedEvents: await stack.models.events.countDocuments({
          tenantId: tenant.id,
          _id: { $gt: (await stack.models.webhookEndpoints.findById(endpointId, { startAfter: 1 }).lean())?.startAfter ?? '' },
        }),
        requests: dead.requests.length,
        distinctEvents: new Set(dead.requests.map((r) => r.webhookId)).size,
        attempts: {
          logged: attempts.length,
          outcomes: tally(attempts.map((a) => a.outcome)),
          errors: tally(attempts.map((a) => (a.error ?? 'none').split(':')[0] ?? 'none')),
          latencyMs: latencyStats(attempts.map((a) => a.latencyMs ?? 0)),
        },
      };
    }
    run.consistency.ok = problems.length === 0;
    return run;
  } finally {
    await healthy?.close();
    await dead?.close();
    await stack.stop();
  }
}

/** The runs, one after another (by default: no endpoint, a healthy one, a dead one). */
export async function runWebhookBench(deps: WebhookBenchDeps, opts: WebhookBenchOptions): Promise<WebhookReport> {
  const runs: WebhookRun[] = [];
  for (const endpoint of opts.endpoints) runs.push(await runOne(deps, opts, endpoint));
  return { mode: 'durable', burst: opts.burst, concurrency: opts.concurrency, env: ENV, runs, consistency: { ok: runs.every((r) => r.consistency.ok) } };
}

/** The summary: sign-in latency per run, then delivery (healthy) and the dead receiver's share. */
export function webhookSummary(r: WebhookReport): string {
  const rows = [
    `webhooks: burst of ${r.burst} first sign-ins at concurrency ${r.concurrency}, durable, ONRAMP_WEBHOOK_TIMEOUT_MS=${r.env.ONRAMP_WEBHOOK_TIMEOUT_MS}`,
    '',
    '| endpoint | sign-ins | errors | sign-ins/s | p50 ms | p95 ms | p99 ms | max ms |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const run of r.runs) {
    const s = run.signIns;
    rows.push(
      `| ${run.endpoint} | ${s.count} | ${s.errors} | ${s.throughput} | ${s.latencyMs.p50} | ${s.latencyMs.p95} | ${s.latencyMs.p99} | ${s.latencyMs.max} |`,
    );
  }
  const none = r.runs.find((x) => x.endpoint === 'none')?.signIns;
  for (const other of r.runs.filter((x) => x.endpoint !== 'none')) {
    const s = other.signIns;
    if (none && none.latencyMs.p50 > 0 && none.latencyMs.p95 > 0 && none.throughput > 0) {
      rows.push(
        `| ${other.endpoint} ÷ none | | | ${(s.throughput / none.throughput).toFixed(2)}× | ${(s.latencyMs.p50 / none.latencyMs.p50).toFixed(2)}× | ${(s.latencyMs.p95 / none.latencyMs.p95).toFixed(2)}× | | |`,
      );
    }
  }
  rows.push('');
  for (const run of r.runs) {
    const d = run.delivery;
    if (d) {
      rows.push(
        `healthy endpoint: ${d.delivered}/${d.expectedEvents} events delivered (collection holds ${d.storedEvents}; ${d.requests} requests), missing ${d.missing}, unexpected ${d.unexpected}, duplicates ${d.duplicates}, bad signatures ${d.badSignatures}, out of order ${d.outOfOrder}${d.outOfOrder > 0 ? ` ${JSON.stringify(d.outOfOrderSample)}` : ''}`,
        `healthy endpoint: ${d.throughput.deliveredDuringBurstPerSecond} events/s received during the burst (written ${d.throughput.writtenDuringBurstPerSecond}/s), ${d.throughput.deliveredAfterBurstPerSecond}/s after it, ${d.throughput.deliveredPerSecond}/s first to last arrival`,
        `healthy endpoint: lag (arrival − write) p50 ${d.lagMs.p50} ms, p95 ${d.lagMs.p95} ms, p99 ${d.lagMs.p99} ms, max ${d.lagMs.max} ms; median lag by write-order decile ${d.lagByWriteDecileP50Ms.join(' / ')} ms`,
        `healthy endpoint: drained ${d.drainMs === null ? 'NOT within the bound' : `${(d.drainMs / 1000).toFixed(1)} s`} after the last sign-in answer; ${d.attempts.logged} attempts logged (${d.attempts.failed} failed, ${d.attempts.sentMoreThanOnce} sent more than once), attempt p50 ${d.attempts.latencyMs.p50} ms`,
      );
    }
    if (run.dead) {
      const x = run.dead;
      rows.push(
        `dead endpoint: ${x.requests} requests held unanswered (${x.distinctEvents} distinct events) of ${x.storedEvents} events; attempts logged ${x.attempts.logged} ${JSON.stringify(x.attempts.outcomes)} ${JSON.stringify(x.attempts.errors)}, each held p50 ${x.attempts.latencyMs.p50} ms`,
      );
    }
    rows.push(
      `${run.endpoint}: peak RSS ${Object.entries(run.peakRssMiB)
        .map(([k, v]) => `${k} ${v} MiB`)
        .join(', ')}; consistency ${run.consistency.ok ? 'OK' : `FAILED ${run.consistency.problems.join('; ')}`}`,
    );
  }
  return rows.join('\n');
}
