/**
 * A directory's Groups over a FakeWorld: the group resource, its keys, the
 * tenant group it owns, its members and their grants — as
 * activities/directoryGroups.ts, directoryGroupMembers.ts and
 * groupMemberGrants.ts do it (grants written under the run and write,
 * audited once per write and member op; member documents before grants).
 */
import type { ScimGroupTarget, WriteScoped } from '../../activities/groupMemberGrants';
import { directorySource, type Grant } from '../../src/domain/groups';
import type { ProvisioningActor } from '../../src/domain/provisioningContext';
import { sameRun, type RunRef } from '../../src/domain/runRef';
import { changedAttributes, type GroupAttributes } from '../../src/scim/groups';
import type { StoredScimGroup } from '../../src/scim/groupWrites';
import type { DirectoryGroupActivitySet } from '../../workflows/directoryGroupFlow';
import { grantKey, memberKey, type FakeScimGroup, type FakeWorld } from './fakeWorld';

const FIXED = '2026-01-01T00:00:00.000Z';
const stored = ({ renamedFrom: _renamedFrom, ...g }: FakeScimGroup): StoredScimGroup => ({ ...g, created: FIXED, lastModified: FIXED });
const actorName = (input: { actor?: ProvisioningActor }): string => (input.actor ? `${input.actor.type}:${input.actor.id ?? ''}` : 'idp:');
const groupKeysOf = (directoryId: string, a: GroupAttributes) => [
  `${directoryId}:Group:displayName:${a.displayName}`,
  ...(a.externalId ? [`${directoryId}:Group:externalId:${a.externalId}`] : []),
];

/** The part of a write a member step belongs to: `writeId`, or `writeId.op`. */
type Step = { run: RunRef; actor?: ProvisioningActor; directoryId: string; tenantId: string; writeId: string; op?: number; groupName: string };

export function fakeDirectoryGroupActivities(w: FakeWorld) {
  const stepOf = (s: Step) => (s.op === undefined ? s.writeId : `${s.writeId}.${s.op}`);
  const grantOf = (s: Step): Grant => ({ kind: 'group', value: s.groupName, source: directorySource(s.directoryId) });
  const revokeFrom = (s: Step, userId: string) => {
    const key = grantKey(memberKey(s.tenantId, userId), grantOf(s));
    if (!w.grants.has(key)) return;
    w.audit(s.run, `${stepOf(s)}.revoke.${key}`, { action: 'group.revoked', actor: actorName(s), target: `group:${s.groupName}`, userId });
    w.grants.delete(key);
  };
  /** Granted (audited once per write) unless held; undone at once when the membership is not active. */
  const grantTo = (s: Step, userId: string) => {
    const membershipId = memberKey(s.tenantId, userId);
    const grant = grantOf(s);
    const key = grantKey(membershipId, grant);
    const writeRun = { workflowId: s.run.workflowId, runId: `${s.run.runId}/${stepOf(s)}` };
    const existing = w.grants.get(key);
    if (!existing) w.grants.set(key, { ...grant, membershipId, grantedBy: `directory:${s.directoryId}`, createdBy: writeRun });
    if (!existing || sameRun(existing.createdBy, writeRun))
      w.audit(s.run, `${stepOf(s)}.grant.${key}`, { action: 'group.granted', actor: actorName(s), target: `group:${s.groupName}`, userId });
    if (w.memberships.get(membershipId)?.status !== 'active') revokeFrom(s, userId);
  };
  const accountOf = (directoryId: string, member: string): string | null => w.scimUsers.get(`${directoryId}:${member}`)?.userId ?? null;
  const activeAccount = (directoryId: string, tenantId: string, member: string): string | null => {
    const user = w.scimUsers.get(`${directoryId}:${member}`);
    if (!user?.userId || user.resource.active === false) return null;
    return w.memberships.get(memberKey(tenantId, user.userId))?.status === 'active' ? user.userId : null;
  };
  const membersOf = (directoryId: string, group: string) =>
    [...w.scimGroupMembers.entries()].filter(([, m]) => m.directoryId === directoryId && m.group === group);
  const staged = (writeId: string, op: number, chunk: number): string[] => {
    const ids = w.staged.get(`${writeId}:${op}:${chunk}`);
    if (!ids) throw new Error(`the member ids of write ${writeId} (op ${op}, chunk ${chunk}) are gone`);
    return ids;
  };
  const removeMembers = (s: Step & { scimId: string }, members: readonly string[]) => {
    for (const member of members) {
      w.scimGroupMembers.delete(`${s.directoryId}:${s.scimId}:${member}`);
      const userId = accountOf(s.directoryId, member);
      if (userId) revokeFrom(s, userId);
    }
  };
  const groupName = (directoryId: string, scimId: string) => w.scimGroups.get(`${directoryId}:${scimId}`)?.groupName ?? '';

  return {
    async prepareScimGroupWrite(input: Parameters<DirectoryGroupActivitySet['prepareScimGroupWrite']>[0]) {
      const doc = w.scimGroups.get(`${input.directoryId}:${input.scimId}`);
      if (doc && doc.recentWrites.includes(input.write.id)) return { ok: true as const, applied: stored(doc) };
      const renaming = doc?.renamedFrom?.writeId === input.write.id ? doc.renamedFrom.groupName : null;
      const before = doc ? { ...stored(doc), ...(renaming ? { groupName: renaming } : {}) } : null;
      const { write } = input;
      if (write.kind === 'create') return { ok: true as const, before, after: write.attributes };
      if (!before && write.kind === 'delete' && input.run && w.auditedByRun(input.run, `scim.${write.id}`, 'scim.group_deleted'))
        return { ok: true as const, before: null, after: null };
      if (!before) return { ok: false as const, error: { status: 404, detail: 'no such Group in this directory', code: 'not_found' } };
      if (write.kind === 'delete') return { ok: true as const, before, after: null };
      return { ok: true as const, before, after: write.kind === 'replace' ? write.attributes : changedAttributes(before, write.attributes) };
    },
    async claimScimGroupKeys(input: ScimGroupTarget & { attributes: GroupAttributes }) {
      const inserted: string[] = [];
      for (const [i, key] of groupKeysOf(input.directoryId, input.attributes).entries()) {
        const holder = w.scimKeys.get(key);
        if (holder === input.scimId) continue;
        if (!holder) {
          w.scimKeys.set(key, input.scimId);
          inserted.push(key);
          continue;
        }
        for (const k of inserted) w.scimKeys.delete(k);
        const attribute = i === 0 ? 'displayName' : 'externalId';
        return {
          ok: false as const,
          error: { status: 409, scimType: 'uniqueness' as const, detail: `another Group of this directory has this ${attribute}`, code: 'scim_uniqueness' },
        };
      }
      return { ok: true as const };
    },
    async releaseScimGroupKeys(input: ScimGroupTarget & { previous: GroupAttributes | null; current: GroupAttributes | null }) {
      if (!input.previous) return;
      const keep = new Set(input.current ? groupKeysOf(input.directoryId, input.current) : []);
      for (const k of groupKeysOf(input.directoryId, input.previous)) if (!keep.has(k) && w.scimKeys.get(k) === input.scimId) w.scimKeys.delete(k);
    },
    async ensureDirectoryGroup(input: WriteScoped & { name: string; rolesFrom: string | null }) {
      const owner = `directory:${input.directoryId}`;
      const id = `${input.tenantId}:${input.name}`;
      const existing = w.groups.get(id);
      if (existing && existing.createdFrom !== owner) {
        return {
          ok: false as const,
          error: {
            status: 409,
            scimType: 'uniqueness' as const,
            detail: `the organization already has a group named "${input.name}" that this directory does not own`,
            code: 'scim_uniqueness',
          },
        };
      }
      if (!existing) {
        const roles = input.rolesFrom ? [...(w.groups.get(`${input.tenantId}:${input.rolesFrom}`)?.roles ?? [])] : [];
        w.groups.set(id, { tenantId: input.tenantId, name: input.name, roles, createdFrom: owner, createdBy: input.run });
      }
      if (sameRun(w.groups.get(id)!.createdBy, input.run))
        w.audit(input.run, `${input.writeId}.group.created`, { action: 'group.created', actor: actorName(input), target: `group:${input.name}` });
      return { ok: true as const };
    },
    async dropDirectoryGroup(input: WriteScoped & { name: string }) {
      const id = `${input.tenantId}:${input.name}`;
      if (w.groups.get(id)?.createdFrom !== `directory:${input.directoryId}`) return;
      w.audit(input.run, `${input.writeId}.group.deleted.${input.name}`, { action: 'group.deleted', actor: actorName(input), target: `group:${input.name}` });
      w.groups.delete(id);
    },
    async storeScimGroup(input: Parameters<DirectoryGroupActivitySet['storeScimGroup']>[0]) {
      const id = `${input.directoryId}:${input.scimId}`;
      const seen = w.scimGroups.get(id)?.recentWrites ?? [];
      const { displayName, externalId } = input.attributes;
      w.scimGroups.set(id, {
        id: input.scimId,
        displayName,
        externalId,
        groupName: displayName,
        version: input.version,
        recentWrites: seen.includes(input.writeId) ? seen : [...seen, input.writeId],
      });
      w.audit(input.run, `scim.${input.writeId}`, {
        action: input.created ? 'scim.group_created' : 'scim.group_updated',
        actor: actorName(input),
        target: `scim_group:${input.scimId}`,
      });
      for (const [op, chunks] of input.stagedChunks.entries()) for (let c = 0; c < chunks; c++) w.staged.delete(`${input.writeId}:${op}:${c}`);
      return stored(w.scimGroups.get(id)!);
    },
    async deleteScimGroup(input: WriteScoped & { attributes: GroupAttributes }) {
      w.audit(input.run, `scim.${input.writeId}`, { action: 'scim.group_deleted', actor: actorName(input), target: `scim_group:${input.scimId}` });
      for (const k of groupKeysOf(input.directoryId, input.attributes)) if (w.scimKeys.get(k) === input.scimId) w.scimKeys.delete(k);
      w.scimGroups.delete(`${input.directoryId}:${input.scimId}`);
    },
    async recordScimGroupRefusal(input: WriteScoped & { kind: string; reason: string }) {
      w.audit(input.run, `scim.${input.writeId}.refused`, {
        action: 'scim.write_refused',
        actor: actorName(input),
        target: `scim_group:${input.scimId}`,
        reason: input.reason,
      });
    },
    async renameScimGroup(input: ScimGroupTarget & { name: string; writeId?: string; from?: string }) {
      const g = w.scimGroups.get(`${input.directoryId}:${input.scimId}`);
      if (!g) return;
      g.groupName = input.name;
      if (input.writeId && input.from) g.renamedFrom = { writeId: input.writeId, groupName: input.from };
    },
    async addGroupMembers(input: WriteScoped & { groupName: string; op: number; chunk: number; mark: string }) {
      let added = 0;
      for (const member of staged(input.writeId, input.op, input.chunk)) {
        const id = `${input.directoryId}:${input.scimId}:${member}`;
        if (!w.scimGroupMembers.has(id)) added++;
        w.scimGroupMembers.set(id, { directoryId: input.directoryId, group: input.scimId, member, seenBy: input.mark });
        const userId = activeAccount(input.directoryId, input.tenantId, member);
        if (userId) grantTo(input, userId);
      }
      return added;
    },
    async removeGroupMembers(input: WriteScoped & { groupName: string; op: number; chunk: number }) {
      removeMembers(input, staged(input.writeId, input.op, input.chunk));
    },
    /** A page of at most `w.memberPage` members (the real page is 500). */
    async removeUnmarkedMembers(input: WriteScoped & { groupName: string; mark: string | null }) {
      const page = membersOf(input.directoryId, input.scimId)
        .filter(([, m]) => input.mark === null || m.seenBy !== input.mark)
        .slice(0, w.memberPage)
        .map(([, m]) => m.member);
      removeMembers(input, page);
      return { removed: page.length, done: page.length < w.memberPage };
    },
    async regrantGroupMembers(input: WriteScoped & { from: string; to: string; cursor: string | null }) {
      const page = membersOf(input.directoryId, input.scimId)
        .filter(([id]) => input.cursor === null || id > input.cursor)
        .sort(([a], [b]) => a.localeCompare(b))
        .slice(0, w.memberPage);
      for (const [, { member }] of page) {
        const userId = accountOf(input.directoryId, member);
        if (!userId) continue;
        if (activeAccount(input.directoryId, input.tenantId, member)) grantTo({ ...input, groupName: input.to }, userId);
        revokeFrom({ ...input, groupName: input.from }, userId);
      }
      return { cursor: page.length < w.memberPage ? null : (page.at(-1)?.[0] ?? null) };
    },

    // A User's side (what runDirectoryUserWrite asks).
    async grantDirectoryGroupsTo(input: {
      run: RunRef;
      actor?: ProvisioningActor;
      directoryId: string;
      tenantId: string;
      scimId: string;
      userId: string;
      writeId: string;
    }) {
      let granted = 0;
      for (const [, m] of [...w.scimGroupMembers.entries()].filter(([, m]) => m.directoryId === input.directoryId && m.member === input.scimId)) {
        const s = { ...input, groupName: groupName(input.directoryId, m.group) };
        grantTo(s, input.userId);
        if (!w.scimGroupMembers.has(`${input.directoryId}:${m.group}:${input.scimId}`)) revokeFrom(s, input.userId);
        else granted++;
      }
      return granted;
    },
    async forgetGroupMember(input: { directoryId: string; scimId: string }) {
      for (const [id, m] of [...w.scimGroupMembers.entries()])
        if (m.directoryId === input.directoryId && m.member === input.scimId) w.scimGroupMembers.delete(id);
    },
  } satisfies DirectoryGroupActivitySet & Record<'grantDirectoryGroupsTo' | 'forgetGroupMember', unknown>;
}
