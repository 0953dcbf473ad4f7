export interface Prepared {
  subject: string;
  /** Send the prepared sign-in (a SAML POST to the ACS, an OIDC callback…); a sign-in counts when it answers 303. */
  send(): Promise<Response>;
}

/** A SAML response signed in advance, posted to the ACS as a browser would. */
export const samlPost = (acsUrl: string, SAMLResponse: string) => () =>
  fetch(acsUrl, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ SAMLResponse }).toString(),
  });

export interface LoadResult {
  count: number;
  ok: number;
  errors: number;
  errorSamples: string[];
  seconds: number;
  throughput: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number; mean: number };
  /**
   * Successful answers per second in the last 10% of 5-s windows ÷ the first 10%, over the windows up to
   * the time 90% of them had come (rateFlatness); 1 = flat, below 1 = slower as the data grows. Null: too short to tell.
   */
  rateLastToFirst: number | null;
}

/** Windows of this many ms for rateFlatness. */
export const RATE_WINDOW_MS = 5_000;

/**
 * How flat a run's rate stays: `answeredMs` are the times (ms since the run's start) of its successful answers.
 * Up to the time 90% had come, cut into windows of `windowMs` (the last one possibly shorter), the mean rate of the
 * last 10% of windows (at least one) ÷ that of the first 10%. Null with fewer than two windows or no answer in the first.
 */
export function rateFlatness(answeredMs: readonly number[], windowMs = RATE_WINDOW_MS): number | null {
  if (answeredMs.length === 0) return null;
  const sorted = [...answeredMs].sort((a, b) => a - b);
  const until = sorted[Math.ceil(0.9 * sorted.length) - 1] ?? 0;
  const windows = Math.ceil(until / windowMs);
  if (windows < 2) return null;
  const counts = new Array<number>(windows).fill(0);
  for (const t of sorted) {
    if (t > until) break;
    const i = Math.min(windows - 1, Math.floor(t / windowMs));
    counts[i] = (counts[i] ?? 0) + 1;
  }
  const rate = (i: number) => (counts[i] ?? 0) / (Math.min(windowMs, until - i * windowMs) || windowMs);
  const k = Math.max(1, Math.round(windows / 10));
  let first = 0;
  let last = 0;
  for (let i = 0; i < k; i++) {
    first += rate(i);
    last += rate(windows - 1 - i);
  }
  return first === 0 ? null : Math.round((last / first) * 100) / 100;
}

const percentile = (sorted: number[], p: number): number =>
  sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0);

const round = (n: number) => Math.round(n * 10) / 10;

/** p50/p95/p99/max/mean of a set of durations (ms), rounded to 0.1. */
export function latencyStats(values: number[]): LoadResult['latencyMs'] {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted[sorted.length - 1] ?? 0),
    mean: round(sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length)),
  };
}

/** Send prepared requests at a fixed concurrency; bounded by a deadline. A sign-in succeeds with 303 (`succeeded` says otherwise for other requests). */
export async function drive(
  items: Prepared[],
  concurrency: number,
  deadline: number,
  succeeded: (status: number) => boolean = (s) => s === 303,
): Promise<LoadResult> {
  const latencies: number[] = [];
  const answeredMs: number[] = [];
  const errorSamples: string[] = [];
  let errors = 0;
  let next = 0;
  const started = performance.now();
  const workerLoop = async () => {
    for (;;) {
      const i = next++;
      const item = items[i];
      if (!item || Date.now() > deadline) return;
      const t0 = performance.now();
      try {
        const res = await item.send();
        const body = await res.text();
        if (!succeeded(res.status)) {
          errors++;
          const code = /Reason code: <code>([^<]+)<\/code>/.exec(body)?.[1] ?? body.slice(0, 200);
          if (errorSamples.length < 5) errorSamples.push(`${res.status} ${code}`);
        } else answeredMs.push(performance.now() - started);
      } catch (err) {
        errors++;
        if (errorSamples.length < 5) errorSamples.push(String(err));
      }
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, workerLoop));
  const seconds = (performance.now() - started) / 1000;
  return {
    count: latencies.length,
    ok: latencies.length - errors,
    errors,
    errorSamples,
    seconds: round(seconds),
    throughput: round(latencies.length / seconds),
    latencyMs: latencyStats(latencies),
    rateLastToFirst: rateFlatness(answeredMs),
  };
}
