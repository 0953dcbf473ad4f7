import { Schema, type Connection } from 'mongoose';

/**
 * Browser sessions (express-session), shared by every app instance. The
 * shape connect-mongo wrote before (`_id` = session ID, `expires`, `session`),
 * so sessions from older versions stay valid. FerretDB v1 has no TTL
 * indexes: reads check `expires`, and the sweeper deletes expired rows.
 */
export const sessionSchema = new Schema(
  {
    _id: { type: String, required: true },
    expires: { type: Date, required: true },
    /** express-session's data; its keys are onramp's own (userId, csrf, flash…), never outside input. */
    session: { type: Schema.Types.Mixed, required: true },
  },
  { collection: 'sessions', versionKey: false, minimize: false },
);
sessionSchema.index({ expires: 1 });

export const sessionModel = (conn: Connection) => conn.model('Session', sessionSchema);
