/**
 * Accepting an invitation, after the invitee signed in
 * (through the tenant's SSO connection, or with a code sent to the invited
 * address): check the invitation against who signed in (pure
 * checkAcceptance), then plan the invitation's intent (domain/plan.ts: the
 * sign-in rules — link policy, verified domains, privileged and excluded
 * accounts, the cross-tenant rule, a directory's hold — for a join the admin
 * already approved, the address proven). The membership gets the invited
 * roles; the invited groups are granted (source `invitation`).
 * Deterministic: the world only through `acts`.
 */
import type { ProvisioningActivities } from '../activities/provisioning';
import type { IdentityClaim } from '../src/domain/claim';
import type { DenialReason } from '../src/domain/decision';
import { checkAcceptance, type AcceptanceRefusal } from '../src/domain/invitations';
import { plan } from '../src/domain/plan';
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
    const planned = plan(state, { kind: 'invitation', claim, invitedEmail: inv.email, roles: inv.roles });
    if (planned.kind === 'deny') return refuse(planned.reason, planned.reason === 'link_refused' ? (planned.detail ?? null) : null);
    if (planned.kind === 'approval') return refuse('link_requires_approval');
    try {
      const done = await carryOutAccountActions(planned, claim, scope, acts, note);
      // Groups deleted since the invitation was sent are left out.
      const admin = await acts.loadAdminState({ run, tenantId: inv.tenantId, email: state.email ?? '', groups: inv.groups });
      for (const group of admin.tenant?.groups ?? []) {
        await acts.applyGroupGrant({ ...scope, userId: done.userId, grant: { kind: 'group', value: group, source: 'invitation' }, createGroup: false });
      }
      const outcome = planned.membership ? 'already_member' : 'joined';
      await acts.markInvitationAccepted({ ...scope, invitationId, userId: done.userId, outcome });
      return { ok: true, userId: done.userId, tenantId: inv.tenantId, connectionId: claim.connectionId, subject: claim.subject, outcome };
    } catch (err) {
      if (!(err instanceof StalePlan)) throw err;
      // The world kept moving under the plan (concurrent sign-ins of this person): refused, not retried forever.
      if (attempt >= MAX_PLANS) return refuse('concurrent_change');
    }
  }
}
