import { Schema, Types, type Connection, type InferSchemaType } from 'mongoose';
import { runRefSchema } from './runRef';

export const userSchema = new Schema(
  {
    /** Normalized email (see domain/email.ts); one global account per email. */
    email: { type: String, required: true },
    /** The email as the IdP first sent it, for display. */
    displayEmail: { type: String, required: true },
    name: { type: String, default: null },
    lastSignInAt: { type: Date, default: null },
    createdBy: { type: runRefSchema, default: null },
  },
  { timestamps: true, collection: 'users' },
);
userSchema.index({ email: 1 }, { unique: true });

export type UserDoc = InferSchemaType<typeof userSchema> & { _id: Types.ObjectId };
export const userModel = (conn: Connection) => conn.model('User', userSchema);
