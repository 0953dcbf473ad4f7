import { groupMemberGrants, PARALLEL, type WriteScoped } from './groupMemberGrants';
import { inPool, type ActivitySupport, type RunScoped } from './support';

/** How many stored members one page step handles (a 10,000-member replace is 10 chunks in, 20 pages out). */
export const MEMBER_PAGE = 500;

/**
 * A directory group's members: staged chunks added or
 * removed, a replace's removal pass, a rename's grant move, page by page so
 * no step holds a whole group; and a User's side of it (the groups that
 * name it granted to its account, a deleted User leaving them). Idempotent:
 * keyed upserts and deletes, audit events keyed by run, write, op and grant.
 */
export function directoryGroupMemberActivities(support: ActivitySupport) {
  const { store } = support;
  const { activeAccount, grantTo, revokeFrom, accountOf, removeMembers, stagedChunk, groupsOfMember } = groupMemberGrants(support);
  return {
    /**
     * One staged chunk of an add (or of a replace's first phase): each member
     * recorded (`seenBy` the op's mark) and granted the group when its User
     * and membership are active. Returns how many were new.
     */
    async addGroupMembers(input: WriteScoped & { groupName: string; op: number; chunk: number; mark: string }): Promise<number> {
      const staged = await stagedChunk(input.writeId, input.op, input.chunk);
      let added = 0;
      await inPool(staged, PARALLEL, async (member) => {
        if (await store.scimGroups.markMember(input.directoryId, input.scimId, member, input.mark)) added++;
        const userId = await activeAccount(input.directoryId, input.tenantId, member);
        if (userId) await grantTo(input, userId);
      });
      return added;
    },

    /** One staged chunk of a remove: the members' documents go, then their grants. */
    async removeGroupMembers(input: WriteScoped & { groupName: string; op: number; chunk: number }): Promise<void> {
      await removeMembers(input, await stagedChunk(input.writeId, input.op, input.chunk));
    },

    /**
     * A page of a replace's second phase (or of a group's deletion, `mark`
     * null): members not marked by it are removed. `done` once none is left.
     */
    async removeUnmarkedMembers(input: WriteScoped & { groupName: string; mark: string | null }): Promise<{ removed: number; done: boolean }> {
      const page = await store.scimGroups.unmarkedMembers(input.directoryId, input.scimId, input.mark, MEMBER_PAGE);
      await removeMembers(
        input,
        page.map((m) => m.member),
      );
      return { removed: page.length, done: page.length < MEMBER_PAGE };
    },

    /** A page of a rename: members after `cursor` move from the old group's grant to the new one's. */
    async regrantGroupMembers(input: WriteScoped & { from: string; to: string; cursor: string | null }): Promise<{ cursor: string | null }> {
      const page = await store.scimGroups.membersAfter(input.directoryId, input.scimId, input.cursor, MEMBER_PAGE);
      await inPool(page, PARALLEL, async ({ member }) => {
        const userId = await accountOf(input.directoryId, member);
        if (!userId) return;
        if (await activeAccount(input.directoryId, input.tenantId, member)) await grantTo({ ...input, groupName: input.to }, userId);
        await revokeFrom({ ...input, groupName: input.from }, userId);
      });
      return { cursor: page.length < MEMBER_PAGE ? null : String(page[page.length - 1]?._id) };
    },

    /**
     * The groups a User is a member of, granted to its account (a User that
     * became active, a reactivation): each grant audited once per run.
     */
    async grantDirectoryGroupsTo(
      input: RunScoped & { directoryId: string; tenantId: string; scimId: string; userId: string; writeId: string },
    ): Promise<number> {
      let granted = 0;
      for (const doc of await groupsOfMember(input.directoryId, input.scimId)) {
        const scoped = { ...input, scimId: doc.scimId, groupName: doc.groupName };
        await grantTo(scoped, input.userId);
        // The member may have been removed meanwhile: the group's run deletes the document first, then revokes.
        if (!(await store.scimGroups.hasMember(input.directoryId, doc.scimId, input.scimId))) await revokeFrom(scoped, input.userId);
        else granted++;
      }
      return granted;
    },

    /** A deleted User leaves every group of its directory. */
    async forgetGroupMember(input: { directoryId: string; scimId: string }): Promise<void> {
      for (const g of await groupsOfMember(input.directoryId, input.scimId)) await store.scimGroups.removeMember(input.directoryId, g.scimId, input.scimId);
    },
  };
}

export type DirectoryGroupMemberActivities = ReturnType<typeof directoryGroupMemberActivities>;
