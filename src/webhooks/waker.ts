import { eventWrites, type EventWritten } from '../store/events';
import type { Models } from '../store/models';
import { typeMatches } from '../domain/events';
import type { Logger } from '../logger';
import type { WebhookRunner } from '../runs/webhookClient';

/**
 * Wakes the delivery runs of the endpoints an event written in this process
 * concerns, a few milliseconds after the write (writes in a burst share one
 * wake). Never awaited by the writer: a sign-in is not slowed by delivery.
 *
 * Only runs that said they are idle are woken (their run state's `idle` flag,
 * read fresh at each wake): a run busy retrying a dead receiver for hours
 * gets no signals, so its history stays small. A run sets the flag before
 * its last look for events, so an event is either found by that look or
 * finds the flag. Every `reconcileMs` all enabled endpoints are woken once
 * (a run that ended on an outage starts again); idle runs also poll.
 */
export function startWebhookWaker(deps: { models: Models; runner: WebhookRunner; logger: Logger; debounceMs?: number; reconcileMs?: number }): {
  stop(): void;
} {
  const debounceMs = deps.debounceMs ?? 25;
  let pending: EventWritten[] = [];
  let timer: NodeJS.Timeout | null = null;

  const wake = (endpoints: Array<{ _id: unknown; tenantId?: string | null }>) =>
    Promise.all(
      endpoints.map((e) =>
        deps.runner
          .wake({ id: String(e._id), tenantId: e.tenantId ?? null })
          .catch((err: unknown) => deps.logger.warn({ err, endpointId: e._id }, 'could not wake a webhook run (it polls)')),
      ),
    );
  const flush = async () => {
    timer = null;
    const written = pending;
    pending = [];
    const idleIds = (await deps.models.webhookRunStates.find({ idle: true }, { _id: 1 }).lean()).map((st) => st._id);
    if (idleIds.length === 0) return;
    const idle = await deps.models.webhookEndpoints.find({ _id: { $in: idleIds }, enabled: true }, { tenantId: 1, types: 1 }).lean();
    await wake(idle.filter((e) => written.some((w) => ((e.tenantId ?? null) === null || e.tenantId === w.tenantId) && typeMatches(e.types, w.type))));
  };
  const onWritten = (e: EventWritten) => {
    pending.push(e);
    timer ??= setTimeout(() => void flush().catch((err: unknown) => deps.logger.warn({ err }, 'webhook wake failed (runs poll)')), debounceMs);
  };
  eventWrites.on('written', onWritten);
  const reconcile = setInterval(
    () =>
      void deps.models.webhookEndpoints
        .find({ enabled: true }, { tenantId: 1 })
        .lean()
        .then(wake)
        .catch((err: unknown) => deps.logger.warn({ err }, 'webhook reconcile failed')),
    deps.reconcileMs ?? 300_000,
  );
  reconcile.unref();
  return {
    stop() {
      eventWrites.off('written', onWritten);
      if (timer) clearTimeout(timer);
      clearInterval(reconcile);
    },
  };
}
