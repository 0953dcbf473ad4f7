import { Schema, Types, type Connection, type InferSchemaType } from 'mongoose';

/**
 * Append-only audit trail. `key` is deterministic (workflow run + step for
 * workflow writes) and unique, so a retried activity never writes twice.
 */
export const auditEventSchema = new Schema(
  {
    key: { type: String, required: true },
    tenantId: { type: Schema.Types.ObjectId, default: null },
    actor: {
      type: { type: String, enum: ['system', 'admin', 'user', 'idp', 'directory'], required: true },
      id: { type: String, default: null },
    },
    action: { type: String, required: true },
    target: {
      type: { type: String, required: true },
      id: { type: String, default: null },
    },
    userId: { type: Schema.Types.ObjectId, default: null },
    before: { type: Schema.Types.Mixed, default: null },
    after: { type: Schema.Types.Mixed, default: null },
    reason: { type: String, default: null },
    context: { type: Schema.Types.Mixed, default: null },
    workflowId: { type: String, default: null },
    runId: { type: String, default: null },
    at: { type: Date, required: true },
  },
  { collection: 'audit_events', versionKey: false },
);
auditEventSchema.index({ key: 1 }, { unique: true });
auditEventSchema.index({ tenantId: 1, at: -1 });
auditEventSchema.index({ tenantId: 1, userId: 1, at: -1 });

export type AuditEventDoc = InferSchemaType<typeof auditEventSchema> & { _id: Types.ObjectId };
export const auditEventModel = (conn: Connection) => conn.model('AuditEvent', auditEventSchema);

/**
 * An admin action's audit fact on its way (db/audit.ts recordAction): written
 * before the audit record and its event, deleted after both. One left behind
 * (the process died between the writes) is written by the sweeper — both
 * writes are idempotent under the fact's key.
 */
export const pendingAuditSchema = new Schema(
  {
    _id: { type: String, required: true },
    fact: { type: Schema.Types.Mixed, required: true },
    at: { type: Date, required: true },
  },
  { collection: 'audit_outbox', versionKey: false, minimize: false },
);
export const pendingAuditModel = (conn: Connection) => conn.model('PendingAudit', pendingAuditSchema);
