/**
 * The performance goals `npm run bench` is held to, as data, and the pure
 * comparison of one run's figures with them: each goal met, not met, or not
 * measured in this run (its scenario did not run, ran at another size or
 * concurrency, or is measured elsewhere). See docs/performance.md.
 */
import type { LoadResult } from './load';
import type { Mode } from './options';
import type { BenchRun } from './reports';

export type Verdict = 'met' | 'not met' | 'not measured';

/**
 * Which figure a goal's threshold applies to: the durable ÷ inline ratio, the
 * durable figure alone (production's), each mode's figure, or none (`checks` only).
 */
export type Judged = 'ratio' | 'durable' | 'each mode' | 'checks';

export interface Goal {
  id: string;
  what: string;
  /** The goal as people read it. */
  goal: string;
  judged: Judged;
  /** `atLeast`: the figure must be ≥ the threshold; `atMost`: ≤. */
  direction: 'atLeast' | 'atMost';
  threshold: number;
  unit: string;
  /** The size the goal is stated at (a burst of N, N rows…): a smaller run's figure is shown, not judged. */
  size?: { n: number; of: string };
}

export const GOALS: readonly Goal[] = [
  {
    id: 'flat-cost',
    what: 'cost as data grows: burst sign-ins/s, last 10% ÷ first 10% of 5-s windows (up to 90% answered); nobody timed out',
    goal: '≥ 0.8, both modes, 0 errors',
    judged: 'each mode',
    direction: 'atLeast',
    threshold: 0.8,
    unit: '',
    size: { n: 10_000, of: 'people' },
  },
  {
    id: 'returning-c1',
    what: 'returning sign-in p50, concurrency 1',
    goal: 'durable ≤ 1.3× inline (and overhead ≤ the server floor + 15 ms)',
    judged: 'ratio',
    direction: 'atMost',
    threshold: 1.3,
    unit: 'ms',
  },
  { id: 'first-c1', what: 'first sign-in p50, concurrency 1', goal: 'durable ≤ 1.6× inline', judged: 'ratio', direction: 'atMost', threshold: 1.6, unit: 'ms' },
  {
    id: 'oidc-returning-c1',
    what: 'OIDC returning p50, concurrency 1',
    goal: 'durable ≤ 1.3× inline',
    judged: 'ratio',
    direction: 'atMost',
    threshold: 1.3,
    unit: 'ms',
  },
  {
    id: 'first-c20',
    what: 'first sign-ins/s, concurrency 20',
    goal: 'durable ≥ 0.8× inline',
    judged: 'ratio',
    direction: 'atLeast',
    threshold: 0.8,
    unit: '/s',
  },
  {
    id: 'returning-c20',
    what: 'returning sign-ins/s, concurrency 20',
    goal: 'durable ≥ 0.9× inline',
    judged: 'ratio',
    direction: 'atLeast',
    threshold: 0.9,
    unit: '/s',
  },
  {
    id: 'oidc-first-c20',
    what: 'OIDC first sign-ins/s, concurrency 20',
    goal: 'durable ≥ 0.8× inline',
    judged: 'ratio',
    direction: 'atLeast',
    threshold: 0.8,
    unit: '/s',
  },
  {
    id: 'burst-10000',
    what: 'burst at concurrency 50: p99',
    goal: 'completes in both modes, 0 errors, consistency OK, p99 reported',
    judged: 'checks',
    direction: 'atMost',
    threshold: 0,
    unit: 'ms',
    size: { n: 10_000, of: 'people' },
  },
  {
    id: 'import',
    what: 'import rows/s',
    goal: '≥ 150 rows/s',
    judged: 'durable',
    direction: 'atLeast',
    threshold: 150,
    unit: 'rows/s',
    size: { n: 10_000, of: 'rows' },
  },
  {
    id: 'scim-initial-sync',
    what: "SCIM: Entra's initial cycle (10,000 users, 50 groups of up to 2,000) until every grant is in",
    goal: '≤ 10 min, each user answered < 5 s',
    judged: 'durable',
    direction: 'atMost',
    threshold: 600,
    unit: 's',
    size: { n: 10_000, of: 'users' },
  },
  {
    id: 'webhook-lag',
    what: 'webhook lag p95 during the burst',
    goal: '≤ 10 s',
    judged: 'durable',
    direction: 'atMost',
    threshold: 10_000,
    unit: 'ms',
    size: { n: 1000, of: 'people' },
  },
  { id: 'events-page', what: 'events-API page at 1,000,000 events', goal: '≤ 50 ms', judged: 'durable', direction: 'atMost', threshold: 50, unit: 'ms' },
  { id: 'worker-rss', what: 'worker peak RSS', goal: '≤ 300 MiB', judged: 'durable', direction: 'atMost', threshold: 300, unit: 'MiB' },
];

/** One goal's figures in this run: per mode, the size they were taken at, and conditions that must hold besides. */
export interface Figure {
  durable?: number | null;
  inline?: number | null;
  size?: number;
  /** Why the run was smaller than the goal's shape in another way than `size` (its figure is then shown, not judged). */
  smaller?: string;
  checks?: Array<{ name: string; ok: boolean }>;
  note?: string;
}

export type Figures = Record<string, Figure | { notMeasured: string }>;

export interface GoalRow {
  id: string;
  what: string;
  goal: string;
  durable: number | null;
  inline: number | null;
  /** durable ÷ inline, when both were measured. */
  ratio: number | null;
  verdict: Verdict;
  note: string;
}

/** The returning sign-in's durable overhead may exceed the server's floor by this much. */
const FLOOR_MARGIN_MS = 15;

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;
const meets = (goal: Goal, v: number) => (goal.direction === 'atLeast' ? v >= goal.threshold : v <= goal.threshold);

/** Compare one run's figures with the goals (pure). */
export function compareGoals(goals: readonly Goal[], figures: Figures): GoalRow[] {
  return goals.map((goal) => {
    const base = { id: goal.id, what: goal.what, goal: goal.goal };
    const f = figures[goal.id];
    if (!f || 'notMeasured' in f) {
      return { ...base, durable: null, inline: null, ratio: null, verdict: 'not measured' as const, note: f ? f.notMeasured : 'not in this run' };
    }
    const durable = f.durable ?? null;
    const inline = f.inline ?? null;
    const ratio = durable !== null && inline !== null && inline !== 0 ? round(durable / inline, 2) : null;
    const judged: Record<Judged, Array<number | null>> = { ratio: [ratio], durable: [durable], 'each mode': [durable, inline], checks: [] };
    const values = judged[goal.judged];
    const notes = f.note ? [f.note] : [];
    const failed = (f.checks ?? []).filter((c) => !c.ok).map((c) => c.name);
    let verdict: Verdict;
    if (values.some((v) => v === null)) {
      verdict = 'not measured';
      notes.unshift(goal.judged === 'ratio' ? 'needs both modes' : goal.judged === 'each mode' ? 'needs both modes' : 'needs the durable mode');
    } else {
      verdict = failed.length === 0 && values.every((v) => meets(goal, v as number)) ? 'met' : 'not met';
      if (failed.length > 0) notes.push(`failed: ${failed.join(', ')}`);
    }
    const smaller = goal.size && f.size !== undefined && f.size < goal.size.n ? `ran ${f.size} ${goal.size.of} of the goal's ${goal.size.n}` : f.smaller;
    if (smaller && verdict !== 'not measured') {
      notes.unshift(`${smaller}; at this size: ${verdict}`);
      verdict = 'not measured';
    }
    return { ...base, durable, inline, ratio, verdict, note: notes.join('; ') };
  });
}

type Scenario = LoadResult | { skipped: string } | undefined;
const loaded = (s: Scenario): LoadResult | null => (s && 'latencyMs' in s ? s : null);

/** This run's figure for each goal, from its reports (pure). */
export function figuresOf(run: BenchRun): Figures {
  const { options: o } = run;
  const figures: Figures = {};
  const signin = (mode: Mode, name: string) => loaded(run.reports.find((r) => r.mode === mode)?.scenarios[name]);
  const ran = run.reports.length > 0;

  const latency = (id: string, scenario: string, overheadGoal = false) => {
    if (!ran) figures[id] = { notMeasured: 'sign-in scenarios not run' };
    else if (o.concurrency !== 1) figures[id] = { notMeasured: `ran at concurrency ${o.concurrency}; the goal is at 1` };
    else {
      const d = signin('durable', scenario);
      const i = signin('inline', scenario);
      const floor = run.reports.find((r) => r.mode === 'durable')?.serverFloor;
      const overhead = d && i ? round(d.latencyMs.p50 - i.latencyMs.p50, 1) : null;
      const floorNote = floor ? `server floor ${floor.updateWithStartMs} ms (Update-with-Start, no steps)` : 'server floor not measured';
      figures[id] = {
        durable: d?.latencyMs.p50 ?? null,
        inline: i?.latencyMs.p50 ?? null,
        ...(overhead !== null ? { note: `overhead ${overhead} ms; ${floorNote}` } : {}),
        ...(overheadGoal && overhead !== null && floor
          ? { checks: [{ name: `overhead ≤ floor + ${FLOOR_MARGIN_MS} ms`, ok: overhead <= floor.updateWithStartMs + FLOOR_MARGIN_MS }] }
          : {}),
      };
    }
  };
  latency('returning-c1', 'returning', true);
  latency('first-c1', 'first-sign-in');
  latency('oidc-returning-c1', 'oidc-returning');

  const throughput = (id: string, scenario: string) => {
    if (!ran) figures[id] = { notMeasured: 'sign-in scenarios not run' };
    else if (o.concurrency !== 20) figures[id] = { notMeasured: `ran at concurrency ${o.concurrency}; the goal is at 20` };
    else figures[id] = { durable: signin('durable', scenario)?.throughput ?? null, inline: signin('inline', scenario)?.throughput ?? null };
  };
  throughput('first-c20', 'first-sign-in');
  throughput('returning-c20', 'returning');
  throughput('oidc-first-c20', 'oidc-first');

  const bursts = run.reports.map((r) => ({ mode: r.mode, burst: loaded(r.scenarios.burst), consistent: r.consistency.ok }));
  if (!ran || o.burst === 0) {
    figures['flat-cost'] = { notMeasured: 'no burst in this run' };
    figures['burst-10000'] = { notMeasured: 'no burst in this run' };
  } else {
    const of = (mode: Mode) => bursts.find((b) => b.mode === mode)?.burst ?? null;
    const errorChecks = bursts.map((b) => ({ name: `${b.mode}: 0 errors`, ok: b.burst !== null && b.burst.errors === 0 }));
    figures['flat-cost'] = {
      durable: of('durable')?.rateLastToFirst ?? null,
      inline: of('inline')?.rateLastToFirst ?? null,
      size: o.burst,
      checks: errorChecks,
    };
    const checks = [
      ...bursts.map((b) => ({ name: `${b.mode}: completed`, ok: b.burst !== null && b.burst.count === o.burst })),
      ...errorChecks,
      ...bursts.map((b) => ({ name: `${b.mode}: consistency`, ok: b.consistent })),
      { name: 'both modes', ok: bursts.length === 2 },
    ];
    figures['burst-10000'] =
      o.burstConcurrency === 50
        ? { durable: of('durable')?.latencyMs.p99 ?? null, inline: of('inline')?.latencyMs.p99 ?? null, size: o.burst, checks }
        : { notMeasured: `burst ran at concurrency ${o.burstConcurrency}; the goal is at 50` };
  }

  const imports = (mode: Mode) => run.adminReports.find((r) => r.mode === mode)?.import.rowsPerSecond ?? null;
  figures.import =
    run.adminReports.length > 0
      ? {
          durable: imports('durable'),
          inline: imports('inline'),
          size: Math.min(...run.adminReports.map((r) => r.import.processed)),
          checks: run.adminReports.map((r) => ({ name: `${r.mode}: every row done`, ok: r.import.processed === r.import.rows })),
        }
      : { notMeasured: 'admin scenarios not run' };

  const scim = (mode: Mode) => run.scimReports.find((r) => r.mode === mode)?.sync ?? null;
  figures['scim-initial-sync'] =
    run.scimReports.length > 0
      ? {
          durable: scim('durable')?.convergedSeconds ?? null,
          inline: scim('inline')?.convergedSeconds ?? null,
          size: o.scimUsers,
          ...(o.scimGroups < 50 || o.scimGroupMax < 2000 ? { smaller: `ran ${o.scimGroups} groups of up to ${o.scimGroupMax}` } : {}),
          checks: run.scimReports.map((r) => ({ name: `${r.mode}: every user answered < 5 s`, ok: r.sync.usersPhase.latencyMs.max < 5000 })),
          note: "a user's probe and create timed together",
        }
      : { notMeasured: 'scim scenarios not run' };

  const healthy = run.webhookReports.flatMap((r) => r.runs.map((w) => ({ burst: r.burst, delivery: w.delivery }))).find((w) => w.delivery);
  figures['webhook-lag'] = healthy?.delivery
    ? { durable: healthy.delivery.lagMs.p95, size: healthy.burst }
    : { notMeasured: 'webhooks scenario (healthy endpoint) not run' };

  figures['events-page'] = { notMeasured: 'measured by test/integration/events-page.test.ts, not the bench' };

  const workerRss = [
    ...run.reports.map((r) => r.peakRssMiB.worker),
    ...run.scimReports.map((r) => r.peakRssMiB.worker),
    ...run.adminReports.map((r) => r.importRssMiB.worker),
    ...run.webhookReports.flatMap((r) => r.runs.map((w) => w.peakRssMiB.worker)),
  ].filter((v): v is number => typeof v === 'number');
  figures['worker-rss'] = workerRss.length > 0 ? { durable: Math.max(...workerRss) } : { notMeasured: 'no durable run' };
  return figures;
}

const show = (v: number | null, unit: string) => (v === null ? '—' : `${v}${unit && unit !== '' ? ` ${unit}` : ''}`);

/** The goals table as markdown: what, the goal, this run's figures (durable, inline, ratio), the verdict. */
export function goalsTable(rows: readonly GoalRow[]): string {
  const unit = new Map(GOALS.map((g) => [g.id, g.unit]));
  return [
    '| what | goal | durable | inline | durable ÷ inline | verdict |',
    '| --- | --- | ---: | ---: | ---: | --- |',
    ...rows.map(
      (r) =>
        `| ${r.what} | ${r.goal} | ${show(r.durable, unit.get(r.id) ?? '')} | ${show(r.inline, unit.get(r.id) ?? '')} | ${r.ratio === null ? '—' : `${r.ratio}×`} | ${r.verdict}${r.note ? ` (${r.note})` : ''} |`,
    ),
  ].join('\n');
}
