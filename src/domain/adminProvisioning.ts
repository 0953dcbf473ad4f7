/**
 * The provisioning core for members an admin adds — by the API or a bulk
 * import — as planner.ts is for sign-ins: decide purely from what was
 * loaded, so the API, the import's dry run and its real run give the same
 * answer for the same world. Called only through `plan` (domain/plan.ts).
 *
 * Rules, after DESIGN.md "Linking and domains":
 * - roles must be the tenant's, groups must exist (a typo grants nothing);
 * - a domain another tenant verified is never provisioned here;
 * - an existing account (another tenant's member after an acquisition) is
 *   linked only as the tenant's link policy allows — `approval` reports the
 *   row pending, nothing is written;
 * - a new account claims its email only in a domain this tenant verified
 *   (an admin cannot squat on someone else's address; invite them instead);
 * - an existing member is left as they are.
 */
import type { Refusal } from './refusals';
import { emailDomain } from './emailParts';
import { decideLink, domainBlocked, type LinkFallback, type LinkPolicy, type LinkReason } from './linking';

/** One member to add, as the API, an import row or an invitation asks. */
export interface MemberRequest {
  email: string;
  name: string | null;
  roles: string[];
  groups: string[];
  externalId: string | null;
}

export interface AdminProvisioningState {
  tenant: {
    id: string;
    /** The tenant's roles (built-in and custom). */
    roles: string[];
    /** What a new member gets when the request names no role (the tenant's JIT default roles). */
    defaultRoles: string[];
    /** The tenant's groups among those the request names (the loader reads only those). */
    groups: string[];
    verifiedDomains: string[];
    linkPolicy: LinkPolicy;
    linkFallback: LinkFallback;
  } | null;
  /** The request's email, normalized; null when unusable. */
  email: string | null;
  /** The account that holds the email, if any. */
  emailUserId: string | null;
  /** The tenant that verified the email's domain, if any. */
  domainOwnerTenantId: string | null;
  /** The email's account's membership in this tenant. */
  membership: { id: string; status: 'active' | 'suspended' } | null;
  candidateIsPrivileged: boolean;
  candidateIsExcluded: boolean;
}

export const ROW_OUTCOMES = ['created', 'linked', 'unchanged', 'pending', 'skipped', 'failed'] as const;
export type RowOutcome = (typeof ROW_OUTCOMES)[number];

/** Why an admin's creation or import row is refused (their words and statuses: refusals.ts). */
export type AdminRefusal = Extract<
  Refusal,
  | 'tenant_not_found'
  | 'email_invalid'
  | 'unknown_role'
  | 'unknown_group'
  | 'domain_owned_by_other_tenant'
  | 'domain_not_verified'
  | 'membership_suspended'
  | 'link_refused'
>;

export type AdminPlan =
  | { outcome: 'failed'; reason: AdminRefusal; detail?: string }
  | { outcome: 'skipped'; reason: AdminRefusal; detail?: string }
  /** The link needs an admin's approval (the tenant's link policy): nothing is written. */
  | { outcome: 'pending'; reason: 'link_requires_approval'; detail: LinkReason }
  | { outcome: 'unchanged'; userId: string }
  | { outcome: 'created'; roles: string[]; groups: string[] }
  | { outcome: 'linked'; userId: string; roles: string[]; groups: string[] };

/**
 * `linkApproved`: an admin approved linking this row's existing account (an
 * import row the link policy sent to approval): a link that still only needs
 * approval is made, as a sign-in's approved link is; one the rules now
 * refuse (the policy became `deny`, another tenant's domain) stays refused.
 */
export function planAdminProvisioning(state: AdminProvisioningState, request: MemberRequest, opts: { linkApproved?: boolean } = {}): AdminPlan {
  const { tenant, email } = state;
  if (!tenant) return { outcome: 'failed', reason: 'tenant_not_found' };
  if (!email) return { outcome: 'failed', reason: 'email_invalid', detail: request.email.slice(0, 100) };
  const unknownRole = request.roles.find((r) => !tenant.roles.includes(r));
  if (unknownRole !== undefined) return { outcome: 'failed', reason: 'unknown_role', detail: unknownRole.slice(0, 100) };
  const unknownGroup = request.groups.find((g) => !tenant.groups.includes(g));
  if (unknownGroup !== undefined) return { outcome: 'failed', reason: 'unknown_group', detail: unknownGroup.slice(0, 100) };
  const domain = emailDomain(email);
  if (domainBlocked(tenant.id, state.domainOwnerTenantId)) return { outcome: 'skipped', reason: 'domain_owned_by_other_tenant', detail: domain };

  const grants = { roles: [...new Set(request.roles.length > 0 ? request.roles : tenant.defaultRoles)], groups: [...new Set(request.groups)] };
  if (!state.emailUserId) {
    if (!tenant.verifiedDomains.includes(domain)) return { outcome: 'skipped', reason: 'domain_not_verified', detail: domain };
    return { outcome: 'created', ...grants };
  }
  if (state.membership) {
    return state.membership.status === 'suspended'
      ? { outcome: 'skipped', reason: 'membership_suspended' }
      : { outcome: 'unchanged', userId: state.emailUserId };
  }
  const decision = decideLink({
    tenantId: tenant.id,
    policy: tenant.linkPolicy,
    fallback: tenant.linkFallback,
    // The address is the admin's word: the link rules decide what it is worth.
    emailVerified: true,
    emailDomain: domain,
    tenantVerifiedDomains: tenant.verifiedDomains,
    connectionAllowedDomains: null,
    domainOwnerTenantId: state.domainOwnerTenantId,
    candidateUserIds: [state.emailUserId],
    candidateIsPrivileged: state.candidateIsPrivileged,
    candidateIsExcluded: state.candidateIsExcluded,
  });
  switch (decision.kind) {
    case 'link':
      return { outcome: 'linked', userId: state.emailUserId, ...grants };
    case 'approval':
      if (opts.linkApproved === true) return { outcome: 'linked', userId: state.emailUserId, ...grants };
      return { outcome: 'pending', reason: 'link_requires_approval', detail: decision.reason };
    case 'deny':
    case 'conflict':
      return {
        outcome: 'skipped',
        reason: decision.reason === 'domain_owned_by_other_tenant' ? 'domain_owned_by_other_tenant' : 'link_refused',
        detail: decision.reason,
      };
  }
}
