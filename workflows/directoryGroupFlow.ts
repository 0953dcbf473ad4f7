/**
 * One SCIM write to one Group: apply it to the stored group,
 * hold its unique keys and its tenant group, apply its member operations in
 * batches (handing a large remainder to a fan-out workflow that continues as
 * new), move grants on a rename, then store the group. Deletion removes every
 * member (revoking the group's grants), then the tenant group and the
 * resource. Deterministic: the world is reached only through `acts`.
 */
import type { DirectoryGroupActivities } from '../activities/directoryGroups';
import { directoryContext } from '../src/domain/provisioningContext';
import type { RunRef } from '../src/domain/runRef';
import type { GroupAttributes } from '../src/scim/groups';
import type { ScimGroupWrite, ScimGroupWriteResult } from '../src/scim/groupWrites';
import type { ScimRefusal } from '../src/scim/userWrites';
import { memberWork, runMemberWork, type MemberWork } from './groupMembers';

export type DirectoryGroupActivitySet = Pick<
  DirectoryGroupActivities,
  | 'prepareScimGroupWrite'
  | 'claimScimGroupKeys'
  | 'releaseScimGroupKeys'
  | 'ensureDirectoryGroup'
  | 'addGroupMembers'
  | 'removeGroupMembers'
  | 'removeUnmarkedMembers'
  | 'regrantGroupMembers'
  | 'renameScimGroup'
  | 'dropDirectoryGroup'
  | 'storeScimGroup'
  | 'deleteScimGroup'
  | 'recordScimGroupRefusal'
>;

export interface DirectoryGroupTarget {
  directoryId: string;
  tenantId: string;
  scimId: string;
  /** Batch steps a write runs in its own run before handing the rest to the fan-out workflow (tests lower it). */
  inlineSteps?: number;
  /** Batch steps of one fan-out run before it continues as new (tests lower it). */
  fanOutSteps?: number;
  /** History events past which a run takes no new write (serializedWrites.ts; tests lower it). */
  historyLimit?: number;
}

export const INLINE_STEPS = 20;
export const FAN_OUT_STEPS = 100;

export async function runDirectoryGroupWrite(
  target: DirectoryGroupTarget,
  write: ScimGroupWrite,
  run: RunRef,
  acts: DirectoryGroupActivitySet,
  fanOut: (work: MemberWork) => Promise<void>,
  note: (decision: string) => void,
): Promise<ScimGroupWriteResult> {
  const scope = directoryContext(target.directoryId, target.tenantId, run);
  const t = { directoryId: target.directoryId, tenantId: target.tenantId, scimId: target.scimId };
  const scoped = { ...scope, ...t, writeId: write.id };
  const refuse = async (error: ScimRefusal, reason: string): Promise<ScimGroupWriteResult> => {
    note(`refused:${reason}`);
    await acts.recordScimGroupRefusal({ ...scoped, kind: write.kind, error, reason });
    return { ok: false, error };
  };

  const prepared = await acts.prepareScimGroupWrite({ ...t, run, write });
  if (!prepared.ok) return prepared.error.status === 404 ? { ok: false, error: prepared.error } : refuse(prepared.error, prepared.error.code);
  if (prepared.applied) {
    note('already_applied');
    return { ok: true, status: write.kind === 'create' ? 201 : 200, group: prepared.applied };
  }
  const { before, after } = prepared;
  const previous: GroupAttributes | null = before ? { displayName: before.displayName, externalId: before.externalId } : null;

  /** Member ops, inline up to the budget, the rest in the fan-out workflow (awaited: the answer waits for all of it). */
  const members = async (groupName: string, ops: MemberWork['ops']) => {
    if (ops.length === 0) return;
    const rest = await runMemberWork(memberWork({ ...t, writeId: write.id, groupName, ops }), target.inlineSteps ?? INLINE_STEPS, scope, acts);
    if (rest) {
      note('fan_out');
      await fanOut(rest);
    }
  };

  if (after === null) {
    // DELETE: every member leaves (their grants revoked), then the tenant group and the resource go.
    const groupName = before?.groupName ?? '';
    await members(groupName, [{ op: 'replace', count: 0, chunks: 0 }]);
    await acts.dropDirectoryGroup({ ...scoped, name: groupName });
    await acts.deleteScimGroup({ ...scoped, attributes: previous ?? { displayName: groupName, externalId: null } });
    note('deleted');
    return { ok: true, status: 204, group: null };
  }

  const keys = await acts.claimScimGroupKeys({ ...t, attributes: after });
  if (!keys.ok) return refuse(keys.error, 'uniqueness');
  const renamed = before !== null && before.groupName !== after.displayName;
  const owned = await acts.ensureDirectoryGroup({ ...scoped, name: after.displayName, rolesFrom: renamed ? before.groupName : null });
  if (!owned.ok) {
    await acts.releaseScimGroupKeys({ ...t, previous: after, current: previous });
    return refuse(owned.error, 'group_name_taken');
  }
  if (renamed) {
    // The new name first (a member reactivated meanwhile gets it), then every member moves to its grant, then the old tenant group goes.
    await acts.renameScimGroup({ ...t, writeId: write.id, from: before.groupName, name: after.displayName });
    for (let cursor: string | null = null, first = true; first || cursor !== null; first = false) {
      cursor = (await acts.regrantGroupMembers({ ...scoped, from: before.groupName, to: after.displayName, cursor })).cursor;
    }
    await acts.dropDirectoryGroup({ ...scoped, name: before.groupName });
    note('renamed');
  }
  await members(after.displayName, write.kind === 'delete' ? [] : write.members);

  // Old keys go before the store: a retry that finds the write applied has nothing left to do.
  await acts.releaseScimGroupKeys({ ...t, previous, current: after });
  const group = await acts.storeScimGroup({
    ...scoped,
    kind: write.kind,
    attributes: after,
    version: (before?.version ?? 0) + 1,
    created: before === null,
    stagedChunks: write.kind === 'delete' ? [] : write.members.map((m) => m.chunks),
  });
  return { ok: true, status: before ? 200 : 201, group };
}
