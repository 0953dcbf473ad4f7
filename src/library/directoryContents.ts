import type { Types } from 'mongoose';
import type { Store } from '../store/store';
import { page, type DocId } from './pagination';

/**
 * What a directory pushed, for the tenant's admins (admin API, CLI): its
 * Users and Groups as onramp holds them, a page at a time in `_id` order.
 * The directory must belong to the tenant (the caller checks it first).
 */
export function createDirectoryContentsLibrary(store: Store) {
  return {
    async users(_tenantId: Types.ObjectId, directoryId: string, limit: number, cursor: DocId | null) {
      const rows = await store.scimUsers.after(directoryId, cursor, limit);
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
      const rows = await store.scimGroups.after(directoryId, cursor, limit);
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
