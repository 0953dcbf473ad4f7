/**
 * Every reason the provisioning core refuses a change, whoever asked for it
 * (a sign-in through a connection, a directory, an invitation, the admin API,
 * an import, the console or the CLI): one vocabulary. Each refusal has one
 * HTTP status (the error-code catalogue, src/errorCodes.ts, takes it from
 * here), the sentence the person signing in reads, and the sentence an
 * admin's caller reads (the API error's message). A path refuses with a
 * subset of these (its type says which), never with a word of its own.
 */
export interface RefusalInfo {
  status: number;
  /** What the person reads on the refusal page (a sign-in or an invitation's acceptance). */
  person: string;
  /** What an admin API caller reads; `detail` is the rule's detail, already in parentheses (or empty). */
  admin: (detail: string) => string;
  /** The admin API's error code when it is not the refusal's own (kept as published). */
  apiCode?: 'not_found' | 'domain_verified_by_other_tenant';
}

const refusal = (status: number, person: string, admin: (detail: string) => string = () => person, apiCode?: RefusalInfo['apiCode']): RefusalInfo => ({
  status,
  person,
  admin,
  ...(apiCode ? { apiCode } : {}),
});

export const REFUSALS = {
  // Who may join, and how an identity reaches its account
  tenant_not_found: refusal(403, 'The tenant of this connection no longer exists.', () => 'The tenant does not exist.'),
  connection_disabled: refusal(403, 'This sign-in connection is disabled.'),
  email_missing: refusal(403, 'The identity provider did not send a usable email address.'),
  jit_disabled: refusal(403, 'This organization does not create accounts on first sign-in. Ask an administrator to invite you.'),
  not_provisioned_by_directory: refusal(
    403,
    "This organization's accounts come from its directory, which has not provisioned you yet. Ask your IT administrator to assign you this application.",
  ),
  account_exists_link_required: refusal(403, 'An account with this email already exists. Linking it to this identity provider needs an administrator.'),
  membership_suspended: refusal(
    409,
    'Your membership in this organization is suspended.',
    () => 'This person is a suspended member of the tenant: reactivate them instead.',
  ),
  identity_conflict: refusal(403, 'This identity is linked to a different account than expected. Ask an administrator.'),
  domain_owned_by_other_tenant: refusal(
    403,
    'Your email domain belongs to another organization; this identity provider cannot sign you in.',
    (d) => `The email's domain${d} is verified by another organization.`,
    'domain_verified_by_other_tenant',
  ),
  link_requires_approval: refusal(
    409,
    'An account with this email already exists. An administrator must approve linking it to this identity provider.',
    (d) => `An account with this email exists; this tenant's link policy asks an administrator to approve linking it${d}.`,
  ),
  link_refused: refusal(
    409,
    'An account with this email already exists and this organization does not link accounts automatically.',
    (d) => `An account with this email exists and this tenant's link policy does not link it${d}.`,
  ),
  account_conflict: refusal(403, 'Several accounts match this email. An administrator must resolve it.'),
  approval_rejected: refusal(403, 'An administrator declined this sign-in.'),
  approval_expired: refusal(403, 'The request for approval of this sign-in expired without a decision.'),
  // Invitations
  invitation_not_found: refusal(404, 'This invitation link is not valid (it may have been resent or withdrawn). Ask the person who invited you for a new one.'),
  invitation_revoked: refusal(410, 'This invitation was withdrawn. Ask the person who invited you for a new one.'),
  invitation_expired: refusal(410, 'This invitation has expired. Ask the person who invited you to send it again.'),
  invitation_used: refusal(409, 'This invitation was already accepted. Sign in as usual.'),
  invitation_wrong_tenant: refusal(403, 'You signed in to another organization than the one that invited you.'),
  email_not_verified: refusal(403, 'Your sign-in did not prove your email address, so the invitation cannot be matched to you.'),
  invitation_wrong_account: refusal(403, 'You signed in with another email address than the one invited. Sign in as the invited person.'),
  // What an admin asked for
  email_invalid: refusal(400, 'The email address is not usable.', (d) => `Not a usable email address${d}.`),
  unknown_role: refusal(422, 'The tenant has no such role.', (d) => `The tenant has no role${d}.`),
  unknown_group: refusal(422, 'The tenant has no such group.', (d) => `The tenant has no group${d}.`),
  domain_not_verified: refusal(
    422,
    "The organization has not verified your email's domain.",
    (d) => `The tenant has not verified the email's domain${d}: invite the person instead, so they prove the address.`,
  ),
  // Lifecycle
  member_not_found: refusal(404, 'You are not a member of this organization.', () => 'This person is not a member of the tenant.', 'not_found'),
  group_not_found: refusal(404, 'The organization has no such group.', () => 'The tenant has no group of that name.', 'not_found'),
  last_owner: refusal(
    409,
    'You are the last active owner of this organization.',
    () => 'This is the last active owner of the tenant: make someone else an owner first.',
  ),
  // Anyone
  concurrent_change: refusal(409, 'Your account changed while this was being done. Try again.', () => 'The member changed while being created; read it again.'),
} as const satisfies Record<string, RefusalInfo>;

export type Refusal = keyof typeof REFUSALS;

export const isRefusal = (code: string): code is Refusal => Object.hasOwn(REFUSALS, code);

/** What the person reads for a refusal. */
export const refusalMessage = (reason: Refusal): string => REFUSALS[reason].person;

/** What an admin's caller reads for a refusal, with the rule's detail when there is one. */
export const adminRefusalMessage = (reason: Refusal, detail?: string | null): string => REFUSALS[reason].admin(detail ? ` (${detail})` : '');
