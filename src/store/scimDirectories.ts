import type { Types } from 'mongoose';
import type { Models } from './models';
import type { DIRECTORY_PROVIDERS, ScimDirectoryDoc } from './models/scimDirectory';
import { changeDocument } from './turns';

/** A SCIM directory as stored. */
export type ScimDirectoryRow = ScimDirectoryDoc;
/** The IdPs a directory can be set up for. */
export type DirectoryProvider = (typeof DIRECTORY_PROVIDERS)[number];

/** A new directory as the directory library gives it. */
export interface NewScimDirectory {
  _id: Types.ObjectId;
  tenantId: Types.ObjectId;
  name: string;
  provider: DirectoryProvider;
  tokens: Array<{ id: string; digest: string; createdAt: Date; expiresAt: Date | null }>;
}

/** A tenant's SCIM directories and their tokens. */
export function createScimDirectoryStore(models: Models) {
  return {
    /** Insert a directory; a taken `_id` throws the driver's duplicate-key error. */
    create: async (directory: NewScimDirectory) => (await models.scimDirectories.create(directory)).toObject() as ScimDirectoryDoc & { createdAt: Date },
    /** A directory by `_id` (a valid ObjectId). */
    byId: (id: string) => models.scimDirectories.findById(id).lean(),
    /** The tenant's directory `id` (a valid ObjectId), or null. */
    ofTenant: (tenantId: Types.ObjectId, id: string) => models.scimDirectories.findOne({ _id: id, tenantId }).lean(),
    /** The tenant's directories, oldest first. */
    listOf: (tenantId: Types.ObjectId) => models.scimDirectories.find({ tenantId }).sort({ createdAt: 1 }).lean(),
    /** Delete the tenant's directory. */
    remove: (tenantId: Types.ObjectId, id: Types.ObjectId) => models.scimDirectories.deleteOne({ _id: id, tenantId }),
    /** The tenant's directories, only their `_id` read. */
    idsOfTenant: (tenantId: string) => models.scimDirectories.find({ tenantId }, { _id: 1 }).lean(),
    /**
     * Change a directory in turn with its other writers (store/turns.ts):
     * `load` reads it as it is (and refuses when it is not there), `decide`
     * says what to `$set` and what to answer.
     */
    change: <D extends { changeGeneration?: number | null }, R>(
      id: string,
      load: () => Promise<D>,
      decide: (d: D) => { set: Record<string, unknown>; result: R },
    ) => changeDocument(models, models.scimDirectories, 'scim_directory', id, load, decide),
  };
}
