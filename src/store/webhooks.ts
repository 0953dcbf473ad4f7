import { isDuplicateKeyError } from '../errors';
import { latestEventId } from './events';
import type { Models } from './models';
import type { WebhookEndpointDoc } from './models/webhook';
import { changeEndpoint, type EndpointChangeKind } from './webhookChanges';

/** A webhook endpoint as stored. */
export type WebhookEndpointRow = WebhookEndpointDoc & { _id: string; createdAt: Date; updatedAt: Date };

/** A new endpoint as the webhook library gives it. */
export interface NewWebhookEndpoint {
  _id: string;
  tenantId: string | null;
  url: string;
  description: string;
  types: string[];
  enabled: boolean;
  secrets: Array<{ id: string; sealed: string; createdAt: Date; expiresAt: Date | null }>;
  startAfter: string;
}

/** A delivery attempt's log entry as the delivery activity writes it (webhook_attempts). */
export interface WebhookAttemptFields {
  endpointId: string;
  eventId: string;
  eventType: string;
  round: string;
  attempt: number;
  outcome: string;
  status: number | null;
  error: string | null;
  latencyMs: number | null;
  response: string;
  at: Date;
}

/** Webhook endpoints, their runs' positions, the delivery log, and what a resend or a new endpoint reads of the events. */
export function createWebhookStore(models: Models) {
  return {
    /** Insert an endpoint; a taken `_id` throws the driver's duplicate-key error. */
    create: async (endpoint: NewWebhookEndpoint) => {
      await models.webhookEndpoints.create(endpoint);
    },
    /** An endpoint by `_id`. */
    byId: (id: string) => models.webhookEndpoints.findById(id).lean<WebhookEndpointRow>(),
    /** Up to 500 endpoints of a scope (a tenant, or null: the operator's), in `_id` order. */
    ofScope: (tenantId: string | null) => models.webhookEndpoints.find({ tenantId }).sort({ _id: 1 }).limit(500).lean<WebhookEndpointRow[]>(),
    /** Change an endpoint as its next generation (changeEndpoint): 'conflict' when another change went first. */
    change: (endpoint: { _id: string; generation?: number | null }, kind: EndpointChangeKind, set: Record<string, unknown>, now?: Date) =>
      changeEndpoint(models, endpoint, kind, set, now),
    /** Delete an endpoint, then its run's position. */
    remove: async (id: string) => {
      await models.webhookEndpoints.deleteOne({ _id: id });
      await models.webhookRunStates.deleteOne({ _id: id });
    },
    /** The position of an endpoint's run (webhook_run_states, written by the run only). */
    runStateOf: (id: string) => models.webhookRunStates.findById(id).lean(),
    /** The positions of these endpoints' runs. */
    runStatesOf: (ids: readonly string[]) => models.webhookRunStates.find({ _id: { $in: ids } }).lean(),
    /** Up to `limit` delivery attempts of an endpoint (of one event when given), newest first. */
    attemptsOf: (endpointId: string, eventId: string | undefined, limit: number) =>
      models.webhookAttempts
        .find({ endpointId, ...(eventId ? { eventId } : {}) })
        .sort({ at: -1 })
        .limit(limit)
        .lean(),
    /** The tenant of an event (only `tenantId` read), or null when there is no such event. */
    eventTenant: (eventId: string) => models.events.findById(eventId, { tenantId: 1 }).lean(),
    /** The newest event's ID now: where a new or re-enabled endpoint starts. */
    latestEventId: () => latestEventId(models),
    /** Set fields of an endpoint's run position (an upsert by `_id`; written by the endpoint's one run only). */
    setRunState: (id: string, fields: { idle?: boolean; cursor?: string }) =>
      models.webhookRunStates.updateOne({ _id: id }, { $set: fields }, { upsert: true }),
    /** The live deliveries recorded under these `_id`s (`<endpoint>:<event>`; only `eventId` read). */
    deliveriesIn: (ids: readonly string[]) => models.webhookDeliveries.find({ _id: { $in: ids } }, { eventId: 1 }).lean(),
    /** Record an event's live delivery as ended, once: a delivery already recorded under `_id` is kept as it is. */
    recordDelivery: async (delivery: { _id: string; endpointId: string; eventId: string; status: 'delivered' | 'failed'; attempts: number; at: Date }) => {
      try {
        await models.webhookDeliveries.create(delivery);
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
      }
    },
    /** Write a delivery attempt's log entry `_id` as `fields`, counting one more send (an upsert; one writer per endpoint). */
    recordAttempt: (_id: string, fields: WebhookAttemptFields) =>
      models.webhookAttempts.updateOne({ _id }, { $set: fields, $inc: { sends: 1 } }, { upsert: true, setDefaultsOnInsert: false }),
  };
}
