import { Schema, type Connection, type InferSchemaType } from 'mongoose';

/**
 * Outbound domain events (src/domain/events.ts), one per audited fact.
 * `_id` is the event ID (sorts in write order: the cursor); `key` is the
 * audit record's deterministic key, unique, so a retried activity writes
 * the event once. The public event is kept as its JSON text (`payload`):
 * its data holds names chosen by outside parties (claims, attributes),
 * which must never become MongoDB field names. `day` (UTC days since the
 * epoch of the write) and `part` (a sixteenth of it) are what the retention
 * sweep deletes by: equalities FerretDB v1 pushes down, where a range on
 * `_id` or `recordedAt` makes it read every event (db/events.ts). Absent on
 * events written before they existed.
 */
export const eventSchema = new Schema(
  {
    _id: { type: String, required: true },
    key: { type: String, required: true },
    type: { type: String, required: true },
    tenantId: { type: String, default: null },
    payload: { type: String, required: true },
    recordedAt: { type: Date, required: true },
    day: { type: Number },
    part: { type: Number },
  },
  { collection: 'events', versionKey: false },
);
eventSchema.index({ key: 1 }, { unique: true });
eventSchema.index({ tenantId: 1, _id: 1 });
eventSchema.index({ recordedAt: 1 });
eventSchema.index({ day: 1, part: 1 });

export type EventDoc = InferSchemaType<typeof eventSchema>;
export const eventModel = (conn: Connection) => conn.model('Event', eventSchema);
