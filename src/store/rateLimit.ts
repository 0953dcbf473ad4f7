import { deleteInBatches } from './sweepBatches';
import { isDuplicateKeyError } from '../errors';
import type { Models } from './models';

export interface RateLimit {
  /** At most this many uses… */
  limit: number;
  /** …per window of this many ms. */
  windowMs: number;
}

/**
 * Take one use of `key` in the current window, or say when to come back.
 * Each use is an insert of a slot `key:window:n` (n = 1..limit) on its
 * unique `_id`: exact across app instances and on FerretDB v1, whose
 * updates are not atomic (a counter with $inc would lose increments).
 * Slots expire with their window and are swept by `sweepRateSlots`.
 */
export async function takeRateSlot(
  models: Models,
  key: string,
  rule: RateLimit,
  now = Date.now(),
): Promise<{ ok: true } | { ok: false; retryAfterMs: number }> {
  const window = Math.floor(now / rule.windowMs);
  const expiresAt = new Date((window + 1) * rule.windowMs);
  for (let n = 1; n <= rule.limit; n++) {
    try {
      await models.rateSlots.create({ _id: `${key}:${window}:${n}`, expiresAt });
      return { ok: true };
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
    }
  }
  return { ok: false, retryAfterMs: expiresAt.getTime() - now };
}

export async function sweepRateSlots(models: Models, now = new Date()): Promise<number> {
  return (await deleteInBatches(models.rateSlots, { expiresAt: { $lt: now } })).deleted;
}

/** The rate limits the libraries take, bound to the models (src/store/store.ts). */
export function createRateLimitStore(models: Models) {
  return {
    /** Take one use of `key` under `rule` (takeRateSlot). */
    take: (key: string, rule: RateLimit) => takeRateSlot(models, key, rule),
  };
}
