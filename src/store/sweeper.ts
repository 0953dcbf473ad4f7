import type { Logger } from '../logger';
import type { Models } from './models';
import { sweepEvents } from './events';
import { sweepRateSlots } from './rateLimit';
import { writePendingAudits } from './audit';
import { backfillMemberSearch } from './memberSearch';
import { deleteInBatches, type SweepableModel } from './sweepBatches';

/**
 * Deletes short-lived documents past their expiry (FerretDB v1 has no TTL
 * indexes): sessions, SAML request and assertion IDs, rate-limit slots, email
 * codes, OIDC login states; and events and webhook attempts past their
 * retention (ONRAMP_EVENTS_RETENTION_DAYS). Readers check expiry themselves; this only keeps
 * the collections small. It also completes admin actions' audits and events
 * left half-written by a process that died (db/audit.ts), and backfills the
 * member search's documents (store/memberSearch.ts). Every delete is acknowledged (never `w: 0`, see
 * db/replyGuard.ts). Returns how many documents each sweep removed. Deletes go
 * in bounded batches (db/sweepBatches.ts), so a backlog after downtime is worked
 * off over a few sweeps; each collection is swept on its own, so one failing
 * keeps no other's documents, and the sweep then fails naming the ones that did.
 */
export async function sweepExpired(models: Models, now = new Date(), eventRetentionMs: number | null = null): Promise<Record<string, number>> {
  const expired = (field: string, op: '$lt' | '$lte' = '$lt', at = now) => ({ [field]: { [op]: at } });
  const dayAgo = new Date(now.getTime() - 86_400_000);
  const batches = async (model: SweepableModel, filter: Record<string, unknown>) => (await deleteInBatches(model, filter)).deleted;
  const sweeps: Array<[string, () => Promise<number | Record<string, number>>]> = [
    // Not a removal: admin actions' audits and events whose writer died, written now.
    ['pendingAudits', () => writePendingAudits(models, now)],
    // Not a removal: search documents for memberships made before they existed, a few batches a sweep until done.
    ['memberSearch', async () => (await backfillMemberSearch(models)).written],
    ['events', () => (eventRetentionMs !== null ? sweepEvents(models, eventRetentionMs, now) : Promise.resolve({}))],
    ['sessions', () => batches(models.sessions, expired('expires'))],
    ['samlRequests', () => batches(models.samlRequests, expired('expiresAt', '$lte'))],
    ['usedAssertions', () => batches(models.usedAssertions, expired('expiresAt', '$lte'))],
    ['rateSlots', () => sweepRateSlots(models, now)],
    ['emailCodes', () => batches(models.emailCodes, expired('expiresAt'))],
    ['oidcStates', () => batches(models.oidcStates, expired('expiresAt'))],
    ['scimStagedMembers', () => batches(models.scimStagedMembers, expired('expiresAt'))],
    ['invitationTokens', () => batches(models.invitationTokens, expired('expiresAt'))],
    ['invitationHandoffs', () => batches(models.invitationHandoffs, expired('expiresAt'))],
    ['importTakeovers', () => batches(models.importTakeovers, expired('at', '$lt', dayAgo))],
    // Applied long ago: the endpoint is generations past them.
    ['webhookEndpointChanges', () => batches(models.webhookEndpointChanges, expired('at', '$lt', dayAgo))],
    // The same for every document whose writers take turns (store/turns.ts); a change is rolled forward within seconds.
    ['documentChanges', () => batches(models.documentChanges, expired('at', '$lt', dayAgo))],
  ];
  // Each sweep on its own: one that fails (a refusing database) does not keep the others' documents.
  const counts: Record<string, number> = {};
  const failed: Array<{ name: string; err: unknown }> = [];
  for (const [name, sweep] of sweeps) {
    try {
      const result = await sweep();
      Object.assign(counts, typeof result === 'number' ? { [name]: result } : result);
    } catch (err) {
      failed.push({ name, err });
    }
  }
  if (failed.length > 0) {
    throw new AggregateError(
      failed.map((f) => f.err),
      `sweep failed for ${failed.map((f) => f.name).join(', ')}`,
    );
  }
  return counts;
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
