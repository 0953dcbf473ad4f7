/**
 * Carrying out a lifecycle plan (the `lifecycle` intent of domain/plan.ts):
 * suspend, reactivate or remove a membership with the idempotent activities,
 * each step audited once. It is deprovisioning's one executor: the tenant's
 * lifecycle run (tenantAdminFlow.ts) calls it for an admin's change and for a
 * directory's, which reaches that run through `requestLifecycleChange`.
 * Beside it, the directory's own steps of runs from before that run
 * (`legacyDirectoryDeprovision`), kept exactly as they were so recorded
 * histories replay. Deterministic; the world only through `acts`.
 */
import type { LifecycleActivities } from '../activities/lifecycle';
import type { ProvisioningActivities } from '../activities/provisioning';
import type { LifecyclePlan, LifecycleRequester } from '../src/domain/plan';
import type { ProvisioningContext } from '../src/domain/provisioningContext';

export type LifecycleActionActivities = Pick<LifecycleActivities, 'membershipGrants' | 'recordOwnerAlert'> &
  Pick<ProvisioningActivities, 'setMembershipStatus' | 'revokeGroupGrant' | 'endTenantSessions' | 'removeMembership'>;

/** What the admin actor writes into grants' and memberships' `by`. */
const ADMIN_BY = 'admin';

/** The membership a lifecycle plan changes, and who asks. */
export interface LifecycleTarget {
  scope: ProvisioningContext;
  tenantId: string;
  userId: string;
  requester: LifecycleRequester;
}

/** Carry out a plan that proceeds; answers the membership's new status. */
export async function carryOutLifecycle(
  planned: Extract<LifecyclePlan, { kind: 'proceed' }>,
  { scope, tenantId, userId, requester }: LifecycleTarget,
  acts: LifecycleActionActivities,
  note: (d: string) => void,
): Promise<'active' | 'suspended' | 'removed'> {
  const directoryId = requester.kind === 'directory' ? scope.actor.id : null;
  const member = directoryId ? { ...scope, source: 'directory' as const, userId } : { ...scope, userId };
  const by = requester.kind === 'directory' ? requester.by : ADMIN_BY;
  if (planned.status === 'active') {
    await acts.setMembershipStatus({ ...member, status: 'active', by, override: requester.kind === 'admin' });
    note('membership_reactivated');
    return 'active';
  }
  // Suspended first in either case: a sign-in racing with the rest is refused.
  await acts.setMembershipStatus({ ...member, status: 'suspended', by });
  if (planned.revokeGrants) {
    for (const g of await acts.membershipGrants({ tenantId, userId })) {
      await acts.revokeGroupGrant({ ...member, connectionId: directoryId ?? ADMIN_BY, grant: { kind: g.kind, value: g.value, source: g.source } });
    }
  }
  if (planned.endSessions) await acts.endTenantSessions(member);
  if (planned.alert) {
    note(`alert:${planned.alert}`);
    await acts.recordOwnerAlert({ ...member, alert: planned.alert });
  }
  if (planned.status === 'removed') {
    await acts.removeMembership(directoryId ? { ...member, directoryId } : member);
    note('membership_removed');
    return 'removed';
  }
  note('membership_suspended');
  return 'suspended';
}

export type LegacyDeprovisionActivities = Pick<
  ProvisioningActivities,
  'setMembershipStatus' | 'directoryGrantsOf' | 'revokeGroupGrant' | 'endTenantSessions' | 'removeMembership'
>;

/**
 * A directory's deprovisioning as runs from before the tenant's lifecycle run
 * did it themselves (their histories replay on it; every new run goes through
 * the lifecycle run instead): suspended, the directory's grants (removal:
 * every grant) revoked, sessions ended, each audited once.
 */
export async function legacyDirectoryDeprovision(
  scope: ProvisioningContext & { connectionId: string },
  directoryId: string,
  userId: string,
  mode: 'suspend' | 'remove',
  acts: LegacyDeprovisionActivities,
  note: (d: string) => void,
): Promise<void> {
  // Suspended first in either mode: a sign-in racing with the rest is refused.
  const suspended = await acts.setMembershipStatus({ ...scope, userId, status: 'suspended', by: `directory:${directoryId}` });
  if (suspended === 'changed') note('membership_suspended');
  const grants = await acts.directoryGrantsOf({ tenantId: scope.tenantId, userId, directoryId, ...(mode === 'remove' ? { all: true } : {}) });
  for (const g of grants) await acts.revokeGroupGrant({ ...scope, userId, grant: { kind: g.kind, value: g.value, source: g.source } });
  await acts.endTenantSessions({ ...scope, userId });
  if (mode === 'remove' && (await acts.removeMembership({ ...scope, userId, directoryId })) === 'removed') note('membership_removed');
}
