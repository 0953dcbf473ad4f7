import type { Models } from '../store/models';
import { scimLookupKey, scimResourceKey, type ScimUserDoc } from '../store/models/scimResource';
import { indexedLookup, indexedNarrowing, matchesFilter, type Filter, type ModifiedRange } from '../scim/filter';
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
const RANGE: Record<ModifiedRange['op'], string> = { gt: '$gt', ge: '$gte', lt: '$lt', le: '$lte', eq: '$eq' };

/** The query for a directory's Users a filter can match: narrowed by the email or update-time index where the filter allows. */
function narrowed(directoryId: string, filter: Filter): Record<string, unknown> {
  const narrowing = indexedNarrowing(filter);
  if (!narrowing) return { directoryId };
  // Users stored before `emails` existed have none: they stay candidates, and the filter decides.
  if ('email' in narrowing) return { directoryId, $or: [{ emails: narrowing.email }, { emails: { $exists: false } }] };
  // lastModified is shown to the millisecond, as updatedAt is stored.
  return { directoryId, updatedAt: { [RANGE[narrowing.modified.op]]: narrowing.modified.at } };
}

export function createScimUserLibrary(models: Models, writer: DirectoryWriter) {
  const byId = async (directoryId: string, id: string): Promise<StoredScimUser | null> => {
    const doc = (await models.scimUsers.findById(scimResourceKey(directoryId, id)).lean()) as ScimUserDoc | null;
    return doc ? storedScimUser(doc) : null;
  };

  const byKey = async (directoryId: string, attribute: 'userName' | 'externalId', value: string): Promise<StoredScimUser | null> => {
    const key = await models.scimKeys.findById(scimLookupKey(directoryId, 'User', attribute, value)).lean();
    return key ? byId(directoryId, key.target) : null;
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
        const total = await models.scimUsers.countDocuments({ directoryId });
        if (count === 0 || skip >= total) return { total, page: [] };
        const docs = (await models.scimUsers.find({ directoryId }).sort({ _id: 1 }).skip(skip).limit(count).lean()) as ScimUserDoc[];
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
        candidates = ((await models.scimUsers.find(narrowed(directoryId, filter)).sort({ _id: 1 }).lean()) as ScimUserDoc[]).map(storedScimUser);
      }
      const matching = candidates.filter((u) => matchesFilter(filterable(u), filter, USER_SHAPE));
      return { total: matching.length, page: matching.slice(skip, skip + count) };
    },
  };
}

export type ScimUserLibrary = ReturnType<typeof createScimUserLibrary>;
