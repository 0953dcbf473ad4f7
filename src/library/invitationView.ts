import type { InvitationRow } from '../store/invitations';
import { invitationStatus, type InvitationStatus } from '../domain/invitations';

/** An invitation as the admin API, the console and the invitee's pages show it. */
export interface InvitationView {
  id: string;
  email: string;
  roles: string[];
  groups: string[];
  allowAnyEmail: boolean;
  status: InvitationStatus;
  expiresAt: Date;
  sentCount: number;
  acceptedBy: string | null;
  acceptedAt: Date | null;
  createdAt: Date;
}

export const presentInvitation = (inv: InvitationRow, now = Date.now()): InvitationView => ({
  id: inv._id,
  email: inv.email,
  roles: [...inv.roles],
  groups: [...inv.groups],
  allowAnyEmail: inv.allowAnyEmail,
  status: invitationStatus({ status: inv.status, expiresAt: inv.expiresAt.getTime() }, now),
  expiresAt: inv.expiresAt,
  sentCount: inv.sentCount,
  acceptedBy: inv.acceptedBy ? String(inv.acceptedBy) : null,
  acceptedAt: inv.acceptedAt ?? null,
  createdAt: inv.createdAt,
});
