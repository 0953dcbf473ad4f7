import type { Logger } from '../logger';
import type { Models } from './models';
import { sweepEvents } from './events';
import { sweepRateSlots } from './rateLimit';
import { writePendingAudits } from './audit';

/**
 * Deletes short-lived documents past their expiry (FerretDB v1 has no TTL
 * indexes): sessions, SAML request and assertion IDs, rate-limit slots, email
 * codes, OIDC login states; and events and webhook attempts past their
 * retention (ONRAMP_EVENTS_RETENTION_DAYS). Readers check expiry themselves; this only keeps
 * the collections small. It also completes admin actions' audits and events
 * left half-written by a process that died (db/audit.ts). Every delete is acknowledged (never `w: 0`, see
 * db/replyGuard.ts). Returns how many documents each sweep removed.
 */
export async function sweepExpired(models: Models, now = new Date(), eventRetentionMs: number | null = null): Promise<Record<string, number>> {
  const removed = async (p: Promise<{ deletedCount: number }>) => (await p).deletedCount;
  return {
    // Not a removal: admin actions' audits and events whose writer died, written now.
    pendingAudits: await writePendingAudits(models, now),
    ...(eventRetentionMs !== null ? await sweepEvents(models, eventRetentionMs, now) : {}),
    sessions: await removed(models.sessions.deleteMany({ expires: { $lt: now } })),
    samlRequests: await removed(models.samlRequests.deleteMany({ expiresAt: { $lte: now } })),
    usedAssertions: await removed(models.usedAssertions.deleteMany({ expiresAt: { $lte: now } })),
    rateSlots: await sweepRateSlots(models, now),
    emailCodes: await removed(models.emailCodes.deleteMany({ expiresAt: { $lt: now } })),
    oidcStates: await removed(models.oidcStates.deleteMany({ expiresAt: { $lt: now } })),
    scimStagedMembers: await removed(models.scimStagedMembers.deleteMany({ expiresAt: { $lt: now } })),
    invitationTokens: await removed(models.invitationTokens.deleteMany({ expiresAt: { $lt: now } })),
    invitationHandoffs: await removed(models.invitationHandoffs.deleteMany({ expiresAt: { $lt: now } })),
    importTakeovers: await removed(models.importTakeovers.deleteMany({ at: { $lt: new Date(now.getTime() - 86_400_000) } })),
    // Applied long ago: the endpoint is generations past them.
    webhookEndpointChanges: await removed(models.webhookEndpointChanges.deleteMany({ at: { $lt: new Date(now.getTime() - 86_400_000) } })),
  };
}

/** Sweep every `intervalMs` (ONRAMP_SWEEP_INTERVAL_MS) until the returned stop function is called; events older than `eventRetentionMs` go too. */
export function startSweeper(models: Models, logger: Logger, intervalMs: number, eventRetentionMs: number | null = null): () => void {
  const timer = setInterval(
    () =>
      void sweepExpired(models, new Date(), eventRetentionMs)
        .then((counts) => logger.debug({ removed: counts }, 'swept expired documents'))
        .catch((err: unknown) => logger.warn({ err }, 'sweep failed')),
    intervalMs,
  );
  timer.unref();
  return () => clearInterval(timer);
}
