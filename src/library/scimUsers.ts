import type { Store } from '../store/store';
import { indexedLookup, indexedNarrowing, matchesFilter, type Filter } from '../scim/filter';
import { USER_SHAPE } from '../scim/schemas';
import { storedScimUser, type ScimUserWrite, type ScimWriteResult, type StoredScimUser } from '../scim/userWrites';
import type { DirectoryWriter } from '../runs/directoryClient';

/** What a filter sees of a stored User: the resource, its id and meta. */
const filterable = (u: StoredScimUser): Record<string, unknown> => ({
  ...u.resource,
  id: u.id,
  meta: { resourceType: 'User', created: u.created, lastModified: u.lastModified },
});

/**
 * A directory's Users: writes go to the resource's workflow; reads are here.
 * Filters on `id`, `userName` and `externalId` — what Entra and Okta send
 * before every create — are one keyed read (scim_keys); any other filter
 * reads the directory's Users — narrowed by an index for `emails.value eq`
 * and `meta.lastModified` comparisons — and applies the filter by the
 * schema's rules.
 */
export function createScimUserLibrary(store: Store, writer: DirectoryWriter) {
  const byId = async (directoryId: string, id: string): Promise<StoredScimUser | null> => {
    const doc = await store.scimUsers.byId(directoryId, id);
    return doc ? storedScimUser(doc) : null;
  };

  const byKey = async (directoryId: string, attribute: 'userName' | 'externalId', value: string): Promise<StoredScimUser | null> => {
    const target = await store.scimUsers.idBy(directoryId, attribute, value);
    return target !== null ? byId(directoryId, target) : null;
  };

  return {
    /** Apply a write through the resource's run (Update-with-Start); the run's result. */
    write(target: { directoryId: string; tenantId: string; scimId: string }, write: ScimUserWrite, email: string | null): Promise<ScimWriteResult> {
      return writer.writeUser(target, write, email);
    },
    get: byId,
    byUserName: (directoryId: string, userName: string) => byKey(directoryId, 'userName', userName),
    byExternalId: (directoryId: string, externalId: string) => byKey(directoryId, 'externalId', externalId),

    /** One page (`startIndex` from 1) of the Users that match, and how many match in all. */
    async list(directoryId: string, query: { filter: Filter | null; startIndex: number; count: number }): Promise<{ total: number; page: StoredScimUser[] }> {
      const { filter, startIndex, count } = query;
      const skip = startIndex - 1;
      if (!filter) {
        const total = await store.scimUsers.count(directoryId);
        if (count === 0 || skip >= total) return { total, page: [] };
        const docs = await store.scimUsers.page(directoryId, skip, count);
        return { total, page: docs.map(storedScimUser) };
      }
      const lookup = indexedLookup(filter, ['id', 'userName', 'externalId']);
      let candidates: StoredScimUser[];
      if (lookup) {
        const one =
          lookup.attribute === 'id'
            ? await byId(directoryId, lookup.value)
            : await byKey(directoryId, lookup.attribute as 'userName' | 'externalId', lookup.value);
        candidates = one ? [one] : [];
      } else {
        candidates = (await store.scimUsers.candidates(directoryId, indexedNarrowing(filter))).map(storedScimUser);
      }
      const matching = candidates.filter((u) => matchesFilter(filterable(u), filter, USER_SHAPE));
      return { total: matching.length, page: matching.slice(skip, skip + count) };
    },
  };
}

export type ScimUserLibrary = ReturnType<typeof createScimUserLibrary>;
