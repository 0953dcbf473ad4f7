/**
 * Accepting an invitation, after the invitee signed in
 * (through the tenant's SSO connection, or with a code sent to the invited
 * address): check the invitation against who signed in (pure
 * checkAcceptance), then plan with the sign-in planner itself — so the link
 * rules (link policy, verified domains, privileged and excluded accounts),
 * the cross-tenant rule and a directory's hold all apply — as if JIT were on
 * and no approval asked (the admin's invitation is both). A code proves the
 * address: for it the email's account is the person's. The membership gets
 * the invited roles; the invited groups are granted (source `invitation`).
 * Deterministic: the world only through `acts`.
 */
import type { ProvisioningActivities } from '../activities/provisioning';
import type { IdentityClaim } from '../src/domain/claim';
import type { DenialReason } from '../src/domain/decision';
import { emailDomain } from '../src/domain/emailParts';
import { checkAcceptance, type AcceptanceRefusal } from '../src/domain/invitations';
import { planProvisioning, type ProvisioningState } from '../src/domain/planner';
import type { ProvisioningContext } from '../src/domain/provisioningContext';
import type { RunRef } from '../src/domain/runRef';
import { carryOutAccountActions, StalePlan, type AccountActivities } from './accountActions';

export type InvitationAcceptanceActivities = AccountActivities &
  Pick<
    ProvisioningActivities,
    'loadInvitation' | 'loadProvisioningState' | 'loadAdminState' | 'applyGroupGrant' | 'markInvitationAccepted' | 'recordAdminRefusal'
  >;

export type AcceptanceRefusalReason = AcceptanceRefusal | DenialReason | 'link_requires_approval' | 'concurrent_change';

export type AcceptanceResult =
  | { ok: true; userId: string; tenantId: string; connectionId: string; subject: string; outcome: 'joined' | 'already_member' }
  | { ok: false; reason: AcceptanceRefusalReason };

const MAX_PLANS = 3;

/**
 * The world as the invitation lets the planner see it: the invitation is the
 * admin's yes (JIT on, no approval asked) — and, for the very address it
 * names, the admin's approval of linking that address's account (a link
 * policy of `deny` still refuses; verified domains, privileged and excluded
 * accounts still go to the tenant's fallback). Another address (an invitation
 * any address may accept) keeps the tenant's approval triggers but the one for
 * new accounts. A code-proven address counts as a verified domain for linking
 * its own account; a privileged or excluded account still goes to the fallback
 * (a mailbox can change hands).
 */
export function invitationState(state: ProvisioningState, claim: IdentityClaim, invitedEmail: string): ProvisioningState {
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

export async function runAcceptance(
  invitationId: string,
  claim: IdentityClaim,
  run: RunRef,
  now: number,
  acts: InvitationAcceptanceActivities,
): Promise<AcceptanceResult> {
  const scope: ProvisioningContext & { connectionId: string } = {
    run,
    tenantId: claim.tenantId,
    connectionId: claim.connectionId,
    source: 'invitation',
    actor: { type: 'idp', id: claim.connectionId },
  };
  const refuse = async (reason: AcceptanceRefusalReason, detail: string | null = null): Promise<AcceptanceResult> => {
    await acts.recordAdminRefusal({ ...scope, action: 'invitation.accept', target: { type: 'invitation', id: invitationId }, reason, detail });
    return { ok: false, reason };
  };
  const note = () => undefined;

  const inv = await acts.loadInvitation({ invitationId, run });
  for (let attempt = 1; ; attempt++) {
    const state = await acts.loadProvisioningState({ run, claim });
    const refusal = checkAcceptance(inv, { tenantId: claim.tenantId, email: state.email, emailVerified: claim.emailVerified }, now);
    if (refusal || !inv) return refuse(refusal ?? 'invitation_not_found');
    const plan = planProvisioning(invitationState(state, claim, inv.email), claim);
    if (plan.kind === 'deny') return refuse(plan.reason, plan.reason === 'link_refused' ? (plan.detail ?? null) : null);
    if (plan.kind === 'approval') return refuse('link_requires_approval');
    const invitedRoles = inv.roles.length > 0 ? inv.roles : null;
    const actions = plan.actions.map((a) => (a.kind === 'createMembership' && invitedRoles ? { ...a, roles: invitedRoles } : a));
    try {
      const done = await carryOutAccountActions({ ...plan, actions }, claim, scope, acts, note);
      // Groups deleted since the invitation was sent are left out.
      const admin = await acts.loadAdminState({ run, tenantId: inv.tenantId, email: state.email ?? '', groups: inv.groups });
      for (const group of admin.tenant?.groups ?? []) {
        await acts.applyGroupGrant({ ...scope, userId: done.userId, grant: { kind: 'group', value: group, source: 'invitation' }, createGroup: false });
      }
      const outcome = plan.membership ? 'already_member' : 'joined';
      await acts.markInvitationAccepted({ ...scope, invitationId, userId: done.userId, outcome });
      return { ok: true, userId: done.userId, tenantId: inv.tenantId, connectionId: claim.connectionId, subject: claim.subject, outcome };
    } catch (err) {
      if (!(err instanceof StalePlan)) throw err;
      // The world kept moving under the plan (concurrent sign-ins of this person): refused, not retried forever.
      if (attempt >= MAX_PLANS) return refuse('concurrent_change');
    }
  }
}
