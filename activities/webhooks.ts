import { ApplicationFailure } from '@temporalio/common';
import { listEvents } from '../src/db/events';
import type { WebhookEndpointDoc } from '../src/db/models/webhook';
import { cursorAt, eventIdTime, typeMatches, type DomainEvent } from '../src/domain/events';
import { verdictOf, type AttemptVerdict } from '../src/domain/webhookRetry';
import { FAILURE_TYPES } from '../src/domain/failureTypes';
import type { RunRef } from '../src/domain/runRef';
import { isDuplicateKeyError } from '../src/errors';
import { open } from '../src/crypto/secretBox';
import { postWebhook, withoutQuery, type OutboundResult } from '../src/webhooks/outbound';
import { signatureHeaders } from '../src/webhooks/signing';
import type { ActivitySupport } from './support';

/** A delivery round: the live stream, one manual resend, or one replay (each its own attempts in the log). */
export type DeliveryRound = 'live' | `resend-${string}` | `replay-${string}`;

export interface PendingEvents {
  /** Why the run should end: the endpoint is gone or disabled. */
  stop: 'deleted' | 'disabled' | null;
  eventIds: string[];
  /** The position after this page. */
  cursor: string | null;
}

export interface AttemptResult {
  verdict: AttemptVerdict | 'stopped' | 'missing';
  retryAfterSeconds: number | null;
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
 * Webhook delivery (issue #16 §3). The events collection is the outbox; one
 * run per endpoint reads it in ID order and sends each event with these
 * activities. HTTP outcomes are results, never thrown: the run decides the
 * retry schedule. Only infrastructure errors (the database) are retried by
 * Temporal.
 */
export function webhookActivities({ models, logger, now, runAudit, webhooks }: ActivitySupport) {
  const endpointOf = (id: string) => models.webhookEndpoints.findById(id).lean<WebhookEndpointDoc & { _id: string }>();
  const delivery = () => {
    if (!webhooks) throw ApplicationFailure.nonRetryable('webhook delivery is not configured on this worker', FAILURE_TYPES.webhooksNotConfigured);
    return webhooks;
  };
  const liveSecrets = (endpoint: WebhookEndpointDoc, at: Date): string[] =>
    endpoint.secrets.filter((s) => !s.expiresAt || s.expiresAt > at).map((s) => open(delivery().encryptionKey, s.sealed));

  const setIdle = (id: string, idle: boolean) => models.webhookEndpoints.updateOne({ _id: id }, { $set: { idle } });

  /**
   * The endpoint's next events after `cursor`, in ID order. Reads from a
   * little before the cursor (`lookbackMs`): an event whose write finished
   * after a later-numbered one (concurrent runs) is still found, and events
   * already finished for this endpoint are skipped by their delivery record.
   */
  async function pendingAfter(endpoint: WebhookEndpointDoc & { _id: string }, input: { cursor: string | null; lookbackMs: number }): Promise<PendingEvents> {
    const position = [input.cursor, endpoint.cursor, endpoint.startAfter].filter((c): c is string => Boolean(c)).sort().at(-1) ?? endpoint.startAfter;
    const back = cursorAt((eventIdTime(position) ?? 0) - input.lookbackMs);
    const scope = { tenantId: endpoint.tenantId ?? null, types: endpoint.types.every((t) => !t.endsWith('.*')) ? endpoint.types : [] };
    // Late writes just behind the position first (they are older), then what is new.
    const late = await listEvents(models, { ...scope, after: back > endpoint.startAfter ? back : endpoint.startAfter, before: through(position), limit: LOOKBACK_MAX });
    const fresh = await listEvents(models, { ...scope, after: position, limit: PAGE });
    if (late.length === LOOKBACK_MAX) logger.warn({ endpointId: endpoint._id, position }, 'webhook lookback window full: late writes beyond it are not re-read');
    // Only events behind the position can have been finished already (live delivery finishes in order, late ones after): one read.
    const lateIds = late.filter((e) => typeMatches(endpoint.types, e.type)).map((e) => `${endpoint._id}:${e.id}`);
    const finished = new Set(
      lateIds.length === 0 ? [] : (await models.webhookDeliveries.find({ _id: { $in: lateIds } }, { eventId: 1 }).lean()).map((d) => d.eventId),
    );
    const eventIds = [...late, ...fresh].filter((e) => typeMatches(endpoint.types, e.type) && !finished.has(e.id)).map((e) => e.id);
    return { stop: null, eventIds, cursor: fresh.at(-1)?.id ?? position };
  }

  return {
    /**
     * The endpoint's next events (pendingAfter), and its idle flag kept. Reads from a
     * little before the cursor (`lookbackMs`): an event whose write finished
     * after a later-numbered one (concurrent runs) is still found, and events
     * already finished for this endpoint are skipped by their delivery record.
     */
    async pendingWebhookEvents(input: { endpointId: string; cursor: string | null; lookbackMs: number }): Promise<PendingEvents> {
      const endpoint = await endpointOf(input.endpointId);
      if (!endpoint) return { stop: 'deleted', eventIds: [], cursor: input.cursor };
      if (!endpoint.enabled) return { stop: 'disabled', eventIds: [], cursor: input.cursor };
      const first = await pendingAfter(endpoint, input);
      if (first.eventIds.length > 0 || first.cursor !== input.cursor) {
        if (endpoint.idle) await setIdle(endpoint._id, false);
        return first;
      }
      // Nothing: say so first, then look once more. An event written before the flag was set is
      // found by this look; one written after it finds the flag and wakes the run.
      if (!endpoint.idle) await setIdle(endpoint._id, true);
      const second = await pendingAfter(endpoint, input);
      if (second.eventIds.length > 0) await setIdle(endpoint._id, false);
      return second;
    },

    /** A replay's next page: the endpoint's events after `after` up to `until` (the live position when the replay was asked). */
    async replayWebhookEvents(input: { endpointId: string; after: string; until: string | null }): Promise<PendingEvents> {
      const endpoint = await endpointOf(input.endpointId);
      if (!endpoint) return { stop: 'deleted', eventIds: [], cursor: null };
      if (!endpoint.enabled) return { stop: 'disabled', eventIds: [], cursor: null };
      const until = input.until ?? endpoint.cursor ?? endpoint.startAfter;
      const page = await listEvents(models, { tenantId: endpoint.tenantId ?? null, after: input.after, before: through(until), limit: PAGE });
      // cursor null only when the raw page was empty: a page of other types still moves the replay on.
      return { stop: null, eventIds: page.filter((e) => typeMatches(endpoint.types, e.type)).map((e) => e.id), cursor: page.at(-1)?.id ?? null };
    },

    /** Send one event once (signed with every live secret) and log the attempt. */
    async attemptWebhookDelivery(input: { endpointId: string; eventId: string; round: DeliveryRound; attempt: number }): Promise<AttemptResult> {
      const endpoint = await endpointOf(input.endpointId);
      if (!endpoint || !endpoint.enabled) return { verdict: 'stopped', retryAfterSeconds: null };
      const event = await models.events.findById(input.eventId).lean();
      if (!event || (endpoint.tenantId !== null && event.tenantId !== endpoint.tenantId)) return { verdict: 'missing', retryAfterSeconds: null };
      // Re-enabled meanwhile: live delivery starts after the newest event of that moment (replays still send older ones).
      if (input.round === 'live' && event._id <= endpoint.startAfter) return { verdict: 'missing', retryAfterSeconds: null };
      const at = now();
      const body = webhookBody(event.payload);
      const headers = { 'content-type': 'application/json', ...signatureHeaders(liveSecrets(endpoint, at), event._id, at, body) };
      const result = await postWebhook(endpoint.url, body, headers, delivery().policy);
      const status = result.kind === 'response' ? result.status : null;
      const verdict = verdictOf(status);
      await logAttempt(input, event.type, result, verdict, at);
      return { verdict, retryAfterSeconds: result.kind === 'response' ? result.retryAfterSeconds : null };
    },

    /** The live delivery of an event ended (delivered or given up): recorded once, and the endpoint's position moves past it. */
    async finishWebhookDelivery(input: { endpointId: string; eventId: string; status: 'delivered' | 'failed'; attempts: number }): Promise<void> {
      try {
        await models.webhookDeliveries.create({ _id: `${input.endpointId}:${input.eventId}`, ...input, at: now() });
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
      }
      // One run per endpoint writes the position, so this read-then-write is not raced.
      const endpoint = await endpointOf(input.endpointId);
      if (endpoint && (!endpoint.cursor || endpoint.cursor < input.eventId)) await models.webhookEndpoints.updateOne({ _id: input.endpointId }, { $set: { cursor: input.eventId } });
    },

    /** Disable an endpoint the receiver gave up on (410) or that failed for the whole retry window; audited once per run. */
    async disableWebhookEndpoint(input: { endpointId: string; reason: 'gone' | 'failing'; eventId: string; run: RunRef }): Promise<void> {
      const endpoint = await endpointOf(input.endpointId);
      if (!endpoint) return;
      const reason = input.reason === 'gone' ? `the receiver answered 410 Gone to ${input.eventId}` : `delivery of ${input.eventId} failed for the whole retry schedule`;
      if (endpoint.enabled) await models.webhookEndpoints.updateOne({ _id: input.endpointId }, { $set: { enabled: false, disabledReason: reason } });
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

  async function logAttempt(input: { endpointId: string; eventId: string; round: string; attempt: number }, eventType: string, result: OutboundResult, verdict: AttemptVerdict, at: Date) {
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
    const earlier = await models.webhookAttempts.findById(_id, { sends: 1 }).lean();
    await models.webhookAttempts.replaceOne({ _id }, { ...fields, sends: (earlier?.sends ?? 0) + 1 }, { upsert: true });
  }
}

export type WebhookActivities = ReturnType<typeof webhookActivities>;
