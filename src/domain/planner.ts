import type { IdentityClaim } from './claim';
import type { DenialReason } from './decision';

/** What the workflow knows about the world when it plans; loaded by one activity. */
export interface ProvisioningState {
  tenant: { id: string; jitEnabled: boolean; defaultRoles: string[] } | null;
  connection: { id: string; tenantId: string; enabled: boolean } | null;
  /** The account this identity (connection + subject) is already linked to. */
  linkedUserId: string | null;
  /** The claim's email, normalized (domain/email.ts) by the loading activity; null when unusable. */
  email: string | null;
  /** The account that holds the claim's normalized email, if any. */
  emailUserId: string | null;
  /** Membership in the tenant of the account the identity resolves to. */
  membership: { id: string; userId: string; roles: string[]; status: 'active' | 'suspended' } | null;
}

export type ProvisioningAction =
  | { kind: 'createUser'; email: string; name: string | null }
  | { kind: 'linkIdentity' }
  | { kind: 'createMembership'; roles: string[] };

export type ProvisioningPlan =
  | { kind: 'deny'; reason: DenialReason }
  | {
      kind: 'provision';
      userId: string | null;
      /** The membership that already exists (returning member), when no action creates one. */
      membership: { id: string; roles: string[] } | null;
      actions: ProvisioningAction[];
    };

/**
 * Decide what a sign-in must do. Pure: no I/O, no clock, deterministic, so
 * the workflow can call it and unit tests can cover every branch.
 */
export function planProvisioning(state: ProvisioningState, claim: IdentityClaim): ProvisioningPlan {
  const { tenant, connection } = state;
  if (!tenant) return { kind: 'deny', reason: 'tenant_not_found' };
  if (!connection || !connection.enabled || connection.tenantId !== tenant.id) {
    return { kind: 'deny', reason: 'connection_disabled' };
  }

  if (state.linkedUserId) {
    const membership = state.membership?.userId === state.linkedUserId ? state.membership : null;
    if (membership?.status === 'suspended') return { kind: 'deny', reason: 'membership_suspended' };
    if (membership) {
      return { kind: 'provision', userId: state.linkedUserId, membership: { id: membership.id, roles: membership.roles }, actions: [] };
    }
    if (!tenant.jitEnabled) return { kind: 'deny', reason: 'jit_disabled' };
    return {
      kind: 'provision',
      userId: state.linkedUserId,
      membership: null,
      actions: [{ kind: 'createMembership', roles: tenant.defaultRoles }],
    };
  }

  const email = state.email;
  if (!email) return { kind: 'deny', reason: 'email_missing' };
  // Never link silently: linking an existing account is a policy decision of its own.
  if (state.emailUserId) return { kind: 'deny', reason: 'account_exists_link_required' };
  if (!tenant.jitEnabled) return { kind: 'deny', reason: 'jit_disabled' };

  return {
    kind: 'provision',
    userId: null,
    membership: null,
    actions: [
      { kind: 'createUser', email, name: claim.name },
      { kind: 'linkIdentity' },
      { kind: 'createMembership', roles: tenant.defaultRoles },
    ],
  };
}
