import { describe, expect, it } from 'vitest';
import { compareGoals, figuresOf, GOALS, goalsTable, type Goal } from '../../bench/goals';
import { rateFlatness, type LoadResult } from '../../bench/load';
import type { BenchRun } from '../../bench/reports';

const goal = (over: Partial<Goal>): Goal => ({
  id: 'g',
  what: 'thing',
  goal: '≥ 10',
  judged: 'durable',
  direction: 'atLeast',
  threshold: 10,
  unit: '',
  ...over,
});

describe('the goals comparison', () => {
  it('judges the figure the goal names, in its direction', () => {
    const [atLeast] = compareGoals([goal({})], { g: { durable: 12, inline: 6 } });
    expect(atLeast).toMatchObject({ durable: 12, inline: 6, ratio: 2, verdict: 'met' });
    expect(compareGoals([goal({})], { g: { durable: 9 } })[0]?.verdict).toBe('not met');
    expect(compareGoals([goal({ direction: 'atMost', threshold: 1.3, judged: 'ratio' })], { g: { durable: 130, inline: 100 } })[0]?.verdict).toBe('met');
    expect(compareGoals([goal({ direction: 'atMost', threshold: 1.3, judged: 'ratio' })], { g: { durable: 140, inline: 100 } })[0]).toMatchObject({
      ratio: 1.4,
      verdict: 'not met',
    });
    expect(compareGoals([goal({ judged: 'each mode' })], { g: { durable: 12, inline: 8 } })[0]?.verdict).toBe('not met');
  });

  it('says "not measured" when the scenario did not run, a mode is missing, or the run was smaller than the goal', () => {
    expect(compareGoals([goal({})], {})[0]).toMatchObject({ verdict: 'not measured', note: 'not in this run' });
    expect(compareGoals([goal({})], { g: { notMeasured: 'ran at concurrency 5' } })[0]).toMatchObject({
      verdict: 'not measured',
      note: 'ran at concurrency 5',
    });
    expect(compareGoals([goal({ judged: 'ratio' })], { g: { durable: 12 } })[0]).toMatchObject({
      verdict: 'not measured',
      ratio: null,
      note: 'needs both modes',
    });
    const small = compareGoals([goal({ size: { n: 10_000, of: 'rows' } })], { g: { durable: 160, size: 1000 } })[0];
    expect(small).toMatchObject({ durable: 160, verdict: 'not measured', note: "ran 1000 rows of the goal's 10000; at this size: met" });
    expect(compareGoals([goal({ size: { n: 10_000, of: 'rows' } })], { g: { durable: 160, size: 10_000 } })[0]?.verdict).toBe('met');
  });

  it('fails a goal whose other conditions do not hold, naming them', () => {
    const [row] = compareGoals([goal({ judged: 'checks' })], { g: { durable: 900, checks: [{ name: 'durable: 0 errors', ok: false }] } });
    expect(row).toMatchObject({ verdict: 'not met', note: 'failed: durable: 0 errors' });
  });

  it('prints one row per goal', () => {
    const table = goalsTable(compareGoals(GOALS, {}));
    expect(table.split('\n')).toHaveLength(GOALS.length + 2);
    expect(table).toContain('| import rows/s | ≥ 150 rows/s | — | — | — | not measured (not in this run) |');
  });
});

const load = (over: Partial<LoadResult>): LoadResult => ({
  count: 10,
  ok: 10,
  errors: 0,
  errorSamples: [],
  seconds: 1,
  throughput: 10,
  latencyMs: { p50: 100, p95: 200, p99: 300, max: 400, mean: 120 },
  rateLastToFirst: null,
  ...over,
});

describe("a run's figures for the goals", () => {
  const run = (over: Partial<BenchRun['options']>): BenchRun => ({
    options: { count: 10, concurrency: 1, burst: 0, burstConcurrency: 50, scimUsers: 10, scimGroups: 0, scimGroupMax: 1, importRows: 1000, ...over },
    reports: (['durable', 'inline'] as const).map((mode) => ({
      mode,
      scenarios: { returning: load({ latencyMs: { p50: mode === 'durable' ? 60 : 50, p95: 0, p99: 0, max: 0, mean: 0 } }) },
      peakRssMiB: (mode === 'durable' ? { worker: 450, web: 250 } : { web: 300 }) as Record<string, number>,
      consistency: { ok: true, expected: {}, actual: {} },
    })),
    scimReports: [],
    adminReports: (['durable', 'inline'] as const).map((mode) => ({
      mode,
      import: { rows: 1000, processed: 1000, seconds: 5, rowsPerSecond: mode === 'durable' ? 200 : 250, counts: {} },
      importRssMiB: (mode === 'durable' ? { worker: 500 } : { web: 300 }) as Record<string, number>,
      accepts: load({}),
      consistency: { ok: true, expected: {}, actual: {} },
    })),
    webhookReports: [],
  });

  it('takes p50s at concurrency 1 and leaves the concurrency-20 goals unmeasured', () => {
    const rows = compareGoals(GOALS, figuresOf(run({ concurrency: 1 })));
    const by = new Map(rows.map((r) => [r.id, r]));
    expect(by.get('returning-c1')).toMatchObject({ durable: 60, inline: 50, ratio: 1.2, verdict: 'met' });
    expect(by.get('returning-c1')?.note).toContain('overhead 10 ms');
    expect(by.get('first-c20')).toMatchObject({ verdict: 'not measured', note: 'ran at concurrency 1; the goal is at 20' });
    expect(by.get('import')).toMatchObject({ durable: 200, inline: 250, verdict: 'not measured' });
    expect(by.get('import')?.note).toContain('at this size: met');
    expect(by.get('worker-rss')).toMatchObject({ durable: 500, verdict: 'not met' });
    expect(by.get('flat-cost')).toMatchObject({ verdict: 'not measured', note: 'no burst in this run' });
    expect(by.get('events-page')?.verdict).toBe('not measured');
  });

  it("holds the returning sign-in's overhead to the server's floor measured in the same run, plus 15 ms", () => {
    const withFloor = (updateWithStartMs: number) => {
      const r = run({ concurrency: 1 });
      for (const m of r.reports) {
        // Inline 100 ms, durable 125 ms: 1.25×, 25 ms of overhead.
        m.scenarios.returning = load({ latencyMs: { p50: m.mode === 'durable' ? 125 : 100, p95: 0, p99: 0, max: 0, mean: 0 } });
        if (m.mode === 'durable') m.serverFloor = { rounds: 30, startToResultMs: 8, updateWithStartMs };
      }
      return compareGoals(GOALS, figuresOf(r)).find((row) => row.id === 'returning-c1');
    };
    expect(withFloor(12)).toMatchObject({ ratio: 1.25, verdict: 'met' });
    expect(withFloor(12)?.note).toContain('overhead 25 ms; server floor 12 ms');
    expect(withFloor(5)).toMatchObject({ ratio: 1.25, verdict: 'not met' });
    expect(withFloor(5)?.note).toContain('failed: overhead ≤ floor + 15 ms');
  });
});

describe('rate flatness', () => {
  it('is 1 for a steady rate and falls as answers slow down', () => {
    const steady = Array.from({ length: 1000 }, (_, i) => i * 100);
    expect(rateFlatness(steady)).toBeGreaterThan(0.95);
    expect(rateFlatness(steady)).toBeLessThan(1.05);
    // 2 per second for 25 s, then 0.5 per second for 25 s.
    const slowing = [...Array.from({ length: 50 }, (_, i) => i * 500), ...Array.from({ length: 13 }, (_, i) => 25_000 + i * 2000)];
    expect(rateFlatness(slowing)).toBeLessThan(0.6);
  });

  it('cannot tell from less than two windows or no answers', () => {
    expect(rateFlatness([])).toBeNull();
    expect(rateFlatness([100, 200, 300])).toBeNull();
  });
});
