import { actorOf } from '../src/domain/provisioningContext';
import { membershipKey } from '../src/store/memberships';
import { oid, type ActivitySupport, type RunScoped } from './support';

/** Memberships: one per tenant and account. Every activity is idempotent (see support.ts). */
export function membershipsActivities({ store, insertOnce }: ActivitySupport) {
  return {
    async ensureMembership(
      input: RunScoped & { tenantId: string; userId: string; roles: string[] },
    ): Promise<{ membershipId: string; roles: string[]; status: string; createdByThisRun: boolean }> {
      const fields = { tenantId: oid(input.tenantId), userId: oid(input.userId), roles: input.roles, status: 'active' };
      const { doc: membership, createdByThisRun } = await insertOnce(
        store.memberships.keyed,
        membershipKey(input.tenantId, input.userId),
        fields,
        input.run,
        (m) => ({
          step: 'membership.created',
          event: {
            tenantId: input.tenantId,
            actor: actorOf(input),
            action: 'membership.created',
            target: { type: 'membership', id: String(m._id) },
            userId: input.userId,
            after: { roles: m.roles, status: m.status },
          },
        }),
      );
      // What the member search finds it by (again on a retry: recomputed from the account, so it converges).
      await store.memberships.syncSearch({ membershipId: String(membership._id), tenantId: input.tenantId, userId: input.userId });
      return {
        membershipId: String(membership._id),
        roles: [...membership.roles],
        status: membership.status,
        createdByThisRun,
      };
    },
  };
}
