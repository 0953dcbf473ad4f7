import { ApplicationFailure } from '@temporalio/common';
import { grantEvent, grantId } from '../src/store/grants';
import { membershipKey } from '../src/store/memberships';
import type { ScimGroupRow } from '../src/store/scimGroups';
import { FAILURE_TYPES } from '../src/domain/failureTypes';
import { directorySource, type Grant } from '../src/domain/groups';
import { actorOf } from '../src/domain/provisioningContext';
import type { RunRef } from '../src/domain/runRef';
import { inPool, type ActivitySupport, type RunScoped } from './support';

/** Which group a write is for. */
export interface ScimGroupTarget {
  directoryId: string;
  tenantId: string;
  scimId: string;
}

/** The write a step belongs to: its id keys the audit events (a run applies many writes); `op`, the member op within it. */
export type WriteScoped = RunScoped & ScimGroupTarget & { writeId: string; op?: number };

/** How many members of a batch are written to at once. */
export const PARALLEL = 8;

/**
 * What the group activities share: a directory group's grant to one member
 * (granted only while the User and the membership are active, audited once
 * per write and member op), its revocation, the members' accounts, a write's
 * staged member ids, and the groups that hold a member.
 */
export function groupMemberGrants({ store, runAudit }: Pick<ActivitySupport, 'store' | 'runAudit'>) {
  const grantOf = (directoryId: string, groupName: string): Grant => ({ kind: 'group', value: groupName, source: directorySource(directoryId) });
  /** The run and write that wrote a grant (its `createdBy`): a retried step recognizes its own grant, a later write of the same run does not. */
  const writeRun = (input: WriteScoped): RunRef => ({ workflowId: input.run.workflowId, runId: `${input.run.runId}/${stepOf(input)}` });
  /** A write's member op (add X, remove X, add X in one PATCH audits three events). */
  const stepOf = (input: WriteScoped) => (input.op === undefined ? input.writeId : `${input.writeId}.${input.op}`);

  /** The account a member id provisioned, when the User is active and its membership is active. */
  const activeAccount = async (directoryId: string, tenantId: string, member: string): Promise<string | null> => {
    const user = await store.scimUsers.byId(directoryId, member);
    if (!user?.active || !user.userId) return null;
    const membership = await store.memberships.byKey(tenantId, String(user.userId));
    return membership?.status === 'active' ? String(user.userId) : null;
  };

  /** Grant the group to one member (audited once per write); undone at once if the membership was suspended meanwhile (a deprovisioning in flight). */
  const grantTo = async (input: WriteScoped & { groupName: string }, userId: string) => {
    const grant = grantOf(input.directoryId, input.groupName);
    const membershipId = membershipKey(input.tenantId, userId);
    const result = await store.grants.apply({ membershipId, tenantId: input.tenantId, userId }, grant, {
      grantedBy: `directory:${input.directoryId}`,
      run: writeRun(input),
    });
    if (result === 'granted')
      await runAudit(input.run, `${stepOf(input)}.grant.${grantId(membershipId, grant)}`, {
        tenantId: input.tenantId,
        actor: actorOf(input),
        ...grantEvent(grant, 'granted', userId),
      });
    const now = await store.memberships.byKey(input.tenantId, userId);
    if (now?.status !== 'active') await revokeFrom(input, userId);
  };

  const revokeFrom = async (input: WriteScoped & { groupName: string }, userId: string) => {
    const grant = grantOf(input.directoryId, input.groupName);
    const membershipId = membershipKey(input.tenantId, userId);
    if (!(await store.grants.holds(membershipId, grant))) return;
    await runAudit(input.run, `${stepOf(input)}.revoke.${grantId(membershipId, grant)}`, {
      tenantId: input.tenantId,
      actor: actorOf(input),
      ...grantEvent(grant, 'revoked', userId),
    });
    await store.grants.remove(membershipId, grant);
  };

  /** The account a member id provisioned, whatever its state (what a removal revokes from). */
  const accountOf = async (directoryId: string, member: string): Promise<string | null> => {
    const user = await store.scimUsers.byId(directoryId, member);
    return user?.userId ? String(user.userId) : null;
  };

  /** Remove members (their documents first, then their grants: a reactivation racing with it never re-grants a removed member). */
  const removeMembers = async (input: WriteScoped & { groupName: string }, members: readonly string[]) => {
    await inPool(members, PARALLEL, async (member) => {
      await store.scimGroups.removeMember(input.directoryId, input.scimId, member);
      const userId = await accountOf(input.directoryId, member);
      if (userId) await revokeFrom(input, userId);
    });
  };

  /** A chunk of a write's member ids; gone (swept, never staged) is a failure, never "no members" — a replace would empty the group. */
  const stagedChunk = async (writeId: string, op: number, chunk: number): Promise<string[]> => {
    const staged = await store.scimGroups.stagedChunk(writeId, op, chunk);
    if (!staged)
      throw ApplicationFailure.nonRetryable(`the member ids of write ${writeId} (op ${op}, chunk ${chunk}) are gone`, FAILURE_TYPES.stagedMembersMissing);
    return staged.values;
  };

  /** The directory's groups that hold this member: its groups listed (a few dozen), then one keyed read each. */
  const groupsOfMember = async (directoryId: string, member: string): Promise<ScimGroupRow[]> => {
    const groups = await store.scimGroups.inDirectory(directoryId);
    const held: ScimGroupRow[] = [];
    for (const g of groups) if (await store.scimGroups.hasMember(directoryId, g.scimId, member)) held.push(g);
    return held;
  };

  return { grantOf, activeAccount, grantTo, revokeFrom, accountOf, removeMembers, stagedChunk, groupsOfMember };
}
