import type { Types } from 'mongoose';
import type { DocId } from './docId';
import type { Models } from './models';
import { scimLookupKey, scimResourceKey, type ScimUserDoc } from './models/scimResource';

export { RECENT_WRITES } from './models/scimResource';

/** A directory's User as stored. */
export type ScimUserRow = ScimUserDoc;

/** A User's fields a write sets (the rest of the document is its key, kept from its insert). */
export interface ScimUserFields {
  userName: string;
  externalId: string | null;
  emails: string[];
  active: boolean;
  resource: string;
  userId: Types.ObjectId | null;
  version: number;
  lastWrite: string;
  recentWrites: string[];
}

/** What of a filter an index can narrow the directory's Users by: an email, or a range of update times. */
export type ScimUserNarrowing = { email: string } | { modified: { op: 'gt' | 'ge' | 'lt' | 'le' | 'eq'; at: Date } } | null;

const RANGE = { gt: '$gt', ge: '$gte', lt: '$lt', le: '$lte', eq: '$eq' } as const;

/** The query for a directory's Users a filter can match: narrowed by the email or update-time index where the filter allows. */
function narrowed(directoryId: string, narrowing: ScimUserNarrowing): Record<string, unknown> {
  if (!narrowing) return { directoryId };
  // Users stored before `emails` existed have none: they stay candidates, and the filter decides.
  if ('email' in narrowing) return { directoryId, $or: [{ emails: narrowing.email }, { emails: { $exists: false } }] };
  // lastModified is shown to the millisecond, as updatedAt is stored.
  return { directoryId, updatedAt: { [RANGE[narrowing.modified.op]]: narrowing.modified.at } };
}

/** A directory's Users (keyed `<directory>:<id>`) and their lookup keys. */
export function createScimUserStore(models: Models) {
  return {
    /** The directory's User `id` (by `_id`), or null. */
    byId: async (directoryId: string, id: string) => (await models.scimUsers.findById(scimResourceKey(directoryId, id)).lean()) as ScimUserDoc | null,
    /** The id of the directory's User whose `attribute` is `value` (scim_keys, by `_id`), or null. */
    idBy: async (directoryId: string, attribute: 'userName' | 'externalId', value: string) =>
      (await models.scimKeys.findById(scimLookupKey(directoryId, 'User', attribute, value)).lean())?.target ?? null,
    /** How many Users the directory holds. */
    count: (directoryId: string) => models.scimUsers.countDocuments({ directoryId }),
    /** `count` of the directory's Users after skipping `skip`, in `_id` order. */
    page: async (directoryId: string, skip: number, count: number) =>
      (await models.scimUsers.find({ directoryId }).sort({ _id: 1 }).skip(skip).limit(count).lean()) as ScimUserDoc[],
    /** The directory's Users a filter can match (narrowed by an index where it allows), in `_id` order. */
    candidates: async (directoryId: string, narrowing: ScimUserNarrowing) =>
      (await models.scimUsers.find(narrowed(directoryId, narrowing)).sort({ _id: 1 }).lean()) as ScimUserDoc[],
    /** Up to `limit + 1` of the directory's Users after `cursor`, in `_id` order (the caller pages). */
    after: async (directoryId: string, cursor: DocId | null, limit: number) =>
      (await models.scimUsers
        .find({ directoryId, ...(cursor ? { _id: { $gt: cursor } } : {}) })
        .sort({ _id: 1 })
        .limit(limit + 1)
        .lean()) as ScimUserDoc[],
    /** The writes the directory's User `id` recently applied (only `recentWrites` read; none when there is no such User). */
    recentWritesOf: async (directoryId: string, id: string) =>
      ((await models.scimUsers.findById(scimResourceKey(directoryId, id), { recentWrites: 1 }).lean()) as Pick<ScimUserDoc, 'recentWrites'> | null)
        ?.recentWrites ?? [],
    /** Write the directory's User `id` as `fields` (an upsert: a new one also gets its directory, id and `tenantId`). */
    put: async (directoryId: string, id: string, fields: ScimUserFields, tenantId: Types.ObjectId) => {
      await models.scimUsers.updateOne(
        { _id: scimResourceKey(directoryId, id) },
        { $set: fields, $setOnInsert: { directoryId, tenantId, scimId: id } },
        { upsert: true },
      );
    },
    /** Delete the directory's User `id`. */
    remove: async (directoryId: string, id: string) => {
      await models.scimUsers.deleteOne({ _id: scimResourceKey(directoryId, id) });
    },
    /** The account the directory's User `id` was provisioned for, with its userName and externalId (only those read), or null. */
    accountOf: async (directoryId: string, id: string) =>
      (await models.scimUsers.findById(scimResourceKey(directoryId, id), { userId: 1, userName: 1, externalId: 1 }).lean()) as Pick<
        ScimUserDoc,
        'userId' | 'userName' | 'externalId'
      > | null,
  };
}
