import { Schema, type Connection, type InferSchemaType } from 'mongoose';

/**
 * What the member search finds a membership by, one document per membership
 * (`_id` = the membership's `_id`): the lowercased prefixes of its account's
 * email and name (domain/memberSearch.ts). A collection of its own, not a
 * field of the membership: its one writer recomputes it from the account
 * (store/memberSearch.ts), never racing the membership's status and role
 * writes (FerretDB v1 applies no update atomically).
 */
export const memberSearchSchema = new Schema(
  {
    _id: { type: String, required: true },
    tenantId: { type: Schema.Types.ObjectId, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    terms: { type: [String], required: true, default: [] },
  },
  { timestamps: true, collection: 'member_search', versionKey: false },
);
memberSearchSchema.index({ tenantId: 1, terms: 1 });
memberSearchSchema.index({ userId: 1 });

export type MemberSearchDoc = InferSchemaType<typeof memberSearchSchema>;
export const memberSearchModel = (conn: Connection) => conn.model('MemberSearch', memberSearchSchema);

/** How far the backfill of search documents for memberships made before they existed has come (one document, `_id` `backfill`). */
export const memberSearchProgressSchema = new Schema(
  {
    _id: { type: String, required: true },
    /** The last membership `_id` the backfill covered. */
    after: { type: String, default: null },
    done: { type: Boolean, default: false },
  },
  { timestamps: true, collection: 'member_search_progress', versionKey: false },
);
export const memberSearchProgressModel = (conn: Connection) => conn.model('MemberSearchProgress', memberSearchProgressSchema);
