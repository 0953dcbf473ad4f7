import { grantEvent, grantId, type GrantResult } from '../src/store/grants';
import { groupKey } from '../src/store/groups';
import { membershipKey } from '../src/store/memberships';
import type { Grant, GroupSyncAction } from '../src/domain/groups';
import { actorOf } from '../src/domain/provisioningContext';
import { oid, type ActivitySupport, type RunScoped } from './support';

export type GrantRefusal = Omit<Extract<GroupSyncAction, { kind: 'refuse' }>, 'kind'>;

/** Group and role grants from a groups claim: grant, revoke, and the refusals that are only audited. Every activity is idempotent (see support.ts). */
export function grantsActivities({ store, runAudit, insertOnce }: ActivitySupport) {
  return {
    /**
     * Grant one group or role from the groups claim (creating the group first
     * when the connection maps unmapped values to new groups). Idempotent: the
     * grant is one conditional update of the membership; audited once per run.
     */
    async applyGroupGrant(
      input: RunScoped & { tenantId: string; connectionId: string; userId: string; grant: Grant; createGroup: boolean },
    ): Promise<GrantResult> {
      const { run, tenantId, grant } = input;
      if (grant.kind === 'group' && input.createGroup) {
        const _id = groupKey(tenantId, grant.value);
        const fields = { tenantId: oid(tenantId), name: grant.value, roles: [], createdFrom: grant.source };
        await insertOnce(store.groups.keyed, _id, fields, run, () => ({
          step: `group.created.${_id}`,
          event: {
            tenantId,
            actor: actorOf(input),
            action: 'group.created',
            target: { type: 'group', id: grant.value },
            after: { name: grant.value, roles: [] },
          },
        }));
      }
      const membershipId = membershipKey(tenantId, input.userId);
      const result = await store.grants.apply({ membershipId, tenantId, userId: input.userId }, grant, { grantedBy: input.connectionId, run });
      if (result === 'granted') {
        await runAudit(run, `grant.${grantId(membershipId, grant)}`, {
          tenantId,
          actor: actorOf(input),
          ...grantEvent(grant, 'granted', input.userId),
        });
      }
      return result;
    },

    /**
     * Revoke one grant of this connection. The audit event is written first
     * (its key is per run and grant), then the grant removed: a retry after
     * either step converges on one event and no grant.
     */
    async revokeGroupGrant(input: RunScoped & { tenantId: string; connectionId: string; userId: string; grant: Grant }): Promise<'revoked' | 'absent'> {
      const { run, tenantId, grant } = input;
      const membershipId = membershipKey(tenantId, input.userId);
      if (!(await store.grants.holds(membershipId, grant))) return 'absent';
      await runAudit(run, `revoke.${grantId(membershipId, grant)}`, {
        tenantId,
        actor: actorOf(input),
        ...grantEvent(grant, 'revoked', input.userId),
      });
      await store.grants.remove(membershipId, grant);
      return 'revoked';
    },

    /** Roles a groups claim asked for that the IdP may not grant: audited, never granted. */
    async recordGrantRefusals(input: RunScoped & { tenantId: string; connectionId: string; userId: string; refusals: GrantRefusal[] }): Promise<void> {
      for (const [i, r] of input.refusals.entries()) {
        await runAudit(input.run, `grant_refused.${i}`, {
          tenantId: input.tenantId,
          actor: actorOf(input),
          action: 'role.grant_refused',
          target: { type: 'role', id: r.role },
          userId: input.userId,
          reason: r.reason,
          context: { asserted: r.asserted, via: r.via },
        });
      }
    },
  };
}
