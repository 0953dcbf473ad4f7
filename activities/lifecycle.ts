import { grantsOf, removeGrant, grantEvent, type HeldGrant } from '../src/db/grants';
import { groupKey } from '../src/db/models/group';
import { membershipKey } from '../src/db/models/membership';
import type { LifecycleFacts } from '../src/domain/memberLifecycle';
import { actorOf } from '../src/domain/provisioningContext';
import { isOwner } from '../src/domain/roles';
import { accessOf } from '../src/db/access';
import { oid, type ActivitySupport, type RunScoped } from './support';

/** How many grants of a removed group one activity revokes: the run's history stays bounded whatever the group's size. */
export const GROUP_REVOKE_BATCH = 200;

/**
 * What the admin lifecycle runs (workflows/adminLifecycle.ts) read and write
 * beyond the provisioning activities they share with sign-ins and
 * directories. Every activity is idempotent (see support.ts).
 */
export function lifecycleActivities({ models, runAudit }: ActivitySupport) {
  return {
    /** The member and the tenant's active owners (effective roles: direct, or through a group's roles). */
    async lifecycleFacts(input: { tenantId: string; userId: string }): Promise<LifecycleFacts> {
      const memberships = await models.memberships.find({ tenantId: oid(input.tenantId) }).lean();
      const access = await accessOf(models, memberships);
      const ownerById = (id: string) => isOwner(access.get(id)?.roles ?? []);
      const member = memberships.find((m) => m._id === membershipKey(input.tenantId, input.userId));
      return {
        member: member ? { status: member.status, isOwner: ownerById(member._id) } : null,
        activeOwners: memberships.filter((m) => m.status === 'active' && ownerById(m._id)).length,
      };
    },

    /** Every grant of the membership, from any source (what a removal revokes). */
    async membershipGrants(input: { tenantId: string; userId: string }): Promise<HeldGrant[]> {
      const id = membershipKey(input.tenantId, input.userId);
      return (await grantsOf(models, [id])).get(id) ?? [];
    },

    /** An admin request refused (last owner, no such member or group): audited once per run. */
    async recordAdminRefusal(input: RunScoped & { tenantId: string; action: string; target: { type: string; id: string }; reason: string; userId?: string }): Promise<void> {
      await runAudit(input.run, `refused.${input.action}`, {
        tenantId: input.tenantId,
        actor: actorOf(input),
        action: `${input.action}_refused`,
        target: input.target,
        userId: input.userId ?? null,
        reason: input.reason,
      });
    },

    /**
     * Revoke up to GROUP_REVOKE_BATCH grants of a group (any source), each
     * audited once per run; the number left. The run calls it until none is.
     */
    async revokeGroupGrants(input: RunScoped & { tenantId: string; group: string }): Promise<number> {
      const rows = await models.grants.find({ tenantId: oid(input.tenantId), kind: 'group', value: input.group }).sort({ _id: 1 }).limit(GROUP_REVOKE_BATCH + 1).lean();
      for (const g of rows.slice(0, GROUP_REVOKE_BATCH)) {
        const grant = { kind: 'group' as const, value: g.value, source: g.source as HeldGrant['source'] };
        await runAudit(input.run, `revoke.${g._id}`, { tenantId: input.tenantId, actor: actorOf(input), ...grantEvent(grant, 'revoked', String(g.userId)) });
        await removeGrant(models, g.membershipId, grant);
      }
      return Math.max(0, rows.length - GROUP_REVOKE_BATCH);
    },

    /** The tenant group itself, once nobody holds it: audited once. `absent` when it is gone already. */
    async deleteTenantGroup(input: RunScoped & { tenantId: string; group: string }): Promise<'deleted' | 'absent'> {
      const _id = groupKey(input.tenantId, input.group);
      const group = await models.groups.findById(_id).lean();
      if (!group) return 'absent';
      await runAudit(input.run, `group.deleted.${_id}`, {
        tenantId: input.tenantId,
        actor: actorOf(input),
        action: 'group.deleted',
        target: { type: 'group', id: input.group },
        before: { name: group.name, roles: group.roles },
      });
      await models.groups.deleteOne({ _id });
      return 'deleted';
    },
  };
}

export type LifecycleActivities = ReturnType<typeof lifecycleActivities>;
