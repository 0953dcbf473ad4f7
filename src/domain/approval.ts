/**
 * When a sign-in waits for an admin. Pure: the tenant's approval policy and
 * what the planned sign-in would do → the triggers that fired (none = go on).
 *
 * - `new-accounts`: the sign-in would make someone a new member of the tenant
 *   (a new account, or an existing account joining);
 * - `links`: it would link the identity to an account that already exists;
 * - `unverified-domain`: a new member whose email domain the tenant has not verified;
 * - `privileged-grant`: it would give the member `admin` or `owner`, which they do not hold now.
 * An empty policy (`never`) asks for nothing; the link policy can still ask (domain/linking.ts).
 */
import { PRIVILEGED_ROLES } from './roles';

export const APPROVAL_TRIGGERS = ['new-accounts', 'links', 'unverified-domain', 'privileged-grant'] as const;
export type ApprovalTrigger = (typeof APPROVAL_TRIGGERS)[number];

export const DEFAULT_APPROVAL_EXPIRY_SECONDS = 7 * 24 * 3600;
export const MAX_APPROVAL_EXPIRY_SECONDS = 90 * 24 * 3600;

export interface ApprovalPolicy {
  when: readonly ApprovalTrigger[];
  expirySeconds: number;
}

export const DEFAULT_APPROVAL_POLICY: ApprovalPolicy = { when: [], expirySeconds: DEFAULT_APPROVAL_EXPIRY_SECONDS };

export interface PlannedSignIn {
  newMember: boolean;
  link: boolean;
  emailDomainVerified: boolean;
  rolesBefore: readonly string[];
  rolesAfter: readonly string[];
}

/** The policy's triggers this sign-in fires, in the policy's order. */
export function approvalTriggers(policy: Pick<ApprovalPolicy, 'when'>, s: PlannedSignIn): ApprovalTrigger[] {
  const fired: Record<ApprovalTrigger, boolean> = {
    'new-accounts': s.newMember,
    links: s.link,
    'unverified-domain': s.newMember && !s.emailDomainVerified,
    'privileged-grant': s.rolesAfter.some((r) => PRIVILEGED_ROLES.includes(r) && !s.rolesBefore.includes(r)),
  };
  return APPROVAL_TRIGGERS.filter((t) => policy.when.includes(t) && fired[t]);
}
