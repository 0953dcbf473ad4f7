/** Stable, documented reason codes for refused sign-ins (shown on the error page and in audits). */
export const DENIAL_REASONS = {
  tenant_not_found: 'The tenant of this connection no longer exists.',
  connection_disabled: 'This sign-in connection is disabled.',
  email_missing: 'The identity provider did not send a usable email address.',
  jit_disabled: 'This organization does not create accounts on first sign-in. Ask an administrator to invite you.',
  not_provisioned_by_directory:
    "This organization's accounts come from its directory, which has not provisioned you yet. Ask your IT administrator to assign you this application.",
  account_exists_link_required: 'An account with this email already exists. Linking it to this identity provider needs an administrator.',
  membership_suspended: 'Your membership in this organization is suspended.',
  identity_conflict: 'This identity is linked to a different account than expected. Ask an administrator.',
  domain_owned_by_other_tenant: 'Your email domain belongs to another organization; this identity provider cannot sign you in.',
  link_requires_approval: 'An account with this email already exists. An administrator must approve linking it to this identity provider.',
  link_refused: 'An account with this email already exists and this organization does not link accounts automatically.',
  account_conflict: 'Several accounts match this email. An administrator must resolve it.',
  approval_rejected: 'An administrator declined this sign-in.',
  approval_expired: 'The request for approval of this sign-in expired without a decision.',
} as const;

/** What a parked sign-in tells the person, by pending reason. */
export const PENDING_MESSAGES = {
  link_requires_approval:
    'An account with this email already exists. An administrator must approve linking it to this sign-in; sign in again once it is approved.',
  approval_required: 'An administrator of this organization must approve your access. Sign in again once it is approved.',
} as const;
export type PendingReason = keyof typeof PENDING_MESSAGES;

export type DenialReason = keyof typeof DENIAL_REASONS;

export type SignInDecision =
  | {
      status: 'active';
      userId: string;
      tenantId: string;
      membershipId: string;
      /** Effective roles in the tenant (direct, granted, and from groups; domain/groups.ts). */
      roles: string[];
      groups: string[];
      newUser: boolean;
      /** How the identity reached its account: a new account, a link to an existing one, or already linked. */
      via: 'jit' | 'link' | 'returning';
    }
  | { status: 'denied'; reason: DenialReason; message: string }
  | { status: 'pending'; reason: PendingReason; message: string; requestId: string }
  /** A step was refused for good (e.g. the database refused a document): not the person's fault, not worth retrying. */
  | { status: 'failed'; reason: 'provisioning_failed'; message: string; reference: string };

export const FAILED_MESSAGE =
  'Your sign-in could not be completed because of a problem on our side. An administrator has been notified; quote the reference below.';

export type SignInOutcome = 'Running' | 'Provisioned' | 'Linked' | 'SignedIn' | 'Denied' | 'AwaitingApproval' | 'Failed';

/** An admin's answer to a parked sign-in (sent to the run as a signal). */
export interface ApprovalVerdict {
  approve: boolean;
  by: string;
  reason: string | null;
  /** On approval: the roles the new membership gets instead of the tenant's defaults. */
  roles?: string[] | null;
}
