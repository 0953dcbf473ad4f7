/**
 * Invitations: what status one is in, and whether a signed-in
 * person may accept it. Pure: the acceptance workflow and the pages call it
 * with the time they read.
 */
import type { Refusal } from './refusals';

export type InvitationStatus = 'pending' | 'accepted' | 'revoked' | 'expired';

/** The default life of an invitation (a tenant may set its own). */
export const DEFAULT_INVITATION_EXPIRY_SECONDS = 7 * 24 * 3600;

export interface InvitationFacts {
  tenantId: string;
  email: string;
  allowAnyEmail: boolean;
  status: 'pending' | 'accepted' | 'revoked';
  expiresAt: number;
}

export function invitationStatus(inv: Pick<InvitationFacts, 'status' | 'expiresAt'>, now: number): InvitationStatus {
  return inv.status === 'pending' && inv.expiresAt <= now ? 'expired' : inv.status;
}

/** Why an invitation cannot be accepted (their words and statuses: refusals.ts). */
export type AcceptanceRefusal = Extract<
  Refusal,
  | 'invitation_not_found'
  | 'invitation_revoked'
  | 'invitation_expired'
  | 'invitation_used'
  | 'invitation_wrong_tenant'
  | 'email_not_verified'
  | 'invitation_wrong_account'
>;

/** What the signed-in identity says about the person accepting. */
export interface AcceptingIdentity {
  tenantId: string;
  /** Normalized, or null when the sign-in carried none. */
  email: string | null;
  emailVerified: boolean;
}

/**
 * May this person accept? Only a pending, unexpired invitation of the
 * tenant they signed in to, and only with the invited address verified by
 * the sign-in — a forwarded link is no use to anyone else — unless the admin
 * allowed any address.
 */
export function checkAcceptance(inv: InvitationFacts | null, who: AcceptingIdentity, now: number): AcceptanceRefusal | null {
  if (!inv) return 'invitation_not_found';
  const status = invitationStatus(inv, now);
  if (status === 'revoked') return 'invitation_revoked';
  if (status === 'expired') return 'invitation_expired';
  if (status === 'accepted') return 'invitation_used';
  if (who.tenantId !== inv.tenantId) return 'invitation_wrong_tenant';
  if (inv.allowAnyEmail) return null;
  if (!who.emailVerified || who.email === null) return 'email_not_verified';
  return who.email === inv.email ? null : 'invitation_wrong_account';
}
