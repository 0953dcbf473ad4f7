import type { Refusal } from './refusals';

/** The refusals a sign-in can end in (their words and statuses: refusals.ts). */
export type DenialReason = Extract<
  Refusal,
  | 'tenant_not_found'
  | 'connection_disabled'
  | 'email_missing'
  | 'jit_disabled'
  | 'not_provisioned_by_directory'
  | 'account_exists_link_required'
  | 'membership_suspended'
  | 'identity_conflict'
  | 'domain_owned_by_other_tenant'
  | 'link_requires_approval'
  | 'link_refused'
  | 'account_conflict'
  | 'approval_rejected'
  | 'approval_expired'
>;

/** What a parked sign-in tells the person, by pending reason. */
export const PENDING_MESSAGES = {
  link_requires_approval:
    'An account with this email already exists. An administrator must approve linking it to this sign-in; sign in again once it is approved.',
  approval_required: 'An administrator of this organization must approve your access. Sign in again once it is approved.',
} as const;
export type PendingReason = keyof typeof PENDING_MESSAGES;

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
