/**
 * When a webhook delivery is tried again (pure; the delivery workflow sleeps
 * for what it returns). The schedule is Svix's: the first attempt at once,
 * then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h after each failure —
 * about 27.5 hours of retries — and configurable (ONRAMP_WEBHOOK_RETRY_SCHEDULE).
 */
export const DEFAULT_RETRY_SCHEDULE_SECONDS: readonly number[] = [0, 5, 300, 1_800, 7_200, 18_000, 36_000, 36_000];

/** A Retry-After larger than this is read as this (a receiver cannot park an endpoint for a week). */
export const MAX_RETRY_AFTER_SECONDS = 24 * 3_600;

/** How one attempt ended, as the workflow acts on it. */
export type AttemptVerdict = 'delivered' | 'retry' | 'gone';

/** 2xx delivered; 410 Gone means the receiver wants no more (the endpoint is disabled); anything else (other statuses, redirects, network errors, refusals) is retried. */
export function verdictOf(status: number | null): AttemptVerdict {
  if (status !== null && status >= 200 && status < 300) return 'delivered';
  if (status === 410) return 'gone';
  return 'retry';
}

/**
 * The wait before the attempt after `attempt` (1-based) failed, or null when
 * the schedule is spent. Jittered by ±10% (`random` in [0, 1): the
 * workflow's deterministic Math.random); a Retry-After longer than the
 * scheduled wait is honoured (capped at a day).
 */
export function nextDelayMs(schedule: readonly number[], attempt: number, retryAfterSeconds: number | null, random: number): number | null {
  const scheduled = schedule[attempt];
  if (scheduled === undefined) return null;
  const jittered = scheduled * 1_000 * (0.9 + 0.2 * random);
  const asked = retryAfterSeconds === null ? 0 : Math.min(retryAfterSeconds, MAX_RETRY_AFTER_SECONDS) * 1_000;
  return Math.round(Math.max(jittered, asked));
}

/** The schedule from its configuration text: comma-separated seconds, the first one 0 (the first attempt is immediate). */
export function parseRetrySchedule(text: string): number[] | string {
  const parts = text.split(',').map((p) => p.trim());
  const seconds = parts.map(Number);
  if (parts.length < 1 || parts.length > 20 || seconds.some((s, i) => !Number.isFinite(s) || s < 0 || s > 7 * 86_400 || parts[i] === '')) {
    return 'must be 1 to 20 comma-separated delays in seconds (each 0 to 604800)';
  }
  if (seconds[0] !== 0) return 'must start with 0 (the first attempt is immediate)';
  return seconds;
}
