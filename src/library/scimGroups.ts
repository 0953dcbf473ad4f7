import { STAGED_CHUNK } from '../store/scimGroups';
import type { Store } from '../store/store';
import { indexedLookup, matchesFilter, type Filter } from '../scim/filter';
import type { MemberOp } from '../scim/groups';
import { GROUP_SHAPE } from '../scim/schemas';
import { storedScimGroup, type ScimGroupWrite, type ScimGroupWriteResult, type StagedMemberOp, type StoredScimGroup } from '../scim/groupWrites';
import type { DirectoryWriter } from '../runs/directoryClient';
import type { DirectoryGroupTarget } from '../../workflows/directoryGroupFlow';

/** How long staged member ids of a write that never ran are kept before the sweeper removes them. */
const STAGED_TTL_MS = 24 * 60 * 60 * 1000;

/** What a filter sees of a stored Group (members only when the lookup was by member). */
const filterable = (g: StoredScimGroup, members: string[] | null): Record<string, unknown> => ({
  displayName: g.displayName,
  ...(g.externalId !== null ? { externalId: g.externalId } : {}),
  id: g.id,
  ...(members ? { members: members.map((value) => ({ value })) } : {}),
  meta: { resourceType: 'Group', created: g.created, lastModified: g.lastModified },
});

/**
 * A directory's Groups: writes go to the group's workflow (their member ids
 * staged first); reads are here. Filters on `id`, `displayName` and
 * `externalId` are one keyed read; `members.value` reads the member's
 * documents; any other filter reads the directory's groups.
 */
export function createScimGroupLibrary(
  store: Store,
  writer: DirectoryWriter,
  inject: Pick<DirectoryGroupTarget, 'inlineSteps' | 'fanOutSteps' | 'historyLimit'> = {},
) {
  const byId = async (directoryId: string, id: string): Promise<StoredScimGroup | null> => {
    const doc = await store.scimGroups.byId(directoryId, id);
    return doc ? storedScimGroup(doc) : null;
  };
  const byKey = async (directoryId: string, attribute: 'displayName' | 'externalId', value: string) => {
    const target = await store.scimGroups.idBy(directoryId, attribute, value);
    return target !== null ? byId(directoryId, target) : null;
  };

  return {
    /**
     * Stage a write's member ids (chunks of 1,000, see scim_staged_members) and
     * send the write to the group's run; the run's result.
     */
    async write(target: { directoryId: string; tenantId: string; scimId: string }, write: ScimGroupWriteInput): Promise<ScimGroupWriteResult> {
      let staged: ScimGroupWrite;
      if (write.kind === 'delete') staged = write;
      else {
        const members: StagedMemberOp[] = [];
        const expiresAt = new Date(Date.now() + STAGED_TTL_MS);
        for (const [i, op] of write.members.entries()) {
          const chunks = Math.ceil(op.values.length / STAGED_CHUNK);
          for (let c = 0; c < chunks; c++) {
            const values = op.values.slice(c * STAGED_CHUNK, (c + 1) * STAGED_CHUNK);
            await store.scimGroups.stageMembers(write.id, i, c, values, expiresAt);
          }
          members.push({ op: op.op, count: op.values.length, chunks });
        }
        staged = { ...write, members } as ScimGroupWrite;
      }
      const full: DirectoryGroupTarget = { ...target, ...inject };
      return writer.writeGroup(full, staged);
    },

    get: byId,
    byDisplayName: (directoryId: string, name: string) => byKey(directoryId, 'displayName', name),

    /** The member ids of a group, in a stable order. */
    async members(directoryId: string, id: string): Promise<string[]> {
      return store.scimGroups.memberIds(directoryId, id);
    },

    /** One page (`startIndex` from 1) of the Groups that match, and how many match in all. */
    async list(directoryId: string, query: { filter: Filter | null; startIndex: number; count: number }): Promise<{ total: number; page: StoredScimGroup[] }> {
      const { filter, startIndex, count } = query;
      const skip = startIndex - 1;
      if (!filter) {
        const total = await store.scimGroups.count(directoryId);
        if (count === 0 || skip >= total) return { total, page: [] };
        const docs = await store.scimGroups.page(directoryId, skip, count);
        return { total, page: docs.map(storedScimGroup) };
      }
      // A member term (Entra's `id eq "G" and members eq "U"`, `members.value eq "U"`) is one keyed read per candidate group.
      const { member, rest } = splitMemberTerm(filter);
      const lookup = rest ? indexedLookup(rest, ['id', 'displayName', 'externalId']) : null;
      let groups: StoredScimGroup[];
      if (lookup) {
        const one =
          lookup.attribute === 'id'
            ? await byId(directoryId, lookup.value)
            : await byKey(directoryId, lookup.attribute as 'displayName' | 'externalId', lookup.value);
        groups = one ? [one] : [];
      } else {
        groups = (await store.scimGroups.all(directoryId)).map(storedScimGroup);
      }
      const candidates: { group: StoredScimGroup; members: string[] | null }[] = [];
      for (const group of groups) {
        if (member === null) candidates.push({ group, members: null });
        else if (await store.scimGroups.hasMember(directoryId, group.id, member)) candidates.push({ group, members: [member] });
      }
      const matching = candidates.filter((c) => !rest || matchesFilter(filterable(c.group, c.members), rest, GROUP_SHAPE)).map((c) => c.group);
      return { total: matching.length, page: matching.slice(skip, skip + count) };
    },
  };
}

/** A filter's `members eq "U"` (or `members.value eq "U"`) term, and what is left of the filter without it. */
function splitMemberTerm(filter: Filter): { member: string | null; rest: Filter | null } {
  const isMember = (f: Filter) => f.op === 'eq' && typeof f.compValue === 'string' && ['members', 'members.value'].includes(f.attrPath.toLowerCase());
  const terms = filter.op === 'and' ? filter.filters : [filter];
  const term = terms.find(isMember);
  if (!term || term.op !== 'eq') return { member: null, rest: filter };
  const others = terms.filter((t) => t !== term);
  return { member: String(term.compValue), rest: others.length === 0 ? null : others.length === 1 ? (others[0] ?? null) : { op: 'and', filters: others } };
}

/** A group write as the HTTP edge makes it: member ids in full (the library stages them). */
export type ScimGroupWriteInput =
  | { id: string; kind: 'create' | 'replace'; attributes: { displayName: string; externalId: string | null }; members: MemberOp[] }
  | { id: string; kind: 'patch'; attributes: Partial<{ displayName: string; externalId: string | null }>; members: MemberOp[] }
  | { id: string; kind: 'delete' };

export type ScimGroupLibrary = ReturnType<typeof createScimGroupLibrary>;
