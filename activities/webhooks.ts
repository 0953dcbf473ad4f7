import { ApplicationFailure } from '@temporalio/common';
import type { WebhookEndpointRow } from '../src/store/webhooks';
import { cursorAt, eventIdTime, eventPayloadForReceivers, typeMatches, type DomainEvent } from '../src/domain/events';
import { verdictOf, type AttemptVerdict } from '../src/domain/webhookRetry';
import { FAILURE_TYPES } from '../src/domain/failureTypes';
import type { RunRef } from '../src/domain/runRef';
import { countWebhookAttempt } from '../src/metrics/registry';
import { open } from '../src/crypto/secretBox';
import { postWebhook, withoutQuery, type OutboundResult } from '../src/webhooks/outbound';
import { signatureHeaders } from '../src/webhooks/signing';
import { activityContext, type ActivitySupport } from './support';

/** A delivery round: the live stream, one manual resend, or one replay (each its own attempts in the log). */
export type DeliveryRound = 'live' | `resend-${string}` | `replay-${string}`;

export interface PendingEvents {
  /** Why the run should end: the endpoint is gone or disabled. */
  stop: 'deleted' | 'disabled' | null;
  eventIds: string[];
  /** The position after this page. */
  cursor: string | null;
  /** Events newer than the settle time are waiting: look again shortly rather than idle. */
  young: boolean;
}

export interface PendingInput {
  cursor: string | null;
  lookbackMs: number;
  settleMs: number;
}

/** How a batch went: the first `done` events are finished (delivered or nothing to send); `failure` says why the next was not delivered. */
export interface BatchResult {
  done: number;
  failure: { eventId: string; verdict: Exclude<AttemptVerdict, 'delivered'> | 'stopped'; attempt: number; retryAfterSeconds: number | null } | null;
}

const PAGE = 100;
/** At most this many events behind the position are re-read per page (a lookback window of a few seconds holds fewer; more is logged). */
const LOOKBACK_MAX = 5_000;
/** An exclusive bound that takes `id` itself (IDs have one length, and `~` sorts after every ID character). */
const through = (id: string): string => `${id}~`;

/** The Standard Webhooks body: `{ type, timestamp, data }`, data = the event. */
export const webhookBody = (payload: string): string => {
  const event = JSON.parse(payload) as DomainEvent;
  return `{"type":${JSON.stringify(event.type)},"timestamp":${JSON.stringify(event.occurredAt)},"data":${payload}}`;
};

/**
 * Webhook delivery. The events collection is the outbox; one
 * run per endpoint reads it in ID order and sends each event with these
 * activities. HTTP outcomes are results, never thrown: the run decides the
 * retry schedule. Only infrastructure errors (the database) are retried by
 * Temporal.
 */
export function webhookActivities({ store, logger, now, runAudit, webhooks }: ActivitySupport) {
  const endpointOf = (id: string) => store.webhooks.byId(id);
  const delivery = () => {
    if (!webhooks) throw ApplicationFailure.nonRetryable('webhook delivery is not configured on this worker', FAILURE_TYPES.webhooksNotConfigured);
    return webhooks;
  };
  const liveSecrets = (endpoint: WebhookEndpointRow, at: Date): string[] =>
    endpoint.secrets.filter((s) => !s.expiresAt || s.expiresAt > at).map((s) => open(delivery().encryptionKey, s.sealed));

  /** The run's own state (webhook_run_states): only this endpoint's one run writes it. */
  const stateOf = async (id: string): Promise<{ cursor: string | null; idle: boolean }> => {
    const state = await store.webhooks.runStateOf(id);
    return { cursor: state?.cursor ?? null, idle: state?.idle ?? false };
  };
  const setState = (id: string, fields: { idle?: boolean; cursor?: string }) => store.webhooks.setRunState(id, fields);
  /** The events among `eventIds` whose live delivery this endpoint already finished (one read). */
  const finishedOf = async (endpointId: string, eventIds: readonly string[]): Promise<Set<string>> =>
    new Set(eventIds.length === 0 ? [] : (await store.webhooks.deliveriesIn(eventIds.map((id) => `${endpointId}:${id}`))).map((d) => d.eventId));
  /** A live delivery done: recorded once (a retried batch skips it). */
  const recordDelivered = async (endpointId: string, eventId: string, attempts: number) => {
    await store.webhooks.recordDelivery({ _id: `${endpointId}:${eventId}`, endpointId, eventId, status: 'delivered', attempts, at: now() });
  };
  /** The run's position past these delivered events. */
  const moveCursor = async (endpointId: string, eventIds: readonly string[]) => {
    const last = [...eventIds].sort().at(-1);
    if (!last) return;
    const { cursor } = await stateOf(endpointId);
    if (!cursor || cursor < last) await setState(endpointId, { cursor: last });
  };

  /**
   * The endpoint's next events after `cursor`, in ID order. Reads from a
   * little before the cursor (`lookbackMs`): an event whose write finished
   * after a later-numbered one (concurrent runs) is still found, and events
   * already finished for this endpoint are skipped by their delivery record.
   */
  async function pendingAfter(endpoint: WebhookEndpointRow, stored: string | null, input: PendingInput): Promise<PendingEvents> {
    const position =
      [input.cursor, stored, endpoint.startAfter]
        .filter((c): c is string => Boolean(c))
        .sort()
        .at(-1) ?? endpoint.startAfter;
    const back = cursorAt((eventIdTime(position) ?? 0) - input.lookbackMs);
    const scope = { tenantId: endpoint.tenantId ?? null, types: endpoint.types.every((t) => !t.endsWith('.*')) ? endpoint.types : [] };
    // Late writes just behind the position first (they are older), then what is new.
    const late = await store.events.list({
      ...scope,
      after: back > endpoint.startAfter ? back : endpoint.startAfter,
      before: through(position),
      limit: LOOKBACK_MAX,
    });
    const fresh = await store.events.list({ ...scope, after: position, limit: PAGE });
    if (late.length === LOOKBACK_MAX)
      logger.warn({ endpointId: endpoint._id, position }, 'webhook lookback window full: late writes beyond it are not re-read');
    // Only events behind the position can have been finished already (live delivery finishes in order, late ones after): one read.
    const finished = await finishedOf(
      endpoint._id,
      late.filter((e) => typeMatches(endpoint.types, e.type)).map((e) => e.id),
    );
    // Only events older than the settle time go live: one whose ID was taken earlier may still be being written.
    const bound = cursorAt(now().getTime() - input.settleMs);
    const settled = fresh.filter((e) => e.id < bound);
    const eventIds = [...late, ...settled].filter((e) => typeMatches(endpoint.types, e.type) && !finished.has(e.id)).map((e) => e.id);
    return { stop: null, eventIds, cursor: settled.at(-1)?.id ?? position, young: settled.length < fresh.length };
  }

  return {
    /**
     * The endpoint's next events (pendingAfter), and its idle flag kept. Reads from a
     * little before the cursor (`lookbackMs`): an event whose write finished
     * after a later-numbered one (concurrent runs) is still found, and events
     * already finished for this endpoint are skipped by their delivery record.
     */
    async pendingWebhookEvents(input: PendingInput & { endpointId: string }): Promise<PendingEvents> {
      const endpoint = await endpointOf(input.endpointId);
      if (!endpoint) return { stop: 'deleted', eventIds: [], cursor: input.cursor, young: false };
      if (!endpoint.enabled) return { stop: 'disabled', eventIds: [], cursor: input.cursor, young: false };
      const state = await stateOf(endpoint._id);
      activityContext()?.heartbeat();
      const first = await pendingAfter(endpoint, state.cursor, input);
      if (first.eventIds.length > 0 || first.cursor !== input.cursor || first.young) {
        if (state.idle) await setState(endpoint._id, { idle: false });
        return first;
      }
      // Nothing: say so first, then look once more. An event written before the flag was set is
      // found by this look; one written after it finds the flag and wakes the run.
      if (!state.idle) await setState(endpoint._id, { idle: true });
      activityContext()?.heartbeat();
      const second = await pendingAfter(endpoint, state.cursor, input);
      if (second.eventIds.length > 0 || second.young) await setState(endpoint._id, { idle: false });
      return second;
    },

    /** A replay's next page: the endpoint's events after `after` up to `until` (the live position when the replay was asked). */
    async replayWebhookEvents(input: { endpointId: string; after: string; until: string | null }): Promise<PendingEvents> {
      const endpoint = await endpointOf(input.endpointId);
      if (!endpoint) return { stop: 'deleted', eventIds: [], cursor: null, young: false };
      if (!endpoint.enabled) return { stop: 'disabled', eventIds: [], cursor: null, young: false };
      const until = input.until ?? (await stateOf(endpoint._id)).cursor ?? endpoint.startAfter;
      const page = await store.events.list({ tenantId: endpoint.tenantId ?? null, after: input.after, before: through(until), limit: PAGE });
      // cursor null only when the raw page was empty: a page of other types still moves the replay on.
      return { stop: null, eventIds: page.filter((e) => typeMatches(endpoint.types, e.type)).map((e) => e.id), cursor: page.at(-1)?.id ?? null, young: false };
    },

    /**
     * Send events in order, each once (signed with every live secret), until
     * one is not delivered; log every attempt. A live round records each
     * delivered event (so it is never sent again) and moves the endpoint's
     * position. Heartbeats after each send: a killed worker's batch is
     * taken over and skips what was already recorded.
     */
    async sendWebhookBatch(input: { endpointId: string; eventIds: string[]; round: DeliveryRound; attempt: number }): Promise<BatchResult> {
      const endpoint = await endpointOf(input.endpointId);
      const first = input.eventIds[0] ?? '';
      if (!endpoint || !endpoint.enabled) return { done: 0, failure: { eventId: first, verdict: 'stopped', attempt: input.attempt, retryAfterSeconds: null } };
      const ctx = activityContext();
      ctx?.heartbeat(-1);
      const live = input.round === 'live';
      const events = new Map((await store.events.byIds(input.eventIds)).map((e) => [e._id, e]));
      const finished = live ? await finishedOf(endpoint._id, input.eventIds) : new Set<string>();
      const delivered: string[] = [];
      const settle = async (result: BatchResult) => {
        if (live) await moveCursor(endpoint._id, delivered);
        return result;
      };
      for (const [i, id] of input.eventIds.entries()) {
        // Timed out (a heartbeat came too late) and retried elsewhere: send nothing more from here.
        if (ctx?.cancellationSignal.aborted) throw new Error('webhook batch cancelled: its retry continues elsewhere');
        ctx?.heartbeat(i);
        const event = events.get(id);
        // Gone (swept), not this tenant's, before a re-enable's start (live only), or already finished: nothing to send.
        if (!event || (endpoint.tenantId !== null && event.tenantId !== endpoint.tenantId) || (live && id <= endpoint.startAfter) || finished.has(id)) continue;
        const attempt = i === 0 ? input.attempt : 1;
        const at = now();
        const body = webhookBody(eventPayloadForReceivers(event.payload, { includeIp: delivery().includeIp === true }));
        const headers = { 'content-type': 'application/json', ...signatureHeaders(liveSecrets(endpoint, at), event._id, at, body) };
        const result = await postWebhook(endpoint.url, body, headers, delivery().policy);
        const verdict = verdictOf(result.kind === 'response' ? result.status : null);
        await logAttempt({ endpointId: endpoint._id, eventId: id, round: input.round, attempt }, event.type, result, verdict, at);
        if (verdict !== 'delivered')
          return settle({
            done: i,
            failure: { eventId: id, verdict, attempt, retryAfterSeconds: result.kind === 'response' ? result.retryAfterSeconds : null },
          });
        // Recorded at once: a batch taken over after a crash skips it.
        if (live) await recordDelivered(endpoint._id, id, attempt);
        delivered.push(id);
      }
      return settle({ done: input.eventIds.length, failure: null });
    },

    /** The live delivery of an event ended (delivered or given up): recorded once, and the endpoint's position moves past it. */
    async finishWebhookDelivery(input: { endpointId: string; eventId: string; status: 'delivered' | 'failed'; attempts: number }): Promise<void> {
      await store.webhooks.recordDelivery({ _id: `${input.endpointId}:${input.eventId}`, ...input, at: now() });
      // One run per endpoint writes its state, so this read-then-write is not raced.
      const { cursor } = await stateOf(input.endpointId);
      if (!cursor || cursor < input.eventId) await setState(input.endpointId, { cursor: input.eventId });
    },

    /**
     * Disable an endpoint the receiver gave up on (410) or that failed for the whole retry window; audited once per run.
     * Not when an admin enabled it after the run decided to (the activity was scheduled): the admin's word is later.
     * Written as the endpoint's next change (db/webhookChanges.ts); a change taken at the same time makes this retry.
     */
    async disableWebhookEndpoint(input: { endpointId: string; reason: 'gone' | 'failing'; eventId: string; run: RunRef }): Promise<void> {
      const endpoint = await endpointOf(input.endpointId);
      if (!endpoint) return;
      const decidedAt = activityContext()?.info.scheduledTimestampMs ?? now().getTime();
      if (endpoint.enabledAt && endpoint.enabledAt.getTime() >= decidedAt) {
        logger.info(
          { endpointId: input.endpointId, eventId: input.eventId },
          'an admin enabled the endpoint after the run decided to disable it: left enabled',
        );
        return;
      }
      const reason =
        input.reason === 'gone' ? `the receiver answered 410 Gone to ${input.eventId}` : `delivery of ${input.eventId} failed for the whole retry schedule`;
      if (endpoint.enabled && (await store.webhooks.change(endpoint, 'auto_disable', { enabled: false, disabledReason: reason }, now())) === 'conflict') {
        throw new Error('the endpoint was being changed at the same time: the disable is tried again');
      }
      await runAudit(input.run, `webhook.disabled.${input.eventId}`, {
        tenantId: endpoint.tenantId ?? null,
        actor: { type: 'system', id: null },
        action: 'webhook.endpoint_disabled',
        target: { type: 'webhook_endpoint', id: input.endpointId },
        reason,
        context: { url: withoutQuery(endpoint.url), eventId: input.eventId },
      });
    },
  };

  async function logAttempt(
    input: { endpointId: string; eventId: string; round: string; attempt: number },
    eventType: string,
    result: OutboundResult,
    verdict: AttemptVerdict,
    at: Date,
  ) {
    const _id = `${input.endpointId}:${input.eventId}:${input.round}:${input.attempt}`;
    const fields = {
      endpointId: input.endpointId,
      eventId: input.eventId,
      eventType,
      round: input.round,
      attempt: input.attempt,
      outcome: result.kind === 'refused' ? 'refused' : verdict === 'delivered' ? 'delivered' : 'failed',
      status: result.kind === 'response' ? result.status : null,
      error: result.kind === 'response' ? null : `${result.code}: ${result.message}`,
      latencyMs: result.kind === 'refused' ? null : result.latencyMs,
      response: result.kind === 'response' ? result.bodyExcerpt : '',
      at,
    };
    // One run per endpoint: a second write of the same attempt is this activity retried after it had sent (a crash): count the send.
    // (One writer at a time, so $inc is safe here even on FerretDB; one write instead of a read and a write.)
    await store.webhooks.recordAttempt(_id, fields);
    countWebhookAttempt(fields.outcome);
  }
}

export type WebhookActivities = ReturnType<typeof webhookActivities>;
