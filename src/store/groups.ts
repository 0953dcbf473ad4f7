import type { Types } from 'mongoose';
import { findConnection } from './connections';
import type { DocId } from './docId';
import type { Models } from './models';
import { groupKey, type GroupDoc } from './models/group';
import { keyedCollection } from './keyed';
import { changeDocument } from './turns';

export { groupKey };

/** A group as stored (lean). */
export type GroupRow = GroupDoc & { _id: string; createdAt?: Date | null };

/** A tenant's groups, and who holds them. */
export function createGroupStore(models: Models) {
  return {
    /** The tenant's group of this name (read by its key), or null. */
    byName: (tenantId: Types.ObjectId | string, name: string) => models.groups.findById(groupKey(String(tenantId), name)).lean(),
    /** Every group of the tenant. */
    inTenant: (tenantId: Types.ObjectId) => models.groups.find({ tenantId }).lean(),
    /** Every group of the tenant, only its name and roles. */
    rolesInTenant: (tenantId: Types.ObjectId) => models.groups.find({ tenantId }, { name: 1, roles: 1 }).lean(),
    /** The tenant's first 5000 groups by name. */
    byNameOrder: (tenantId: Types.ObjectId) => models.groups.find({ tenantId }).sort({ name: 1 }).limit(5000).lean(),
    /** Up to `limit + 1` of the tenant's groups after `after`, in `_id` order (the caller pages). */
    after: (tenantId: Types.ObjectId, after: DocId | null, limit: number) =>
      models.groups
        .find({ tenantId, ...(after ? { _id: { $gt: after } } : {}) })
        .sort({ _id: 1 })
        .limit(limit + 1)
        .lean(),
    /** Insert an admin's group; a taken name throws the driver's duplicate-key error. */
    createByAdmin: async (tenantId: Types.ObjectId, name: string, roles: string[]) => {
      await models.groups.create({ _id: groupKey(String(tenantId), name), tenantId, name, roles, createdFrom: 'admin' });
    },
    /**
     * Change the group in turn with its other writers (store/turns.ts): `load` reads it as it is,
     * `decide` says what to `$set` and what to answer.
     */
    change: <D extends { changeGeneration?: number | null }, R>(
      tenantId: Types.ObjectId,
      name: string,
      load: () => Promise<D>,
      decide: (group: D) => { set: Record<string, unknown>; result: R },
    ) => changeDocument(models, models.groups, 'group', groupKey(String(tenantId), name), load, decide),
    /** The tenant's grants of these groups (only the group and the membership). */
    holdersOf: (tenantId: Types.ObjectId, names: readonly string[]) =>
      models.grants.find({ tenantId, kind: 'group', value: { $in: names } }, { value: 1, membershipId: 1 }).lean(),
    /** Every grant of the group, by any source, in `_id` order. */
    grantsOf: (tenantId: Types.ObjectId, name: string) => models.grants.find({ tenantId, kind: 'group', value: name }).sort({ _id: 1 }).lean(),
    /** The connection whose group mappings these are, whichever kind (findConnection), or null. */
    connection: (id: string) => findConnection(models, id),
    /** The accounts with these IDs. */
    users: (ids: readonly string[]) => models.users.find({ _id: { $in: ids } }).lean(),
    /** Groups created once under their key (activities' insert-once). */
    keyed: keyedCollection<GroupDoc>(models.groups),
    /** The tenant's group of this name, only its name read (by its key), or null. */
    nameByKey: (tenantId: string, name: string) => models.groups.findById(groupKey(tenantId, name), { name: 1 }).lean(),
    /** Names of the tenant's groups that carry `role` (only the name read), in `_id` order; at most `limit` when given. */
    namesWithRole: async (tenantId: Types.ObjectId, role: string, limit?: number): Promise<string[]> =>
      (
        await models.groups
          .find({ tenantId, roles: role }, { name: 1 })
          .sort({ _id: 1 })
          .limit(limit ?? 0)
          .lean()
      ).map((g) => g.name),
    /** The first `limit` grants of the group, by any source, in `_id` order. */
    grantsOfFirst: (tenantId: Types.ObjectId, name: string, limit: number) =>
      models.grants.find({ tenantId, kind: 'group', value: name }).sort({ _id: 1 }).limit(limit).lean(),
    /** Delete the tenant's group of this name (by its key). */
    deleteByName: async (tenantId: string, name: string) => {
      await models.groups.deleteOne({ _id: groupKey(tenantId, name) });
    },
  };
}
