/**
 * Per-directory request budget (a token bucket per key, in this instance's
 * memory): `ratePerSecond` sustained, bursts of twice that. In memory on
 * purpose — a database write per SCIM request would cost more than the
 * request — so with N instances a directory gets up to N times the rate.
 */
export function createTokenBuckets(ratePerSecond: number, now: () => number = Date.now) {
  const burst = ratePerSecond * 2;
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    /** Take one token for `key`; when none is left, how long until one is. */
    take(key: string): { ok: true } | { ok: false; retryAfterSeconds: number } {
      const t = now();
      const b = buckets.get(key) ?? { tokens: burst, at: t };
      b.tokens = Math.min(burst, b.tokens + ((t - b.at) / 1000) * ratePerSecond);
      b.at = t;
      buckets.set(key, b);
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return { ok: true };
      }
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - b.tokens) / ratePerSecond)) };
    },
  };
}
