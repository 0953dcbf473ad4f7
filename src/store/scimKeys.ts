import type { Models } from './models';

export { scimLookupKey } from './models/scimResource';

/** The unique values a directory's resources hold (scim_keys: `_id` the value's lookup key, `target` the resource holding it). */
export function createScimKeyStore(models: Models) {
  return {
    /** The key with this `_id` (who holds the value), or null. */
    byId: (_id: string) => models.scimKeys.findById(_id).lean(),
    /** Insert a key held by `target`; a taken `_id` throws the driver's duplicate-key error. */
    insert: async (_id: string, directoryId: string, target: string) => {
      await models.scimKeys.create({ _id, directoryId, target });
    },
    /** Delete the key `_id` if `target` holds it. */
    release: async (_id: string, target: string) => {
      await models.scimKeys.deleteOne({ _id, target });
    },
    /** Delete those of the keys `ids` that `target` holds (one write). */
    releaseAll: async (ids: readonly string[], target: string) => {
      await models.scimKeys.deleteMany({ _id: { $in: ids }, target });
    },
  };
}

/** The scim_keys area of the store. */
export type ScimKeyStore = ReturnType<typeof createScimKeyStore>;
