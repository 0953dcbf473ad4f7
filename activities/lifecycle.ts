import { ApplicationFailure } from '@temporalio/common';
import { grantEvent, type HeldGrant } from '../src/store/grants';
import { groupKey } from '../src/store/groups';
import { membershipKey } from '../src/store/memberships';
import { FAILURE_TYPES } from '../src/domain/failureTypes';
import type { LifecycleAction, LifecycleFacts } from '../src/domain/memberLifecycle';
import { actorOf } from '../src/domain/provisioningContext';
import { isOwner } from '../src/domain/roles';
import { sameRun, type RunRef } from '../src/domain/runRef';
import { oid, runAuditKey, type ActivitySupport, type RunScoped } from './support';

/** The audit key of a membership's removal by a run (removeMembership in directory.ts writes it). */
const removalAuditKey = (run: RunRef, userId: string): string => runAuditKey(run, `membership.removed.${userId}`);

/** How many grants of a removed group one activity revokes: the run's history stays bounded whatever the group's size. */
export const GROUP_REVOKE_BATCH = 200;

/**
 * What the admin lifecycle runs (workflows/adminLifecycle.ts) read and write
 * beyond the provisioning activities they share with sign-ins and
 * directories. Every activity is idempotent (see support.ts).
 */
export function lifecycleActivities({ store, runAudit, auditedByRun, lifecycle }: ActivitySupport) {
  return {
    /**
     * The member as it was before this write, and the tenant's active owners
     * (effective roles). A status this very write already set (a retry after
     * a crash) is read as it was before, so the retry plans as the first
     * attempt did and finishes its steps. Owners are counted only when the
     * member is one, among the memberships that can be: direct owners and
     * holders of an `owner` role grant or of a group carrying `owner`.
     */
    async lifecycleFacts(input: { tenantId: string; userId: string; run?: RunRef; action?: LifecycleAction; by?: string }): Promise<LifecycleFacts> {
      const doc = await store.memberships.byKey(input.tenantId, input.userId);
      if (!doc) {
        // Removed by this very write (its completion lost): plan the removal again, each step finds it done.
        const removedByUs = input.run && input.action === 'remove' && (await store.audit.recorded(removalAuditKey(input.run, input.userId)));
        return { member: removedByUs ? { status: 'suspended', isOwner: false, suspendedBy: null } : null, activeOwners: 0 };
      }
      const ours = input.run !== undefined && sameRun(doc.statusChangedBy, input.run);
      const status = ours ? (input.action === 'reactivate' ? 'suspended' : 'active') : doc.status;
      const member = { ...doc, status };
      const memberIsOwner = isOwner((await store.access.of([member])).get(member._id)?.roles ?? []);
      const facts = { status, isOwner: memberIsOwner, suspendedBy: ours && status === 'suspended' ? (input.by ?? null) : (doc.suspendedBy ?? null) };
      if (!memberIsOwner) return { member: facts, activeOwners: 0 };
      const tenantId = oid(input.tenantId);
      const ownerGroups = await store.groups.namesWithRole(tenantId, 'owner');
      const [direct, granted] = await Promise.all([
        store.memberships.activeWithRole(tenantId, 'owner'),
        store.grants.holdersOfRole(tenantId, 'owner', ownerGroups),
      ]);
      const grantedIds = [...new Set(granted.map((g) => g.membershipId))].filter((id) => !direct.some((m) => m._id === id));
      const others = grantedIds.length ? await store.memberships.activeByIds(grantedIds) : [];
      const candidates = [...direct, ...others].filter((m) => m._id !== member._id);
      const access = await store.access.of(candidates);
      const activeOwners = candidates.filter((m) => isOwner(access.get(m._id)?.roles ?? [])).length + (status === 'active' ? 1 : 0);
      return { member: facts, activeOwners };
    },

    /**
     * A directory's status change for a member, carried out by the tenant's
     * lifecycle run (one run serializes every lifecycle change of the
     * tenant's members, an admin's or a directory's, under one rule). The
     * update's ID is the directory run's write, so a retried activity is
     * answered, not applied again; on a fresh run the rule finds it done.
     */
    async requestLifecycleChange(
      input: RunScoped & { tenantId: string; userId: string; directoryId: string; action: LifecycleAction; writeId: string },
    ): Promise<'changed' | 'unchanged' | 'absent'> {
      if (!lifecycle) throw ApplicationFailure.nonRetryable('no lifecycle runner is configured for this worker', FAILURE_TYPES.lifecycleNotConfigured);
      const id = `${input.run.workflowId}:${input.run.runId}:${input.writeId}:${input.action}`;
      const result = await lifecycle.write(
        input.tenantId,
        { kind: 'member', action: input.action, userId: input.userId, actor: { type: 'directory', id: input.directoryId } },
        id,
      );
      if (result.ok) return result.changed ? 'changed' : 'unchanged';
      // A directory is never refused (the rule lets it offboard the last owner): only a member that is gone.
      if (result.code === 'member_not_found') return 'absent';
      throw ApplicationFailure.nonRetryable(`the lifecycle run refused: ${result.code}`, FAILURE_TYPES.lifecycleRefused);
    },

    /** Every grant of the membership, from any source (what a removal revokes). */
    async membershipGrants(input: { tenantId: string; userId: string }): Promise<HeldGrant[]> {
      const id = membershipKey(input.tenantId, input.userId);
      return (await store.grants.of([id])).get(id) ?? [];
    },

    /** An admin request refused (last owner, no such member or group): audited once per run. */
    async recordAdminRefusal(
      input: RunScoped & { tenantId: string; action: string; target: { type: string; id: string }; reason: string; userId?: string; detail?: string | null },
    ): Promise<void> {
      await runAudit(input.run, `refused.${input.action}`, {
        tenantId: input.tenantId,
        actor: actorOf(input),
        action: `${input.action}_refused`,
        target: input.target,
        userId: input.userId ?? null,
        reason: input.reason,
        ...(input.detail ? { context: { detail: input.detail } } : {}),
      });
    },

    /** A change left the tenant without an active owner (a directory offboarded the last one): audited once per run, and sent as an event. */
    async recordOwnerAlert(input: RunScoped & { tenantId: string; userId: string; alert: 'tenant.no_active_owner' }): Promise<void> {
      await runAudit(input.run, `alert.${input.alert}`, {
        tenantId: input.tenantId,
        actor: actorOf(input),
        action: input.alert,
        target: { type: 'tenant', id: input.tenantId },
        userId: input.userId,
        reason: 'the last active owner was suspended or removed by a directory: make someone else an owner',
      });
    },

    /**
     * Revoke up to GROUP_REVOKE_BATCH grants of a group (any source), each
     * audited once per run; the number left. The run calls it until none is.
     */
    async revokeGroupGrants(input: RunScoped & { tenantId: string; group: string }): Promise<number> {
      const rows = await store.groups.grantsOfFirst(oid(input.tenantId), input.group, GROUP_REVOKE_BATCH + 1);
      for (const g of rows.slice(0, GROUP_REVOKE_BATCH)) {
        const grant = { kind: 'group' as const, value: g.value, source: g.source as HeldGrant['source'] };
        await runAudit(input.run, `revoke.${g._id}`, { tenantId: input.tenantId, actor: actorOf(input), ...grantEvent(grant, 'revoked', String(g.userId)) });
        await store.grants.remove(g.membershipId, grant);
      }
      return Math.max(0, rows.length - GROUP_REVOKE_BATCH);
    },

    /**
     * The tenant group itself, once nobody holds it: audited once. `absent`
     * when it is gone already — unless this run deleted it (its audit is
     * there: the step ran again after a crash), which answers `deleted`.
     */
    async deleteTenantGroup(input: RunScoped & { tenantId: string; group: string }): Promise<'deleted' | 'absent'> {
      const _id = groupKey(input.tenantId, input.group);
      const step = `group.deleted.${_id}`;
      const group = await store.groups.byName(input.tenantId, input.group);
      if (!group) return (await auditedByRun(input.run, step, 'group.deleted')) ? 'deleted' : 'absent';
      await runAudit(input.run, step, {
        tenantId: input.tenantId,
        actor: actorOf(input),
        action: 'group.deleted',
        target: { type: 'group', id: input.group },
        before: { name: group.name, roles: group.roles },
      });
      await store.groups.deleteByName(input.tenantId, input.group);
      return 'deleted';
    },
  };
}

export type LifecycleActivities = ReturnType<typeof lifecycleActivities>;
