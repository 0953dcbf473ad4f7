import { eventWrites, type EventWritten } from '../db/events';
import type { Models } from '../db/models';
import { typeMatches } from '../domain/events';
import type { Logger } from '../logger';
import type { WebhookRunner } from '../temporal/webhookClient';

interface Listening {
  id: string;
  tenantId: string | null;
  types: string[];
}

/**
 * Wakes the delivery runs of the endpoints an event written in this process
 * concerns, a few milliseconds after the write (writes in a burst share one
 * wake per endpoint). Never awaited by the writer: a sign-in is not slowed
 * by delivery, and a lost wake costs only latency (the runs also poll).
 * The enabled endpoints are read at most every `refreshMs`.
 */
export function startWebhookWaker(deps: { models: Models; runner: WebhookRunner; logger: Logger; debounceMs?: number; refreshMs?: number }): { stop(): void; refresh(): void } {
  const debounceMs = deps.debounceMs ?? 25;
  const refreshMs = deps.refreshMs ?? 1_000;
  let endpoints: { at: number; list: Listening[] } | null = null;
  let pending: EventWritten[] = [];
  let timer: NodeJS.Timeout | null = null;

  const enabled = async (): Promise<Listening[]> => {
    if (endpoints && Date.now() - endpoints.at < refreshMs) return endpoints.list;
    const rows = await deps.models.webhookEndpoints.find({ enabled: true }, { tenantId: 1, types: 1 }).lean();
    endpoints = { at: Date.now(), list: rows.map((r) => ({ id: String(r._id), tenantId: r.tenantId ?? null, types: r.types })) };
    return endpoints.list;
  };
  const flush = async () => {
    timer = null;
    const written = pending;
    pending = [];
    const list = await enabled();
    const due = list.filter((e) => written.some((w) => (e.tenantId === null || e.tenantId === w.tenantId) && typeMatches(e.types, w.type)));
    await Promise.all(due.map((e) => deps.runner.wake(e).catch((err: unknown) => deps.logger.warn({ err, endpointId: e.id }, 'could not wake a webhook run (it polls)'))));
  };
  const onWritten = (e: EventWritten) => {
    pending.push(e);
    timer ??= setTimeout(() => void flush().catch((err: unknown) => deps.logger.warn({ err }, 'webhook wake failed (runs poll)')), debounceMs);
  };
  eventWrites.on('written', onWritten);
  return {
    stop() {
      eventWrites.off('written', onWritten);
      if (timer) clearTimeout(timer);
    },
    refresh() {
      endpoints = null;
    },
  };
}
