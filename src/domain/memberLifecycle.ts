/**
 * What a lifecycle change does to a membership — suspend, reactivate, remove —
 * whoever asks: an admin (API, console, CLI) or a directory (SCIM `active`,
 * DELETE). Pure, so every rule is unit-tested; the tenant's lifecycle run
 * (workflows/tenantAdminFlow.ts) carries out what it decides, for every
 * requester, one change at a time.
 *
 * The rules:
 * - a suspension keeps the member's grants (reactivating gives back exactly
 *   the access the person had) and ends their sessions for the tenant;
 * - a removal revokes every grant, whatever its source, and ends sessions;
 * - a directory restores only a suspension it made itself; an admin restores any;
 * - the last active owner: an admin is refused (`last_owner`); a directory —
 *   the customer's source of record for who still works there — proceeds, and
 *   the tenant is alerted (`tenant.no_active_owner`) so someone is made owner.
 */
import type { Refusal } from './refusals';

export const LIFECYCLE_ACTIONS = ['suspend', 'reactivate', 'remove'] as const;
export type LifecycleAction = (typeof LIFECYCLE_ACTIONS)[number];

/** Why a lifecycle change is refused (their words and statuses: refusals.ts). */
export type LifecycleRefusal = Extract<Refusal, 'member_not_found' | 'last_owner'>;

/** Who asks: an admin, or a directory (`by` = `directory:<id>`, what the membership records as its suspender). */
export type LifecycleRequester = { kind: 'admin' } | { kind: 'directory'; by: string };

export interface LifecycleFacts {
  /** The membership as it is, with whether its effective roles include `owner` and who suspended it; null when there is none. */
  member: { status: 'active' | 'suspended'; isOwner: boolean; suspendedBy?: string | null } | null;
  /** Active memberships of the tenant whose effective roles include `owner` (this one included). */
  activeOwners: number;
}

export type LifecyclePlan =
  | { kind: 'refuse'; reason: LifecycleRefusal }
  /** Nothing to do; `reason` when it is not simply "already so". */
  | { kind: 'unchanged'; reason?: 'suspended_by_other' }
  /**
   * `revokeGrants`: every grant goes (removal); `endSessions`: the person's
   * sessions for the tenant end; `alert`: the change leaves the tenant without
   * an active owner.
   */
  | { kind: 'proceed'; status: 'active' | 'suspended' | 'removed'; revokeGrants: boolean; endSessions: boolean; alert?: 'tenant.no_active_owner' };

const ADMIN: LifecycleRequester = { kind: 'admin' };

export function planLifecycle(action: LifecycleAction, facts: LifecycleFacts, requester: LifecycleRequester = ADMIN): LifecyclePlan {
  const { member } = facts;
  if (!member) return { kind: 'refuse', reason: 'member_not_found' };
  // The last active owner: nobody could administer the tenant after.
  const lastOwner = member.isOwner && member.status === 'active' && facts.activeOwners <= 1;
  const takeAway = (status: 'suspended' | 'removed'): LifecyclePlan => {
    const plan = { kind: 'proceed' as const, status, revokeGrants: status === 'removed', endSessions: true };
    if (!lastOwner) return plan;
    return requester.kind === 'admin' ? { kind: 'refuse', reason: 'last_owner' } : { ...plan, alert: 'tenant.no_active_owner' };
  };
  switch (action) {
    case 'suspend':
      if (member.status === 'suspended') return { kind: 'unchanged' };
      return takeAway('suspended');
    case 'reactivate':
      if (member.status === 'active') return { kind: 'unchanged' };
      if (requester.kind === 'directory' && member.suspendedBy !== requester.by) return { kind: 'unchanged', reason: 'suspended_by_other' };
      return { kind: 'proceed', status: 'active', revokeGrants: false, endSessions: false };
    case 'remove':
      return takeAway('removed');
  }
}
