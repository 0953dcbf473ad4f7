import type { Types } from 'mongoose';
import type { DocId } from './docId';
import type { Models } from './models';
import { scimMemberKey, stagedChunkKey, type ScimGroupDoc } from './models/scimGroup';
import { scimLookupKey, scimResourceKey } from './models/scimResource';

export { STAGED_CHUNK } from './models/scimGroup';
export { RECENT_WRITES } from './models/scimResource';
/** A directory's Group as stored. */
export type ScimGroupRow = ScimGroupDoc;

/** A Group's fields a write sets (the rest of the document is its key, kept from its insert). */
export interface ScimGroupFields {
  displayName: string;
  externalId: string | null;
  groupName: string;
  version: number;
  lastWrite: string;
  recentWrites: string[];
  renamedFrom: null;
}

/** A directory's Groups (keyed `<directory>:<id>`), their lookup keys, members and the member ids staged for a write. */
export function createScimGroupStore(models: Models) {
  return {
    /** The directory's Group `id` (by `_id`), or null. */
    byId: async (directoryId: string, id: string) => (await models.scimGroups.findById(scimResourceKey(directoryId, id)).lean()) as ScimGroupDoc | null,
    /** The id of the directory's Group whose `attribute` is `value` (scim_keys, by `_id`), or null. */
    idBy: async (directoryId: string, attribute: 'displayName' | 'externalId', value: string) =>
      (await models.scimKeys.findById(scimLookupKey(directoryId, 'Group', attribute, value)).lean())?.target ?? null,
    /** Stage one chunk (`chunk` of op `op`) of a write's member ids, kept until `expiresAt`. */
    stageMembers: (writeId: string, op: number, chunk: number, values: string[], expiresAt: Date) =>
      models.scimStagedMembers.updateOne({ _id: stagedChunkKey(writeId, op, chunk) }, { $set: { writeId, values, expiresAt } }, { upsert: true }),
    /** The member ids of a Group, in `_id` order. */
    memberIds: async (directoryId: string, group: string) =>
      (await models.scimGroupMembers.find({ directoryId, group }, { member: 1 }).sort({ _id: 1 }).lean()).map((d) => d.member),
    /** Whether `member` is a member of the Group (by `_id`). */
    hasMember: async (directoryId: string, group: string, member: string) =>
      (await models.scimGroupMembers.exists({ _id: scimMemberKey(directoryId, group, member) })) !== null,
    /** How many Groups the directory holds. */
    count: (directoryId: string) => models.scimGroups.countDocuments({ directoryId }),
    /** `count` of the directory's Groups after skipping `skip`, in `_id` order. */
    page: async (directoryId: string, skip: number, count: number) =>
      (await models.scimGroups.find({ directoryId }).sort({ _id: 1 }).skip(skip).limit(count).lean()) as ScimGroupDoc[],
    /** Every Group of the directory, in `_id` order. */
    all: async (directoryId: string) => (await models.scimGroups.find({ directoryId }).sort({ _id: 1 }).lean()) as ScimGroupDoc[],
    /** Up to `limit + 1` of the directory's Groups after `cursor`, in `_id` order (the caller pages). */
    after: async (directoryId: string, cursor: DocId | null, limit: number) =>
      (await models.scimGroups
        .find({ directoryId, ...(cursor ? { _id: { $gt: cursor } } : {}) })
        .sort({ _id: 1 })
        .limit(limit + 1)
        .lean()) as ScimGroupDoc[],
    /** Every Group of the directory, in no particular order. */
    inDirectory: async (directoryId: string) => (await models.scimGroups.find({ directoryId }).lean()) as ScimGroupDoc[],
    /** Delete `member`'s membership document of the Group (by `_id`). */
    removeMember: async (directoryId: string, group: string, member: string) => {
      await models.scimGroupMembers.deleteOne({ _id: scimMemberKey(directoryId, group, member) });
    },
    /** One staged chunk of a write's member ids (by `_id`), or null when it is gone. */
    stagedChunk: (writeId: string, op: number, chunk: number) => models.scimStagedMembers.findById(stagedChunkKey(writeId, op, chunk)).lean(),
    /** Record `member` in the Group, marked `seenBy` (an upsert by `_id`); true when this inserted it. */
    markMember: async (directoryId: string, group: string, member: string, seenBy: string): Promise<boolean> =>
      (
        await models.scimGroupMembers.updateOne(
          { _id: scimMemberKey(directoryId, group, member) },
          { $set: { seenBy }, $setOnInsert: { directoryId, group, member } },
          { upsert: true },
        )
      ).upsertedCount > 0,
    /** Up to `limit` of the Group's members not marked `mark` (null: any member), in no particular order (only `member` read). */
    unmarkedMembers: (directoryId: string, group: string, mark: string | null, limit: number) =>
      models.scimGroupMembers
        .find({ directoryId, group, ...(mark ? { seenBy: { $ne: mark } } : {}) }, { member: 1 })
        .limit(limit)
        .lean(),
    /** Up to `limit` of the Group's members after `cursor` (a member `_id`), in `_id` order (only `member` read). */
    membersAfter: (directoryId: string, group: string, cursor: string | null, limit: number) =>
      models.scimGroupMembers
        .find({ directoryId, group, ...(cursor ? { _id: { $gt: cursor } } : {}) }, { member: 1 })
        .sort({ _id: 1 })
        .limit(limit)
        .lean(),
    /** The writes the directory's Group `id` recently applied (only `recentWrites` read; none when there is no such Group). */
    recentWritesOf: async (directoryId: string, id: string) =>
      ((await models.scimGroups.findById(scimResourceKey(directoryId, id), { recentWrites: 1 }).lean()) as Pick<ScimGroupDoc, 'recentWrites'> | null)
        ?.recentWrites ?? [],
    /** Write the directory's Group `id` as `fields` (an upsert: a new one also gets its directory, id and `tenantId`). */
    put: async (directoryId: string, id: string, fields: ScimGroupFields, tenantId: Types.ObjectId) => {
      await models.scimGroups.updateOne(
        { _id: scimResourceKey(directoryId, id) },
        { $set: fields, $setOnInsert: { directoryId, tenantId, scimId: id } },
        { upsert: true },
      );
    },
    /** Delete one staged chunk of a write's member ids (by `_id`). */
    dropStagedChunk: async (writeId: string, op: number, chunk: number) => {
      await models.scimStagedMembers.deleteOne({ _id: stagedChunkKey(writeId, op, chunk) });
    },
    /** Delete the directory's Group `id`. */
    remove: async (directoryId: string, id: string) => {
      await models.scimGroups.deleteOne({ _id: scimResourceKey(directoryId, id) });
    },
    /** Set the tenant group name of the directory's Group `id` (and, with a rename in flight, the write and the name it renames from). */
    rename: async (directoryId: string, id: string, set: { groupName: string; renamedFrom?: { writeId: string; groupName: string } }) => {
      await models.scimGroups.updateOne({ _id: scimResourceKey(directoryId, id) }, { $set: set });
    },
  };
}
