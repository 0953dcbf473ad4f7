import { Schema, type Connection } from 'mongoose';

/**
 * Short-lived SAML state shared by every app instance: AuthnRequest IDs
 * awaiting their response (InResponseTo) and assertion IDs already consumed
 * (replay). FerretDB v1 has no TTL indexes, so `expiresAt` is explicit and a
 * sweeper deletes expired rows; reads ignore expired rows themselves.
 * Both are keyed by `_id`: FerretDB v1 (SQLite) pushes `_id` lookups down to
 * SQL but scans the collection for any other field (see docs/performance.md).
 */
export const samlRequestSchema = new Schema(
  {
    /** `<connectionId>:<AuthnRequest ID>` */
    _id: { type: String, required: true },
    value: { type: String, required: true },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
  },
  { collection: 'saml_requests', versionKey: false },
);
samlRequestSchema.index({ expiresAt: 1 });

export const usedAssertionSchema = new Schema(
  {
    /** `<connectionId>:<assertion ID>` */
    _id: { type: String, required: true },
    connectionId: { type: Schema.Types.ObjectId, required: true },
    assertionId: { type: String, required: true },
    expiresAt: { type: Date, required: true },
  },
  { collection: 'saml_used_assertions', versionKey: false },
);
usedAssertionSchema.index({ expiresAt: 1 });

export const samlRequestModel = (conn: Connection) => conn.model('SamlRequest', samlRequestSchema);
export const usedAssertionModel = (conn: Connection) => conn.model('UsedAssertion', usedAssertionSchema);
