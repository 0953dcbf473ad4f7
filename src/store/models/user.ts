import { Schema, Types, type Connection, type InferSchemaType } from 'mongoose';
import { runRefSchema } from './runRef';

export const userSchema = new Schema(
  {
    /**
     * Normalized verified email (see domain/email.ts); one global account per
     * email. Absent (never null) on an account whose IdP did not verify the
     * address it sent: that address is not claimed for the account (see
     * `unverifiedEmail`), so its real owner can still have it.
     */
    email: { type: String },
    /** The email as the IdP first sent it, for display. */
    displayEmail: { type: String, default: null },
    /** An address the IdP asserted without verifying it: shown to admins, never used to match or link. */
    unverifiedEmail: { type: String, default: null },
    name: { type: String, default: null },
    /**
     * Custom attributes as versions before 0.2 kept them (an object by app
     * name). Read as a fallback only; they now live in `user_attributes`.
     */
    attributes: { type: Schema.Types.Mixed, default: undefined },
    lastSignInAt: { type: Date, default: null },
    createdBy: { type: runRefSchema, default: null },
  },
  { timestamps: true, collection: 'users' },
);
// Unique among accounts that have an email; any number may have none (sparse on MongoDB; FerretDB v1
// ignores `sparse` but its unique indexes already let documents without the field repeat).
userSchema.index({ email: 1 }, { unique: true, sparse: true });

export type UserDoc = InferSchemaType<typeof userSchema> & { _id: Types.ObjectId };
export const userModel = (conn: Connection) => conn.model('User', userSchema);

/**
 * The email → account claim, keyed by the normalized email as `_id` so that
 * the sign-in path finds an account by email with an `_id` lookup (the only
 * one FerretDB v1 pushes down) and two runs can never claim one email twice.
 */
export const userEmailSchema = new Schema(
  {
    _id: { type: String, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    createdBy: { type: runRefSchema, default: null },
  },
  { timestamps: true, collection: 'user_emails' },
);
userEmailSchema.index({ userId: 1 });
export const userEmailModel = (conn: Connection) => conn.model('UserEmail', userEmailSchema);
