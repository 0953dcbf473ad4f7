import type { IdentityClaim } from './claim';
import type { DenialReason } from './decision';
import { emailDomain } from './emailParts';
import { planAttributeSync, type AttributeAction, type AttributeSyncInput } from './attributeSync';
import { approvalTriggers, type ApprovalPolicy } from './approval';
import { applyGroupActions, effectiveAccess, planGroupSync, type Grant, type GroupSyncAction, type GroupSyncSettings } from './groups';
import { decideLink, domainBlocked, type LinkFallback, type LinkPolicy, type LinkReason } from './linking';

/** What the workflow knows about the world when it plans; loaded by one activity. */
export interface ProvisioningState {
  tenant: {
    id: string;
    jitEnabled: boolean;
    defaultRoles: string[];
    approval: ApprovalPolicy;
    /** The tenant's directory is the source of truth: sign-ins create no membership it has not pushed. */
    directoryAuthoritative?: boolean;
  } | null;
  /** `directory`: the connection is a SCIM directory (only a directory's push may come through it; see domain/plan.ts). */
  connection: { id: string; tenantId: string; enabled: boolean; directory?: boolean } | null;
  /** The account this identity (connection + subject) is already linked to. */
  linkedUserId: string | null;
  /**
   * The account a directory of this tenant pushed for this sign-in's subject,
   * by the tenant's subject rule (domain/linking.ts SubjectMatch); only for an
   * identity not linked yet.
   */
  directoryUserId?: string | null;
  /** The claim's email, normalized (domain/email.ts) by the loading activity; null when unusable. */
  email: string | null;
  /** The account that holds the claim's normalized email, if any. */
  emailUserId: string | null;
  /** Membership in the tenant of the account the identity (or, unlinked, the email) resolves to. */
  membership: { id: string; userId: string; roles: string[]; status: 'active' | 'suspended' } | null;
  /** A directory removed this account's membership and still says inactive (db/models/scimResource.ts, directory_holds). */
  directoryHold?: boolean;
  /** What linking decisions need (see domain/linking.ts). */
  linking: {
    policy: LinkPolicy;
    fallback: LinkFallback;
    tenantVerifiedDomains: string[];
    connectionAllowedDomains: string[] | null;
    /** The tenant that verified the email's domain, if any. */
    domainOwnerTenantId: string | null;
    candidateIsPrivileged: boolean;
    candidateIsExcluded: boolean;
  };
  /** Attribute sync for an existing account (ignored for a new one). */
  attributes: Omit<AttributeSyncInput, 'asserted' | 'account'> & {
    account: AttributeSyncInput['account'] | null;
    /** Mapped custom attributes as asserted (`attr:<name>` → first value). */
    assertedCustom: AttributeSyncInput['asserted'];
  };
  /** Groups and roles from the groups claim (domain/groups.ts). */
  groups: {
    settings: GroupSyncSettings;
    /** The grants of `membership` (none when there is no membership). */
    current: Grant[];
    tenantRoles: string[];
    ownerFromIdp: boolean;
    /** The tenant's groups and their roles. */
    groupRoles: Record<string, string[]>;
  };
}

export type ProvisioningAction =
  /**
   * `claimEmail: false` (the IdP did not verify the address): the account is
   * created without the address, which stays free for its real owner.
   */
  | { kind: 'createUser'; email: string; claimEmail: boolean; name: string | null; attributes: Record<string, string> }
  | { kind: 'linkIdentity' }
  | { kind: 'createMembership'; roles: string[] }
  | AttributeAction;

export type ProvisioningPlan =
  | { kind: 'deny'; reason: DenialReason; detail?: LinkReason }
  /**
   * Wait for an admin, then carry out `then`. `reasons`: the link decision's
   * reason and/or the approval policy's triggers (domain/approval.ts).
   */
  | { kind: 'approval'; reasons: string[]; expirySeconds: number; then: ProvisionPlan }
  | {
      kind: 'provision';
      /** jit: a new account; link: an existing account gains this identity; returning: nothing new about the account. */
      via: 'jit' | 'link' | 'returning';
      userId: string | null;
      /** The membership that already exists (returning member), when no action creates one. */
      membership: { id: string; roles: string[] } | null;
      actions: ProvisioningAction[];
      /** Grants and revokes from the groups claim, applied once the membership exists. */
      groupActions: GroupSyncAction[];
    };

/**
 * Who asks for an account and a membership: a person signing in through a
 * connection, or a directory pushing a User. The rules that differ by who
 * asks are named in domain/plan.ts; this module reads only this flag.
 */
export type AccountEntry = 'signIn' | 'directory';

/**
 * Decide what a sign-in (or a directory's push) must do. Pure: no I/O, no
 * clock, deterministic, so the workflow can call it and unit tests can cover
 * every branch. Called only through `plan` (domain/plan.ts).
 */
export function planProvisioning(state: ProvisioningState, claim: IdentityClaim, from: AccountEntry): ProvisioningPlan {
  const plan = planSignIn(state, claim, from);
  // The approval policy is about sign-ins; a directory is the tenant admins' own automation.
  if (plan.kind === 'deny' || !state.tenant || from === 'directory') return plan;
  const then = plan.kind === 'approval' ? plan.then : plan;
  const triggers = approvalTriggers(state.tenant.approval, plannedFacts(state, claim, then));
  const reasons = [...(plan.kind === 'approval' ? plan.reasons : []), ...triggers];
  return reasons.length > 0 ? { kind: 'approval', reasons, expirySeconds: state.tenant.approval.expirySeconds, then } : plan;
}

/** What the approval policy looks at: is this a new member, a link, a verified domain, a new privileged role? */
function plannedFacts(state: ProvisioningState, claim: IdentityClaim, plan: ProvisionPlan) {
  const { groups } = state;
  const created = plan.actions.find((a) => a.kind === 'createMembership');
  const current = plan.membership ? groups.current : [];
  const access = (directRoles: readonly string[], grants: readonly Grant[]) =>
    effectiveAccess({ directRoles, grants, groupRoles: groups.groupRoles, tenantRoles: groups.tenantRoles, ownerFromIdp: groups.ownerFromIdp }).roles;
  const domain = state.email ? emailDomain(state.email) : null;
  return {
    newMember: created !== undefined,
    link: plan.via === 'link',
    // A domain the tenant verified says nothing about an address the IdP did not verify.
    emailDomainVerified: claim.emailVerified && domain !== null && state.linking.tenantVerifiedDomains.includes(domain),
    rolesBefore: plan.membership ? access(plan.membership.roles, current) : [],
    rolesAfter: access(created?.roles ?? plan.membership?.roles ?? [], applyGroupActions(current, plan.groupActions)),
  };
}

function planSignIn(state: ProvisioningState, claim: IdentityClaim, from: AccountEntry): ProvisioningPlan {
  const { tenant, connection } = state;
  const directory = from === 'directory';
  /** Whether this request may create accounts and memberships: JIT on, or a directory's push. */
  const createsAccounts = () => tenant?.jitEnabled === true || directory;
  if (!tenant) return { kind: 'deny', reason: 'tenant_not_found' };
  // A directory pushes through its own connection only, and nobody signs in through a directory's.
  if (!connection || !connection.enabled || connection.tenantId !== tenant.id || (connection.directory === true) !== directory) {
    return { kind: 'deny', reason: 'connection_disabled' };
  }
  // A directory removed this person and has not brought them back: no sign-in re-adds them.
  // (An admin who added them back since — an active membership — decides otherwise.)
  if (state.directoryHold === true && !directory && state.membership?.status !== 'active') return { kind: 'deny', reason: 'membership_suspended' };
  // With an authoritative directory, only people it pushed (or an admin added) are members: a sign-in adds nobody.
  if (tenant.directoryAuthoritative === true && !directory && !state.membership) {
    return { kind: 'deny', reason: 'not_provisioned_by_directory' };
  }

  if (state.linkedUserId) {
    const membership = state.membership?.userId === state.linkedUserId ? state.membership : null;
    if (membership?.status === 'suspended') return { kind: 'deny', reason: 'membership_suspended' };
    if (membership) {
      return {
        kind: 'provision',
        via: 'returning',
        userId: state.linkedUserId,
        membership: { id: membership.id, roles: membership.roles },
        actions: syncActions(state, claim),
        groupActions: groupActions(state, claim, true),
      };
    }
    if (!createsAccounts()) return { kind: 'deny', reason: 'jit_disabled' };
    return {
      kind: 'provision',
      via: 'returning',
      userId: state.linkedUserId,
      membership: null,
      actions: [{ kind: 'createMembership', roles: tenant.defaultRoles }, ...syncActions(state, claim)],
      groupActions: groupActions(state, claim, false),
    };
  }

  // The tenant's rule says this subject is a person its directory pushed: their account, not the email's —
  // but never a silent link of an account privileged somewhere or excluded (the tenant's fallback decides).
  if (state.directoryUserId && !directory) {
    const membership = state.membership?.userId === state.directoryUserId ? state.membership : null;
    if (membership?.status === 'suspended') return { kind: 'deny', reason: 'membership_suspended' };
    const untrusted = state.linking.candidateIsPrivileged ? 'privileged_account' : state.linking.candidateIsExcluded ? 'excluded_account' : null;
    if (untrusted) {
      return state.linking.fallback === 'approval'
        ? { kind: 'approval', reasons: [untrusted], expirySeconds: tenant.approval.expirySeconds, then: linkPlan(state, claim, tenant, state.directoryUserId) }
        : { kind: 'deny', reason: 'link_refused', detail: untrusted };
    }
    return linkPlan(state, claim, tenant, state.directoryUserId);
  }

  const email = state.email;
  if (!email) return { kind: 'deny', reason: 'email_missing' };
  const domain = emailDomain(email);
  if (domainBlocked(tenant.id, state.linking.domainOwnerTenantId)) {
    return { kind: 'deny', reason: 'domain_owned_by_other_tenant' };
  }
  if (state.emailUserId) return planLink(state, claim, domain, state.emailUserId);
  if (!createsAccounts()) return { kind: 'deny', reason: 'jit_disabled' };

  return {
    kind: 'provision',
    via: 'jit',
    userId: null,
    membership: null,
    actions: [
      { kind: 'createUser', email, claimEmail: claim.emailVerified, name: claim.name, attributes: customValues(state) },
      { kind: 'linkIdentity' },
      { kind: 'createMembership', roles: tenant.defaultRoles },
    ],
    groupActions: groupActions(state, claim, false),
  };
}

/** An account already holds the email: link only as domain/linking.ts allows — never silently. */
function planLink(state: ProvisioningState, claim: IdentityClaim, domain: string, candidate: string): ProvisioningPlan {
  const tenant = state.tenant;
  if (!tenant) return { kind: 'deny', reason: 'tenant_not_found' };
  const decision = decideLink({
    tenantId: tenant.id,
    ...state.linking,
    emailVerified: claim.emailVerified,
    emailDomain: domain,
    candidateUserIds: [candidate],
  });
  switch (decision.kind) {
    case 'conflict':
      return { kind: 'deny', reason: 'account_conflict', detail: decision.reason };
    case 'approval':
      return { kind: 'approval', reasons: [decision.reason], expirySeconds: tenant.approval.expirySeconds, then: linkPlan(state, claim, tenant, candidate) };
    case 'deny':
      return {
        kind: 'deny',
        reason: decision.reason === 'domain_owned_by_other_tenant' ? 'domain_owned_by_other_tenant' : 'link_refused',
        detail: decision.reason,
      };
    case 'link': {
      const membership = state.membership?.userId === candidate ? state.membership : null;
      if (membership?.status === 'suspended') return { kind: 'deny', reason: 'membership_suspended' };
      return linkPlan(state, claim, tenant, candidate);
    }
  }
}

type ProvisionPlan = Extract<ProvisioningPlan, { kind: 'provision' }>;

function linkPlan(state: ProvisioningState, claim: IdentityClaim, tenant: { defaultRoles: string[] }, candidate: string): ProvisionPlan {
  const membership = state.membership?.userId === candidate ? state.membership : null;
  return {
    kind: 'provision',
    via: 'link',
    userId: candidate,
    membership: membership ? { id: membership.id, roles: membership.roles } : null,
    actions: [
      { kind: 'linkIdentity' },
      ...(membership ? [] : [{ kind: 'createMembership' as const, roles: tenant.defaultRoles }]),
      ...syncActions(state, claim),
    ],
    groupActions: groupActions(state, claim, membership !== null),
  };
}

/** Attribute updates or conflicts for an existing account (domain/attributeSync.ts). */
function syncActions(state: ProvisioningState, claim: IdentityClaim): AttributeAction[] {
  const { account, assertedCustom, ...rest } = state.attributes;
  if (!account) return [];
  // An unverified email is never a change of the account's email (it would claim the address).
  const email = claim.emailVerified ? state.email : null;
  return planAttributeSync({ ...rest, account, asserted: { name: claim.name, email, ...assertedCustom } });
}

/** Grants and revokes the groups claim asks for; a membership created by this sign-in holds no grants yet. */
function groupActions(state: ProvisioningState, claim: IdentityClaim, existingMembership: boolean): GroupSyncAction[] {
  const { settings, current, tenantRoles, ownerFromIdp, groupRoles } = state.groups;
  const connectionId = state.connection?.id ?? claim.connectionId;
  return planGroupSync({ connectionId, settings, asserted: claim.groups, current: existingMembership ? current : [], tenantRoles, ownerFromIdp, groupRoles });
}

/** The asserted custom attributes, by app name, for a new account. */
function customValues(state: ProvisioningState): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [field, value] of Object.entries(state.attributes.assertedCustom)) {
    if (value !== null && value !== undefined && field.startsWith('attr:')) out[field.slice('attr:'.length)] = value;
  }
  return out;
}
