import { randomBytes } from 'node:crypto';
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dayOf, partOf, sweepEvents } from '../../src/store/events';
import type { Models } from '../../src/store/models';
import { createEventLibrary } from '../../src/library/events';
import { createStore } from '../../src/store/store';
import { eventIdAt } from '../../src/domain/events';
import { startHarness, type Harness } from '../support/harness';

/**
 * The events API's page costs the same however many events the store holds:
 * one page at 10,000 and at 100,000 events (bulk-inserted), timed, and the
 * retention sweep deletes by whole days. Prints the timings
 * (docs/performance.md, "Events").
 */
/** EVENTS_PAGE_SIZES=10000,100000,1000000 runs the sizes of docs/performance.md by hand (the suite keeps 2,000 and 20,000: correctness, not timing). */
const SIZES = (process.env.EVENTS_PAGE_SIZES ?? '2000,20000').split(',').map(Number);
const LARGEST = Math.max(...SIZES);
/** Seeding and reading scale with the size: 4 minutes per 100,000 events. */
/** Events spread over 19 days (every event older than the settle point; the sweep meets both whole expired days and kept ones). */
const STEP = Math.floor((19 * 86_400_000) / LARGEST);
const timeoutFor = (n: number) => Math.max(240_000, Math.ceil(n / 100_000) * 240_000);
const PAGE = 100;

describe('an events page by _id range, and the retention sweep by day', () => {
  let h: Harness;
  let models: Models;
  const tenantId = String(new Types.ObjectId());
  const otherTenant = String(new Types.ObjectId());
  /** Every seeded ID of the tenant, in order. */
  const ids: string[] = [];
  const start = Date.now() - 20 * 86_400_000; // twenty days ago: an event every STEP ms from then on
  let seeded = 0;

  /** Seed events up to `n`: two of three the tenant's, one another tenant's; an event every STEP ms. */
  const seedTo = async (n: number) => {
    const chunk = 5_000;
    while (seeded < n) {
      const docs = Array.from({ length: Math.min(chunk, n - seeded) }, (_, k) => {
        const i = seeded + k;
        const ms = start + i * STEP;
        const id = eventIdAt(ms, randomBytes(5).toString('hex'));
        const tenant = i % 3 === 2 ? otherTenant : tenantId;
        if (tenant === tenantId) ids.push(id);
        const payload = JSON.stringify({
          id,
          type: 'member.created',
          version: 1,
          occurredAt: new Date(ms).toISOString(),
          tenantId: tenant,
          data: { action: 'membership.created', roles: ['member'] },
        });
        return { _id: id, key: `seed:${i}`, type: 'member.created', tenantId: tenant, payload, recordedAt: new Date(ms), day: dayOf(ms), part: partOf(id) };
      });
      await models.events.insertMany(docs, { lean: true });
      seeded += docs.length;
    }
    ids.sort();
  };

  const events = () => createEventLibrary(createStore(models), { settleMs: 0, includeIp: false });
  /** Median of `runs` timings of one page (one by default: a page at 100,000 events takes seconds on FerretDB v1). */
  const timePage = async (after: string | undefined, runs = 1) => {
    const times: number[] = [];
    let page: Awaited<ReturnType<ReturnType<typeof events>['list']>> | null = null;
    for (let r = 0; r < runs; r++) {
      const t0 = performance.now();
      page = await events().list(tenantId, { after, limit: PAGE });
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    return { ms: times[Math.floor(times.length / 2)] ?? 0, page };
  };

  const timings: string[] = [];
  beforeAll(async () => {
    h = await startHarness({ worker: false, env: { ONRAMP_SWEEP_INTERVAL_MS: '3600000' } });
    models = h.services.db.models;
  }, 60_000);
  afterAll(async () => {
    console.log(timings.join('\n'));
    await h?.close();
  });

  const at: Record<number, { first: number; middle: number; last: number }> = {};

  for (const size of SIZES) {
    it(
      `answers pages at ${size.toLocaleString('en')} events`,
      async () => {
        const t0 = performance.now();
        await seedTo(size);
        const seedMs = performance.now() - t0;
        const middle = ids[Math.floor(ids.length / 2)];
        const nearEnd = ids[ids.length - 50];
        const first = await timePage(undefined);
        const mid = await timePage(middle);
        const last = await timePage(nearEnd);
        // Each page is the right one: the next events after the cursor, in order.
        expect(first.page?.data.map((e) => e.id)).toEqual(ids.slice(0, PAGE));
        const m = ids.indexOf(String(middle));
        expect(mid.page?.data.map((e) => e.id)).toEqual(ids.slice(m + 1, m + 1 + PAGE));
        expect(mid.page?.hasMore).toBe(true);
        expect(last.page?.data.map((e) => e.id)).toEqual(ids.slice(ids.length - 49));
        expect(last.page?.hasMore).toBe(false);
        at[size] = { first: first.ms, middle: mid.ms, last: last.ms };
        timings.push(
          `events page (${PAGE}) at ${size} events (seeded in ${Math.round(seedMs)} ms): first ${first.ms.toFixed(1)} ms, middle ${mid.ms.toFixed(1)} ms, near the end ${last.ms.toFixed(1)} ms`,
        );
      },
      timeoutFor(size),
    );
  }

  it(
    'the retention sweep deletes expired events by whole days: after its first sweep, a day by its indexed `day`',
    async () => {
      const retention = 15 * 86_400_000;
      const dayStart = (ms: number) => dayOf(ms) * 86_400_000;
      const expiredBefore = (now: number) => dayStart(now - retention); // whole days before the one the edge falls in
      const countBefore = (ms: number) => Math.max(0, Math.ceil((ms - start) / STEP));
      const now = Date.now();
      // A process's first sweep: every expired whole day (one read of the collection).
      let t0 = performance.now();
      const first = await sweepEvents(models, retention, new Date(now));
      const firstMs = performance.now() - t0;
      expect(first.events).toBe(countBefore(expiredBefore(now)));
      // A day later: that day's events go, by `day` alone.
      t0 = performance.now();
      const next = await sweepEvents(models, retention, new Date(now + 86_400_000));
      const nextMs = performance.now() - t0;
      expect(next.events).toBe(countBefore(expiredBefore(now + 86_400_000)) - countBefore(expiredBefore(now)));
      // The same minute again: nothing left to delete, nothing read but the day it already swept.
      expect((await sweepEvents(models, retention, new Date(now + 86_400_000 + 60_000))).events).toBe(0);
      const kept = await models.events.countDocuments({});
      expect(first.events + next.events + kept).toBe(LARGEST);
      timings.push(
        `retention sweep at ${LARGEST} events: first sweep (range) ${first.events} deleted in ${Math.round(firstMs)} ms; a day later (by day) ${next.events} deleted in ${Math.round(nextMs)} ms; ${kept} kept`,
      );
    },
    timeoutFor(LARGEST),
  );
});
