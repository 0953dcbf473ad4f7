/**
 * The one planner: `plan(world, intent)`. Every entry point — a sign-in
 * through a connection, a directory's push, an accepted invitation, the admin
 * API, an import row (and its approval), a lifecycle change by an admin or a
 * directory — builds an intent saying who asks and what, loads the world the
 * intent reads, and plans here. What differs by who asks is written once,
 * below, as that intent's rule; the steps it runs are the pure planners of
 * planner.ts (accounts and memberships), adminProvisioning.ts (members an
 * admin adds) and memberLifecycle.ts (suspend, reactivate, remove), which
 * nothing outside src/domain calls. Pure: no I/O, no clock.
 */
import { type AdminPlan, type AdminProvisioningState, type MemberRequest, planAdminProvisioning } from './adminProvisioning';
import type { IdentityClaim } from './claim';
import { emailDomain } from './emailParts';
import { type LifecycleAction, type LifecycleFacts, type LifecyclePlan, type LifecycleRequester, planLifecycle } from './memberLifecycle';
import { planProvisioning, type ProvisioningPlan, type ProvisioningState } from './planner';

export type { AdminPlan, AdminProvisioningState, MemberRequest, RowOutcome } from './adminProvisioning';
export type { LifecycleAction, LifecycleFacts, LifecyclePlan, LifecycleRefusal, LifecycleRequester } from './memberLifecycle';
export type { ProvisioningPlan, ProvisioningState } from './planner';

/** Who asks, and what. */
export type Intent = SignInIntent | DirectoryIntent | InvitationIntent | AdminCreateIntent | ImportRowIntent | LifecycleIntent;

/** A person signs in through one of the tenant's connections (SAML, OIDC, email code): join, link or come back. */
export interface SignInIntent {
  kind: 'signIn';
  claim: IdentityClaim;
}
/** A directory (SCIM) pushes an active User: join, link, come back or be reactivated. */
export interface DirectoryIntent {
  kind: 'directory';
  claim: IdentityClaim;
}
/** A person accepts an invitation after a verified sign-in (`claim`): join with the invited roles. */
export interface InvitationIntent {
  kind: 'invitation';
  claim: IdentityClaim;
  /** The address the invitation names (normalized). */
  invitedEmail: string;
  /** The invited roles; empty: the tenant's default roles. */
  roles: string[];
}
/** An admin adds a member by the API. */
export interface AdminCreateIntent {
  kind: 'adminCreate';
  request: MemberRequest;
}
/** A row of a bulk import (or its dry run); `linkApproved`: an admin approved the row's link (the import approval run). */
export interface ImportRowIntent {
  kind: 'importRow';
  request: MemberRequest;
  linkApproved?: boolean;
}
/** Suspend, reactivate or remove a membership, asked by an admin (API, console, CLI) or a directory. */
export interface LifecycleIntent {
  kind: 'lifecycle';
  action: LifecycleAction;
  by: LifecycleRequester;
}

/**
 * A directory's plan: a provision plan also says whether the membership the
 * directory pushes active was suspended, so the flow reactivates it (by the
 * lifecycle rule) once the plan ran.
 */
export type DirectoryPlan = Exclude<ProvisioningPlan, { kind: 'provision' }> | (Extract<ProvisioningPlan, { kind: 'provision' }> & { reactivate: boolean });

/** What each intent reads (one loader each) and what its plan is. */
interface Planned {
  signIn: { intent: SignInIntent; world: ProvisioningState; plan: ProvisioningPlan };
  directory: { intent: DirectoryIntent; world: ProvisioningState; plan: DirectoryPlan };
  invitation: { intent: InvitationIntent; world: ProvisioningState; plan: ProvisioningPlan };
  adminCreate: { intent: AdminCreateIntent; world: AdminProvisioningState; plan: AdminPlan };
  importRow: { intent: ImportRowIntent; world: AdminProvisioningState; plan: AdminPlan };
  lifecycle: { intent: LifecycleIntent; world: LifecycleFacts; plan: LifecyclePlan };
}
export type IntentKind = keyof Planned;
/** The world an intent is planned against: a sign-in's state, an admin's member state, or a membership's lifecycle facts. */
export type WorldFor<K extends IntentKind> = Planned[K]['world'];
export type PlanFor<K extends IntentKind> = Planned[K]['plan'];
export type World = WorldFor<IntentKind>;
/** The intent of kind `K` (its `kind` typed as `K`, so the table below is indexed without a cast). */
export type IntentOf<K extends IntentKind> = Planned[K]['intent'] & { kind: K };

const PLANNERS: { [K in IntentKind]: (world: WorldFor<K>, intent: Planned[K]['intent']) => PlanFor<K> } = {
  // A sign-in: JIT, the tenant's approval policy, a directory's hold and an authoritative directory all apply.
  signIn: (world, { claim }) => planProvisioning(world, claim, 'signIn'),

  // A directory's push creates accounts whatever the tenant's JIT setting, asks no approval (the directory is the
  // tenant admins' own automation), and is held by neither a hold nor an authoritative directory (it is that directory).
  // A suspended membership the directory pushes active is reactivated: it is planned as if active, and the plan says
  // so (`reactivate`); the lifecycle rule then restores only a suspension the directory made itself.
  directory: (world, { claim }) => {
    const suspended = world.membership?.status === 'suspended' ? world.membership : null;
    const planned = planProvisioning(suspended ? { ...world, membership: { ...suspended, status: 'active' } } : world, claim, 'directory');
    return planned.kind === 'provision' ? { ...planned, reactivate: suspended !== null } : planned;
  },

  // An accepted invitation is a join the admin already approved, with the address proven (see `asAccepted`); the new
  // membership gets the invited roles.
  invitation: (world, intent) => {
    const planned = planProvisioning(asAccepted(world, intent), intent.claim, 'signIn');
    if (planned.kind !== 'provision' || intent.roles.length === 0) return planned;
    return { ...planned, actions: planned.actions.map((a) => (a.kind === 'createMembership' ? { ...a, roles: intent.roles } : a)) };
  },

  // The admin API: the admin's word, within the tenant's link policy and verified domains.
  adminCreate: (world, { request }) => planAdminProvisioning(world, request),

  // An import row: as the admin API; a link the policy sent to approval is made once an admin approved it
  // (`linkApproved`), while one the rules now refuse stays refused.
  importRow: (world, { request, linkApproved }) => planAdminProvisioning(world, request, { linkApproved: linkApproved === true }),

  // A lifecycle change has one meaning whoever asks, but for the last active owner (an admin is refused, a directory
  // proceeds with an alert) and reactivation (a directory restores only its own suspension): memberLifecycle.ts.
  lifecycle: (world, { action, by }) => planLifecycle(action, world, by),
};

/**
 * The world as an accepted invitation lets the sign-in rules see it: the
 * invitation is the admin's yes (JIT on, no authoritative directory, no
 * approval asked) — and, for the very address it names, the admin's approval
 * of linking that address's account (a link policy of `deny` still refuses;
 * verified domains, privileged and excluded accounts still go to the tenant's
 * fallback). Another address (an invitation any address may accept) keeps the
 * tenant's approval triggers but the one for new accounts. A code-proven
 * address (an email sign-in) counts as a verified domain for linking its own
 * account; a privileged or excluded account still goes to the fallback (a
 * mailbox can change hands). A directory's hold and another tenant's domain
 * still refuse.
 */
function asAccepted(state: ProvisioningState, { claim, invitedEmail }: InvitationIntent): ProvisioningState {
  const named = state.email === invitedEmail;
  const when = named ? [] : (state.tenant?.approval.when ?? []).filter((t) => t !== 'new-accounts');
  const tenant = state.tenant ? { ...state.tenant, jitEnabled: true, directoryAuthoritative: false, approval: { ...state.tenant.approval, when } } : null;
  const policy = named && state.linking.policy === 'approval' ? 'auto' : state.linking.policy;
  if (claim.protocol !== 'email' || !state.email) return { ...state, tenant, linking: { ...state.linking, policy } };
  return {
    ...state,
    tenant,
    linking: {
      ...state.linking,
      policy,
      tenantVerifiedDomains: [...state.linking.tenantVerifiedDomains, emailDomain(state.email)],
      connectionAllowedDomains: null,
    },
  };
}

/** Plan what `intent` asks against `world` (loaded for that intent). */
export function plan(world: ProvisioningState, intent: SignInIntent): ProvisioningPlan;
export function plan(world: ProvisioningState, intent: DirectoryIntent): DirectoryPlan;
export function plan(world: ProvisioningState, intent: InvitationIntent): ProvisioningPlan;
export function plan(world: AdminProvisioningState, intent: AdminCreateIntent | ImportRowIntent): AdminPlan;
export function plan(world: LifecycleFacts, intent: LifecycleIntent): LifecyclePlan;
export function plan<K extends IntentKind>(world: WorldFor<K>, intent: IntentOf<K>): PlanFor<K>;
export function plan<K extends IntentKind>(world: WorldFor<K>, intent: IntentOf<K>): PlanFor<K> {
  const kind: K = intent.kind;
  return PLANNERS[kind](world, intent);
}
