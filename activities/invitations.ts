import type { InvitationFacts } from '../src/domain/invitations';
import { actorOf } from '../src/domain/provisioningContext';
import { sameRun, type RunRef } from '../src/domain/runRef';
import { oid, type ActivitySupport, type RunScoped } from './support';

/** An invitation's acceptance (workflows/invitationAcceptance.ts): its facts, and marking it accepted. Idempotent (see support.ts). */
export function invitationActivities({ store, runAudit }: ActivitySupport) {
  return {
    /** The invitation as it was before this run: one this very run accepted (its completion lost) reads as pending again. */
    async loadInvitation(input: { invitationId: string; run?: RunRef }): Promise<(InvitationFacts & { roles: string[]; groups: string[] }) | null> {
      const inv = await store.invitations.byId(input.invitationId);
      if (!inv) return null;
      const acceptedByUs = inv.status === 'accepted' && input.run !== undefined && sameRun(inv.acceptedRun, input.run);
      return {
        tenantId: String(inv.tenantId),
        email: inv.email,
        allowAnyEmail: inv.allowAnyEmail,
        status: acceptedByUs ? 'pending' : inv.status,
        expiresAt: inv.expiresAt.getTime(),
        roles: [...inv.roles],
        groups: [...inv.groups],
      };
    },

    /** Single use: the invitation becomes accepted (by this account), audited once. Its link then reads "already accepted". */
    async markInvitationAccepted(input: RunScoped & { tenantId: string; invitationId: string; userId: string; outcome: string }): Promise<void> {
      await store.invitations.markAccepted(input.invitationId, oid(input.userId), new Date(), input.run);
      await runAudit(input.run, 'invitation.accepted', {
        tenantId: input.tenantId,
        actor: actorOf(input),
        action: 'invitation.accepted',
        target: { type: 'invitation', id: input.invitationId },
        userId: input.userId,
        context: { outcome: input.outcome },
      });
    },
  };
}

export type InvitationActivities = ReturnType<typeof invitationActivities>;
