/**
 * What an admin may do to a membership (issue #15 §4): suspend, reactivate,
 * remove. Pure, so every rule is unit-tested; the offboarding workflow
 * (workflows/adminLifecycle.ts) carries out what it decides.
 */
export const LIFECYCLE_ACTIONS = ['suspend', 'reactivate', 'remove'] as const;
export type LifecycleAction = (typeof LIFECYCLE_ACTIONS)[number];

export type LifecycleRefusal = 'member_not_found' | 'last_owner';

export interface LifecycleFacts {
  /** The membership as it is, with whether its effective roles include `owner`; null when there is none. */
  member: { status: 'active' | 'suspended'; isOwner: boolean } | null;
  /** Active memberships of the tenant whose effective roles include `owner` (this one included). */
  activeOwners: number;
}

export type LifecyclePlan =
  | { kind: 'refuse'; reason: LifecycleRefusal }
  | { kind: 'unchanged' }
  /** `revokeGrants`: every grant goes (removal); `endSessions`: the person's sessions for the tenant end. */
  | { kind: 'proceed'; status: 'active' | 'suspended' | 'removed'; revokeGrants: boolean; endSessions: boolean };

export function planLifecycle(action: LifecycleAction, facts: LifecycleFacts): LifecyclePlan {
  const { member } = facts;
  if (!member) return { kind: 'refuse', reason: 'member_not_found' };
  // The last active owner cannot be taken away: nobody could administer the tenant after.
  const lastOwner = member.isOwner && member.status === 'active' && facts.activeOwners <= 1;
  switch (action) {
    case 'suspend':
      if (member.status === 'suspended') return { kind: 'unchanged' };
      if (lastOwner) return { kind: 'refuse', reason: 'last_owner' };
      // A suspension keeps the grants: reactivating gives back exactly the access the person had.
      return { kind: 'proceed', status: 'suspended', revokeGrants: false, endSessions: true };
    case 'reactivate':
      if (member.status === 'active') return { kind: 'unchanged' };
      return { kind: 'proceed', status: 'active', revokeGrants: false, endSessions: false };
    case 'remove':
      if (lastOwner) return { kind: 'refuse', reason: 'last_owner' };
      return { kind: 'proceed', status: 'removed', revokeGrants: true, endSessions: true };
  }
}
