import { membershipKey, type MembershipDoc } from '../src/store/models/membership';
import { actorOf } from '../src/domain/provisioningContext';
import { syncMemberSearch } from '../src/store/memberSearch';
import { keyedCollection } from '../src/store/keyed';
import { oid, type ActivitySupport, type RunScoped } from './support';

/** Memberships: one per tenant and account. Every activity is idempotent (see support.ts). */
export function membershipsActivities({ models, insertOnce }: ActivitySupport) {
  return {
    async ensureMembership(
      input: RunScoped & { tenantId: string; userId: string; roles: string[] },
    ): Promise<{ membershipId: string; roles: string[]; status: string; createdByThisRun: boolean }> {
      const fields = { tenantId: oid(input.tenantId), userId: oid(input.userId), roles: input.roles, status: 'active' };
      const { doc: membership, createdByThisRun } = await insertOnce<MembershipDoc>(
        keyedCollection(models.memberships),
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
      await syncMemberSearch(models, { membershipId: String(membership._id), tenantId: input.tenantId, userId: input.userId });
      return {
        membershipId: String(membership._id),
        roles: [...membership.roles],
        status: membership.status,
        createdByThisRun,
      };
    },
  };
}
