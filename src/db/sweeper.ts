import type { Logger } from '../logger';
import type { Models } from './models';
import { sweepRateSlots } from './rateLimit';

const EVERY_MS = 60_000;

/**
 * Deletes short-lived documents past their `expiresAt` (FerretDB v1 has no
 * TTL indexes): rate-limit slots, email codes, OIDC login states. Readers
 * check expiry themselves; this only keeps the collections small.
 */
export function startSweeper(models: Models, logger: Logger): () => void {
  const sweep = async () => {
    const now = new Date();
    await sweepRateSlots(models, now);
    await models.emailCodes.deleteMany({ expiresAt: { $lt: now } });
    await models.oidcStates.deleteMany({ expiresAt: { $lt: now } });
  };
  const timer = setInterval(() => void sweep().catch((err: unknown) => logger.warn({ err }, 'sweep failed')), EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
}
