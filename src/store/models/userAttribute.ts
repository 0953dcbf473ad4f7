import { Schema, type Connection, type InferSchemaType } from 'mongoose';

/** `_id` of one custom attribute of an account. */
export const userAttributeKey = (userId: string, name: string): string => `${userId}:${name}`;

/**
 * One custom attribute of an account (connection `attributeMapping.custom`),
 * one document per account and name: the name is a value here, never a
 * field name, and two runs setting two attributes of one account never
 * overwrite each other (single-document updates are not atomic on FerretDB).
 */
export const userAttributeSchema = new Schema(
  {
    /** `<userId>:<name>` */
    _id: { type: String, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    name: { type: String, required: true },
    value: { type: String, default: null },
  },
  { timestamps: true, collection: 'user_attributes', versionKey: false },
);
userAttributeSchema.index({ userId: 1 });

export type UserAttributeDoc = InferSchemaType<typeof userAttributeSchema>;
export const userAttributeModel = (conn: Connection) => conn.model('UserAttribute', userAttributeSchema);
