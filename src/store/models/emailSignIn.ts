import { Schema, Types, type Connection, type InferSchemaType } from 'mongoose';
import { connectionPolicyFields } from './samlConnection';

/**
 * A tenant's built-in email sign-in (one per tenant, enabled with domain JIT):
 * the "connection" its identities and policies hang on, like a SAML or OIDC one.
 */
export const emailConnectionSchema = new Schema(
  {
    tenantId: { type: Schema.Types.ObjectId, required: true, ref: 'Tenant' },
    enabled: { type: Boolean, required: true, default: true },
    /** How many times the connection was changed (store/turns.ts: its writers take turns by it). */
    changeGeneration: { type: Number, required: true, default: 0 },
    ...connectionPolicyFields(),
  },
  { timestamps: true, collection: 'email_connections' },
);
emailConnectionSchema.index({ tenantId: 1 }, { unique: true });
export type EmailConnectionDoc = InferSchemaType<typeof emailConnectionSchema> & { _id: Types.ObjectId };
export const emailConnectionModel = (conn: Connection) => conn.model('EmailConnection', emailConnectionSchema);

/** The one live sign-in code of an address (`_id` = the normalized email): hashed, expiring, single-use. */
export const emailCodeSchema = new Schema(
  {
    _id: { type: String, required: true },
    codeHash: { type: String, required: true },
    tenantId: { type: Schema.Types.ObjectId, required: true },
    attempts: { type: Number, required: true, default: 0 },
    expiresAt: { type: Date, required: true },
  },
  { timestamps: true, collection: 'email_codes' },
);
export const emailCodeModel = (conn: Connection) => conn.model('EmailCode', emailCodeSchema);

/** Messages to send, written before sending (mail/outbox.ts); kept with their outcome. */
export const outboxSchema = new Schema(
  {
    to: { type: String, required: true },
    subject: { type: String, required: true },
    text: { type: String, required: true },
    status: { type: String, enum: ['pending', 'sent', 'failed'], required: true, default: 'pending' },
    attempts: { type: Number, required: true, default: 0 },
    lastError: { type: String, default: null },
    sentAt: { type: Date, default: null },
  },
  { timestamps: true, collection: 'outbox' },
);
outboxSchema.index({ status: 1, createdAt: 1 });
export const outboxModel = (conn: Connection) => conn.model('Outbox', outboxSchema);

/** One use of a rate limit: `_id` = key + window + slot (db/rateLimit.ts). */
export const rateSlotSchema = new Schema({ _id: { type: String, required: true }, expiresAt: { type: Date, required: true } }, { collection: 'rate_slots' });
rateSlotSchema.index({ expiresAt: 1 });
export const rateSlotModel = (conn: Connection) => conn.model('RateSlot', rateSlotSchema);
