import { Schema, type Connection, type InferSchemaType } from 'mongoose';

/** One signing secret of an endpoint: sealed at rest; a rotated-out one signs beside the new one until `expiresAt`. */
const webhookSecretSchema = new Schema(
  {
    id: { type: String, required: true },
    sealed: { type: String, required: true },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, default: null },
  },
  { _id: false },
);

/**
 * A webhook endpoint: a tenant's, or the operator's
 * (`tenantId` null: every tenant's events), written by admins only.
 * `startAfter`: live delivery sends events after it (set at creation and at
 * a re-enable). The delivery run's own state is in webhook_run_states.
 */
export const webhookEndpointSchema = new Schema(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, default: null },
    url: { type: String, required: true },
    description: { type: String, default: '' },
    /** Event types (or `family.*`); empty = every type. */
    types: { type: [String], default: [] },
    enabled: { type: Boolean, required: true, default: true },
    disabledReason: { type: String, default: null },
    secrets: { type: [webhookSecretSchema], default: [] },
    startAfter: { type: String, required: true },
    /** The last change applied (webhook_endpoint_changes): writers of this document take the next one first. */
    generation: { type: Number, default: 0 },
    /** When an admin last enabled it: a run's auto-disable decided before that does not apply. */
    enabledAt: { type: Date, default: null },
  },
  { timestamps: true, collection: 'webhook_endpoints' },
);
webhookEndpointSchema.index({ tenantId: 1 });

/**
 * What an endpoint's one delivery run writes (`_id` = the endpoint's ID), apart
 * from the endpoint so that no admin write and run write ever touch one
 * document (FerretDB v1 updates are not atomic: one could undo the other).
 */
export const webhookRunStateSchema = new Schema(
  {
    _id: { type: String, required: true },
    /** The last event the live delivery finished. */
    cursor: { type: String, default: null },
    /**
     * Set when the run found nothing to send and is about to wait; cleared
     * when it has work. Writers of events wake only idle runs, so a run busy
     * retrying a dead receiver is not flooded with signals.
     */
    idle: { type: Boolean, default: false },
  },
  { collection: 'webhook_run_states', versionKey: false },
);

/**
 * The end of one event's delivery to one endpoint (`_id`
 * `<endpoint>:<event>`): delivered, or given up. The live delivery skips
 * events that have one, so a restarted run never sends them again.
 */
export const webhookDeliverySchema = new Schema(
  {
    _id: { type: String, required: true },
    endpointId: { type: String, required: true },
    eventId: { type: String, required: true },
    status: { type: String, enum: ['delivered', 'failed'], required: true },
    attempts: { type: Number, required: true },
    at: { type: Date, required: true },
  },
  { collection: 'webhook_deliveries', versionKey: false },
);
webhookDeliverySchema.index({ at: 1 });

/**
 * One delivery attempt, for the endpoint's log (`_id`
 * `<endpoint>:<event>:<round>:<attempt>`; round `live`, `resend-…`, `replay-…`).
 * A retried activity overwrites its own attempt and counts the extra send.
 */
export const webhookAttemptSchema = new Schema(
  {
    _id: { type: String, required: true },
    endpointId: { type: String, required: true },
    eventId: { type: String, required: true },
    eventType: { type: String, required: true },
    round: { type: String, required: true },
    attempt: { type: Number, required: true },
    /** How many times this attempt's request left (more than 1 after a worker crash mid-delivery). */
    sends: { type: Number, required: true, default: 1 },
    outcome: { type: String, enum: ['delivered', 'failed', 'refused'], required: true },
    status: { type: Number, default: null },
    error: { type: String, default: null },
    latencyMs: { type: Number, default: null },
    response: { type: String, default: '' },
    at: { type: Date, required: true },
  },
  { collection: 'webhook_attempts', versionKey: false },
);
webhookAttemptSchema.index({ endpointId: 1, at: -1 });
webhookAttemptSchema.index({ at: 1 });

/**
 * One change of an endpoint (`_id` `<endpoint>:<generation>`, generation
 * zero-padded): an admin's update or rotation, or a run's auto-disable.
 * Whoever inserts generation n+1 (a unique key: one winner among concurrent
 * writers) writes the endpoint, `set` included, so changes of one endpoint are
 * serialized; a change whose writer died before the endpoint write is rolled
 * forward by the next writer (db/webhookChanges.ts).
 */
export const webhookEndpointChangeSchema = new Schema(
  {
    _id: { type: String, required: true },
    endpointId: { type: String, required: true },
    generation: { type: Number, required: true },
    kind: { type: String, enum: ['update', 'rotate', 'auto_disable'], required: true },
    set: { type: Schema.Types.Mixed, required: true },
    at: { type: Date, required: true },
  },
  { collection: 'webhook_endpoint_changes', versionKey: false, minimize: false },
);

export type WebhookEndpointDoc = InferSchemaType<typeof webhookEndpointSchema>;
export type WebhookAttemptDoc = InferSchemaType<typeof webhookAttemptSchema>;
export const webhookEndpointModel = (conn: Connection) => conn.model('WebhookEndpoint', webhookEndpointSchema);
export const webhookEndpointChangeModel = (conn: Connection) => conn.model('WebhookEndpointChange', webhookEndpointChangeSchema);
export const webhookRunStateModel = (conn: Connection) => conn.model('WebhookRunState', webhookRunStateSchema);
export const webhookDeliveryModel = (conn: Connection) => conn.model('WebhookDelivery', webhookDeliverySchema);
export const webhookAttemptModel = (conn: Connection) => conn.model('WebhookAttempt', webhookAttemptSchema);
