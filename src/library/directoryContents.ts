import type { Types } from 'mongoose';
import type { Models } from '../store/models';
import type { ScimGroupDoc } from '../store/models/scimGroup';
import type { ScimUserDoc } from '../store/models/scimResource';
import { page, type DocId } from './pagination';

/**
 * What a directory pushed, for the tenant's admins (admin API, CLI): its
 * Users and Groups as onramp holds them, a page at a time in `_id` order.
 * The directory must belong to the tenant (the caller checks it first).
 */
export function createDirectoryContentsLibrary(models: Models) {
  const after = (directoryId: string, cursor: DocId | null) => ({ directoryId, ...(cursor ? { _id: { $gt: cursor } } : {}) });
  return {
    async users(_tenantId: Types.ObjectId, directoryId: string, limit: number, cursor: DocId | null) {
      const rows = (await models.scimUsers
        .find(after(directoryId, cursor))
        .sort({ _id: 1 })
        .limit(limit + 1)
        .lean()) as ScimUserDoc[];
      const { rows: kept, nextCursor } = page(rows, limit);
      return {
        data: kept.map((u) => ({
          id: u.scimId,
          userName: u.userName,
          externalId: u.externalId ?? null,
          active: u.active,
          userId: u.userId ? String(u.userId) : null,
          version: u.version,
          lastModified: u.updatedAt.toISOString(),
        })),
        nextCursor,
      };
    },

    async groups(_tenantId: Types.ObjectId, directoryId: string, limit: number, cursor: DocId | null) {
      const rows = (await models.scimGroups
        .find(after(directoryId, cursor))
        .sort({ _id: 1 })
        .limit(limit + 1)
        .lean()) as ScimGroupDoc[];
      const { rows: kept, nextCursor } = page(rows, limit);
      return {
        data: kept.map((g) => ({
          id: g.scimId,
          displayName: g.displayName,
          externalId: g.externalId ?? null,
          tenantGroup: g.groupName,
          version: g.version,
          lastModified: g.updatedAt.toISOString(),
        })),
        nextCursor,
      };
    },
  };
}

export type DirectoryContentsLibrary = ReturnType<typeof createDirectoryContentsLibrary>;
