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
        }
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
  };
}
