import { ApplicationFailure } from '@temporalio/common';
import { applyGrant, grantEvent, grantId, holdsGrant, removeGrant } from '../src/db/grants';
import { groupKey, type GroupDoc } from '../src/db/models/group';
import { membershipKey } from '../src/db/models/membership';
import { scimMemberKey, stagedChunkKey, type ScimGroupDoc } from '../src/db/models/scimGroup';
import { RECENT_WRITES, scimLookupKey, scimResourceKey, type ScimUserDoc } from '../src/db/models/scimResource';
import { directorySource, type Grant } from '../src/domain/groups';
import { FAILURE_TYPES } from '../src/domain/failureTypes';
import { actorOf } from '../src/domain/provisioningContext';
import type { RunRef } from '../src/domain/runRef';
import { changedAttributes, type GroupAttributes } from '../src/scim/groups';
import { storedScimGroup, type ScimGroupWrite, type StoredScimGroup } from '../src/scim/groupWrites';
import type { ScimRefusal } from '../src/scim/userWrites';
import { claimKeys, releaseKeys } from './scimKeys';
import { oid, type ActivitySupport, type RunScoped } from './support';

/** Which group a write is for. */
export interface ScimGroupTarget {
  directoryId: string;
  tenantId: string;
  scimId: string;
}

/** The write a step belongs to: its id keys the audit events (a run applies many writes); `op`, the member op within it. */
type WriteScoped = RunScoped & ScimGroupTarget & { writeId: string; op?: number };

/** How many members one batch step handles (a 10,000-member replace is 10 chunks in, 20 pages out). */
export const MEMBER_PAGE = 500;
/** How many members of a batch are written to at once. */
const PARALLEL = 8;

async function inPool<T>(items: readonly T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, lane));
}

const keysOf = (directoryId: string, a: GroupAttributes) => [
  { attribute: 'displayName', _id: scimLookupKey(directoryId, 'Group', 'displayName', a.displayName) },
  ...(a.externalId ? [{ attribute: 'externalId', _id: scimLookupKey(directoryId, 'Group', 'externalId', a.externalId) }] : []),
];

/**
 * A directory's Groups (issue #14 §5): the group resource, the tenant group
 * it owns, its members one document each, and the grants (source
 * `directory:<id>`) its members hold — granted only to members whose User is
 * active and whose membership is active. Member changes run in pages, so no
 * step holds a whole group. Every step is idempotent: keyed inserts and
 * deletes, audit events keyed by run, write and grant.
 */
export function directoryGroupActivities({ models, runAudit, insertOnce }: ActivitySupport) {
  const grantOf = (directoryId: string, groupName: string): Grant => ({ kind: 'group', value: groupName, source: directorySource(directoryId) });
  /** The run and write that wrote a grant (its `createdBy`): a retried step recognizes its own grant, a later write of the same run does not. */
  const writeRun = (input: WriteScoped): RunRef => ({ workflowId: input.run.workflowId, runId: `${input.run.runId}/${stepOf(input)}` });
  /** A write's member op (add X, remove X, add X in one PATCH audits three events). */
  const stepOf = (input: WriteScoped) => (input.op === undefined ? input.writeId : `${input.writeId}.${input.op}`);

  /** The account a member id provisioned, when the User is active and its membership is active. */
  const activeAccount = async (directoryId: string, tenantId: string, member: string): Promise<string | null> => {
    const user = (await models.scimUsers.findById(scimResourceKey(directoryId, member)).lean()) as ScimUserDoc | null;
    if (!user?.active || !user.userId) return null;
    const membership = await models.memberships.findById(membershipKey(tenantId, String(user.userId))).lean();
    return membership?.status === 'active' ? String(user.userId) : null;
  };

  /** Grant the group to one member (audited once per write); undone at once if the membership was suspended meanwhile (a deprovisioning in flight). */
  const grantTo = async (input: WriteScoped & { groupName: string }, userId: string) => {
    const grant = grantOf(input.directoryId, input.groupName);
    const membershipId = membershipKey(input.tenantId, userId);
    const result = await applyGrant(models, { membershipId, tenantId: input.tenantId, userId }, grant, { grantedBy: `directory:${input.directoryId}`, run: writeRun(input) });
    if (result === 'granted') await runAudit(input.run, `${stepOf(input)}.grant.${grantId(membershipId, grant)}`, { tenantId: input.tenantId, actor: actorOf(input), ...grantEvent(grant, 'granted', userId) });
    const now = await models.memberships.findById(membershipId).lean();
    if (now?.status !== 'active') await revokeFrom(input, userId);
  };

  const revokeFrom = async (input: WriteScoped & { groupName: string }, userId: string) => {
    const grant = grantOf(input.directoryId, input.groupName);
    const membershipId = membershipKey(input.tenantId, userId);
    if (!(await holdsGrant(models, membershipId, grant))) return;
    await runAudit(input.run, `${stepOf(input)}.revoke.${grantId(membershipId, grant)}`, { tenantId: input.tenantId, actor: actorOf(input), ...grantEvent(grant, 'revoked', userId) });
    await removeGrant(models, membershipId, grant);
  };

  /** The account a member id provisioned, whatever its state (what a removal revokes from). */
  const accountOf = async (directoryId: string, member: string): Promise<string | null> => {
    const user = (await models.scimUsers.findById(scimResourceKey(directoryId, member)).lean()) as ScimUserDoc | null;
    return user?.userId ? String(user.userId) : null;
  };

  /** Remove members (their documents first, then their grants: a reactivation racing with it never re-grants a removed member). */
  const removeMembers = async (input: WriteScoped & { groupName: string }, members: readonly string[]) => {
    await inPool(members, PARALLEL, async (member) => {
      await models.scimGroupMembers.deleteOne({ _id: scimMemberKey(input.directoryId, input.scimId, member) });
      const userId = await accountOf(input.directoryId, member);
      if (userId) await revokeFrom(input, userId);
    });
  };

  /** A chunk of a write's member ids; gone (swept, never staged) is a failure, never "no members" — a replace would empty the group. */
  const stagedChunk = async (writeId: string, op: number, chunk: number): Promise<string[]> => {
    const staged = await models.scimStagedMembers.findById(stagedChunkKey(writeId, op, chunk)).lean();
    if (!staged) throw ApplicationFailure.nonRetryable(`the member ids of write ${writeId} (op ${op}, chunk ${chunk}) are gone`, FAILURE_TYPES.stagedMembersMissing);
    return staged.values;
  };

  /** The directory's groups that hold this member: its groups listed (a few dozen), then one keyed read each. */
  const groupsOfMember = async (directoryId: string, member: string): Promise<ScimGroupDoc[]> => {
    const groups = (await models.scimGroups.find({ directoryId }).lean()) as ScimGroupDoc[];
    const held: ScimGroupDoc[] = [];
    for (const g of groups) if (await models.scimGroupMembers.exists({ _id: scimMemberKey(directoryId, g.scimId, member) })) held.push(g);
    return held;
  };

  return {
    /**
     * What a write makes of the stored Group (read only): before, the
     * attributes after (null: deleted), or a refusal; `applied` when this
     * group already applied the write (answered from what is stored).
     */
    async prepareScimGroupWrite(
      input: ScimGroupTarget & { write: ScimGroupWrite },
    ): Promise<{ ok: true; applied: StoredScimGroup } | { ok: true; applied?: undefined; before: StoredScimGroup | null; after: GroupAttributes | null } | { ok: false; error: ScimRefusal }> {
      const doc = (await models.scimGroups.findById(scimResourceKey(input.directoryId, input.scimId)).lean()) as ScimGroupDoc | null;
      const before = doc ? storedScimGroup(doc) : null;
      if (doc && before && (doc.recentWrites ?? []).includes(input.write.id)) return { ok: true, applied: before };
      const { write } = input;
      if (write.kind === 'create') return { ok: true, before, after: write.attributes };
      if (!before) return { ok: false, error: { status: 404, detail: 'no such Group in this directory', code: 'not_found' } };
      if (write.kind === 'delete') return { ok: true, before, after: null };
      return { ok: true, before, after: write.kind === 'replace' ? write.attributes : changedAttributes(before, write.attributes) };
    },

    /** Hold the Group's displayName (and externalId) for it: unique per directory, as its tenant group's name must be. */
    async claimScimGroupKeys(input: ScimGroupTarget & { attributes: GroupAttributes }): Promise<{ ok: true } | { ok: false; error: ScimRefusal }> {
      return claimKeys(models, input.directoryId, input.scimId, keysOf(input.directoryId, input.attributes), 'Group');
    },

    async releaseScimGroupKeys(input: ScimGroupTarget & { previous: GroupAttributes | null; current: GroupAttributes | null }): Promise<void> {
      if (!input.previous) return;
      const ids = (a: GroupAttributes | null) => (a ? keysOf(input.directoryId, a).map((k) => k._id) : []);
      await releaseKeys(models, input.scimId, ids(input.previous), ids(input.current));
    },

    /**
     * The tenant group a directory group owns: created (audited once) unless
     * it exists; a tenant group of that name that is not this directory's
     * (an admin's, an IdP's, another directory's) is a refusal — a directory
     * never takes over a group it did not create. `rolesFrom`: the group a
     * rename copies its roles from.
     */
    async ensureDirectoryGroup(input: WriteScoped & { name: string; rolesFrom: string | null }): Promise<{ ok: true } | { ok: false; error: ScimRefusal }> {
      const owner = `directory:${input.directoryId}`;
      const _id = groupKey(input.tenantId, input.name);
      const existing = await models.groups.findById(_id).lean();
      if (existing) {
        return existing.createdFrom === owner
          ? { ok: true }
          : { ok: false, error: { status: 409, scimType: 'uniqueness', detail: `the organization already has a group named "${input.name.slice(0, 100)}" that this directory does not own`, code: 'scim_uniqueness' } };
      }
      const roles = input.rolesFrom ? ((await models.groups.findById(groupKey(input.tenantId, input.rolesFrom)).lean())?.roles ?? []) : [];
      const { doc } = await insertOnce<GroupDoc>(models.groups, _id, { tenantId: oid(input.tenantId), name: input.name, roles, createdFrom: owner }, input.run, () => ({
        step: `${input.writeId}.group.created`,
        event: { tenantId: input.tenantId, actor: actorOf(input), action: 'group.created', target: { type: 'group', id: input.name }, after: { name: input.name, roles } },
      }));
      return doc.createdFrom === owner ? { ok: true } : { ok: false, error: { status: 409, scimType: 'uniqueness', detail: `the organization already has a group named "${input.name.slice(0, 100)}"`, code: 'scim_uniqueness' } };
    },

    /**
     * One staged chunk of an add (or of a replace's first phase): each member
     * recorded (`seenBy` the op's mark) and granted the group when its User
     * and membership are active. Returns how many were new.
     */
    async addGroupMembers(input: WriteScoped & { groupName: string; op: number; chunk: number; mark: string }): Promise<number> {
      const staged = await stagedChunk(input.writeId, input.op, input.chunk);
      let added = 0;
      await inPool(staged, PARALLEL, async (member) => {
        const _id = scimMemberKey(input.directoryId, input.scimId, member);
        const res = await models.scimGroupMembers.updateOne(
          { _id },
          { $set: { seenBy: input.mark }, $setOnInsert: { directoryId: input.directoryId, group: input.scimId, member } },
          { upsert: true },
        );
        if (res.upsertedCount > 0) added++;
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
      const filter = { directoryId: input.directoryId, group: input.scimId, ...(input.mark ? { seenBy: { $ne: input.mark } } : {}) };
      const page = await models.scimGroupMembers.find(filter, { member: 1 }).limit(MEMBER_PAGE).lean();
      await removeMembers(input, page.map((m) => m.member));
      return { removed: page.length, done: page.length < MEMBER_PAGE };
    },

    /** A page of a rename: members after `cursor` move from the old group's grant to the new one's. */
    async regrantGroupMembers(input: WriteScoped & { from: string; to: string; cursor: string | null }): Promise<{ cursor: string | null }> {
      const filter = { directoryId: input.directoryId, group: input.scimId, ...(input.cursor ? { _id: { $gt: input.cursor } } : {}) };
      const page = await models.scimGroupMembers.find(filter, { member: 1 }).sort({ _id: 1 }).limit(MEMBER_PAGE).lean();
      await inPool(page, PARALLEL, async ({ member }) => {
        const userId = await accountOf(input.directoryId, member);
        if (!userId) return;
        if (await activeAccount(input.directoryId, input.tenantId, member)) await grantTo({ ...input, groupName: input.to }, userId);
        await revokeFrom({ ...input, groupName: input.from }, userId);
      });
      return { cursor: page.length < MEMBER_PAGE ? null : String(page[page.length - 1]?._id) };
    },

    /** The tenant group a directory group owned, once nobody holds it (a rename's old name, a deleted group): audited once. */
    async dropDirectoryGroup(input: WriteScoped & { name: string }): Promise<void> {
      const _id = groupKey(input.tenantId, input.name);
      const group = await models.groups.findById(_id).lean();
      if (!group || group.createdFrom !== `directory:${input.directoryId}`) return;
      await runAudit(input.run, `${input.writeId}.group.deleted.${input.name}`, {
        tenantId: input.tenantId,
        actor: actorOf(input),
        action: 'group.deleted',
        target: { type: 'group', id: input.name },
        before: { name: input.name, roles: group.roles },
      });
      await models.groups.deleteOne({ _id });
    },

    /** Write the Group as this write leaves it, audit it once, and drop the write's staged members. */
    async storeScimGroup(input: WriteScoped & { kind: ScimGroupWrite['kind']; attributes: GroupAttributes; version: number; created: boolean; stagedChunks: number[] }): Promise<StoredScimGroup> {
      const _id = scimResourceKey(input.directoryId, input.scimId);
      const seen = ((await models.scimGroups.findById(_id, { recentWrites: 1 }).lean()) as Pick<ScimGroupDoc, 'recentWrites'> | null)?.recentWrites ?? [];
      const recentWrites = seen.includes(input.writeId) ? seen : [...seen, input.writeId].slice(-RECENT_WRITES);
      await models.scimGroups.updateOne(
        { _id },
        {
          $set: { displayName: input.attributes.displayName, externalId: input.attributes.externalId, groupName: input.attributes.displayName, version: input.version, lastWrite: input.writeId, recentWrites },
          $setOnInsert: { directoryId: input.directoryId, tenantId: oid(input.tenantId), scimId: input.scimId },
        },
        { upsert: true },
      );
      await runAudit(input.run, `scim.${input.writeId}`, {
        tenantId: input.tenantId,
        actor: actorOf(input),
        action: input.created ? 'scim.group_created' : 'scim.group_updated',
        target: { type: 'scim_group', id: input.scimId },
        context: { directoryId: input.directoryId, operation: input.kind, displayName: input.attributes.displayName, externalId: input.attributes.externalId },
      });
      for (const [op, chunks] of input.stagedChunks.entries()) {
        for (let c = 0; c < chunks; c++) await models.scimStagedMembers.deleteOne({ _id: stagedChunkKey(input.writeId, op, c) });
      }
      const doc = (await models.scimGroups.findById(_id).lean()) as ScimGroupDoc | null;
      if (!doc) throw new Error('the stored SCIM group vanished');
      return storedScimGroup(doc);
    },

    /** DELETE, once its members are gone: the resource and its keys; audited once. */
    async deleteScimGroup(input: WriteScoped & { attributes: GroupAttributes }): Promise<void> {
      await runAudit(input.run, `scim.${input.writeId}`, {
        tenantId: input.tenantId,
        actor: actorOf(input),
        action: 'scim.group_deleted',
        target: { type: 'scim_group', id: input.scimId },
        context: { directoryId: input.directoryId, operation: 'delete', displayName: input.attributes.displayName },
      });
      for (const k of keysOf(input.directoryId, input.attributes)) await models.scimKeys.deleteOne({ _id: k._id, target: input.scimId });
      await models.scimGroups.deleteOne({ _id: scimResourceKey(input.directoryId, input.scimId) });
    },

    /** A refused group write: audited once, nothing else written. */
    async recordScimGroupRefusal(input: WriteScoped & { kind: string; error: ScimRefusal; reason: string }): Promise<void> {
      await runAudit(input.run, `scim.${input.writeId}.refused`, {
        tenantId: input.tenantId,
        actor: actorOf(input),
        action: 'scim.write_refused',
        target: { type: 'scim_group', id: input.scimId },
        reason: input.reason,
        context: { directoryId: input.directoryId, operation: input.kind, status: input.error.status },
      });
    },

    /**
     * The groups a User is a member of, granted to its account (a User that
     * became active, a reactivation): each grant audited once per run.
     */
    async grantDirectoryGroupsTo(input: RunScoped & { directoryId: string; tenantId: string; scimId: string; userId: string; writeId: string }): Promise<number> {
      let granted = 0;
      for (const doc of await groupsOfMember(input.directoryId, input.scimId)) {
        const scoped = { ...input, scimId: doc.scimId, groupName: doc.groupName };
        await grantTo(scoped, input.userId);
        // The member may have been removed meanwhile: the group's run deletes the document first, then revokes.
        if (!(await models.scimGroupMembers.exists({ _id: scimMemberKey(input.directoryId, doc.scimId, input.scimId) }))) await revokeFrom(scoped, input.userId);
        else granted++;
      }
      return granted;
    },

    /** A deleted User leaves every group of its directory. */
    async forgetGroupMember(input: { directoryId: string; scimId: string }): Promise<void> {
      for (const g of await groupsOfMember(input.directoryId, input.scimId)) await models.scimGroupMembers.deleteOne({ _id: scimMemberKey(input.directoryId, g.scimId, input.scimId) });
    },

    /** A rename's new name, recorded before its grants move: a member reactivated meanwhile is granted the new name. */
    async renameScimGroup(input: ScimGroupTarget & { name: string }): Promise<void> {
      await models.scimGroups.updateOne({ _id: scimResourceKey(input.directoryId, input.scimId) }, { $set: { groupName: input.name } });
    },
  };
}

export type DirectoryGroupActivities = ReturnType<typeof directoryGroupActivities>;
