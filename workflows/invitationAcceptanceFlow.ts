/**
 * Accepting an invitation (issue #15 §1), after the invitee signed in
 * (through the tenant's SSO connection, or with a code sent to the invited
 * address): check the invitation against who signed in (pure
 * checkAcceptance), find their account — the identity's, else the verified
 * email's — or create it, link the identity, create the membership with the
 * invited roles and groups (grant source `invitation`), mark it accepted.
 * Deterministic: the world only through `acts`.
 */
import type { ProvisioningActivities } from '../activities/provisioning';
import type { IdentityClaim } from '../src/domain/claim';
import { checkAcceptance, type AcceptanceRefusal } from '../src/domain/invitations';
import { domainBlocked } from '../src/domain/linking';
import type { ProvisioningContext } from '../src/domain/provisioningContext';
import type { RunRef } from '../src/domain/runRef';

export type InvitationAcceptanceActivities = Pick<
  ProvisioningActivities,
  'loadInvitation' | 'loadProvisioningState' | 'loadAdminState' | 'ensureUser' | 'linkIdentity' | 'ensureMembership' | 'applyGroupGrant' | 'markInvitationAccepted' | 'recordAdminRefusal'
>;

export type AcceptanceRefusalReason = AcceptanceRefusal | 'domain_owned_by_other_tenant' | 'membership_suspended';

export type AcceptanceResult =
  | { ok: true; userId: string; tenantId: string; connectionId: string; subject: string; outcome: 'joined' | 'already_member' }
  | { ok: false; reason: AcceptanceRefusalReason };

export async function runAcceptance(invitationId: string, claim: IdentityClaim, run: RunRef, now: number, acts: InvitationAcceptanceActivities): Promise<AcceptanceResult> {
  const scope: ProvisioningContext & { connectionId: string } = {
    run,
    tenantId: claim.tenantId,
    connectionId: claim.connectionId,
    source: 'invitation',
    actor: { type: 'idp', id: claim.connectionId },
  };
  const refuse = async (reason: AcceptanceRefusalReason): Promise<AcceptanceResult> => {
    await acts.recordAdminRefusal({ ...scope, action: 'invitation.accept', target: { type: 'invitation', id: invitationId }, reason });
    return { ok: false, reason };
  };

  const inv = await acts.loadInvitation({ invitationId });
  const state = await acts.loadProvisioningState({ run, claim });
  const refusal = checkAcceptance(inv, { tenantId: claim.tenantId, email: state.email, emailVerified: claim.emailVerified }, now);
  if (refusal || !inv) return refuse(refusal ?? 'invitation_not_found');
  // The cross-tenant rule holds for invitations too: another tenant's verified domain is never provisioned here.
  if (state.email && domainBlocked(inv.tenantId, state.linking.domainOwnerTenantId)) return refuse('domain_owned_by_other_tenant');

  // Their account: the identity's, else the one holding the email they proved, else a new one.
  let userId = state.linkedUserId ?? (claim.emailVerified && state.email ? state.emailUserId : null);
  if (!userId) {
    const created = await acts.ensureUser({ ...scope, email: state.email ?? claim.email ?? '', claimEmail: claim.emailVerified, name: claim.name });
    userId = created.userId;
  }
  if (!state.linkedUserId) userId = (await acts.linkIdentity({ ...scope, subject: claim.subject, userId, protocol: claim.protocol ?? 'saml' })).userId;

  const existing = state.membership?.userId === userId ? state.membership : null;
  if (existing?.status === 'suspended') return refuse('membership_suspended');
  const admin = await acts.loadAdminState({ run, tenantId: inv.tenantId, email: state.email ?? '', groups: inv.groups });
  if (!existing) {
    const roles = inv.roles.length > 0 ? inv.roles : (admin.tenant?.defaultRoles ?? []);
    await acts.ensureMembership({ ...scope, userId, roles });
  }
  // Groups deleted since the invitation was sent are left out.
  for (const group of admin.tenant?.groups ?? []) {
    await acts.applyGroupGrant({ ...scope, userId, grant: { kind: 'group', value: group, source: 'invitation' }, createGroup: false });
  }
  const outcome = existing ? 'already_member' : 'joined';
  await acts.markInvitationAccepted({ ...scope, invitationId, userId, outcome });
  return { ok: true, userId, tenantId: inv.tenantId, connectionId: claim.connectionId, subject: claim.subject, outcome };
}
