/**
 * Whether a sign-in may be linked to an account that already holds its
 * email (mergers and acquisitions). Pure, so every rule is unit-tested.
 *
 * Rules (DESIGN.md "Linking and domains"):
 * - an email-based link only for a verified email whose domain this tenant
 *   has verified and this connection may assert;
 * - a domain verified by another tenant is never provisioned or linked here;
 * - never silently pick one of several candidate accounts;
 * - never auto-link an account holding a privileged role, or one the tenant excluded;
 * - anything short of `auto` with a trustworthy email falls back to the
 *   tenant's fallback (`approval` or `deny`), never to auto.
 */
export type LinkPolicy = 'auto' | 'approval' | 'deny';

/**
 * The tenant's rule tying an SSO subject to what its directory pushed
 * the subject equals a directory User's userName or
 * externalId → that User's account, as the tenant's admins configured it.
 */
export const SUBJECT_MATCHES = ['none', 'userName', 'externalId'] as const;
export type SubjectMatch = (typeof SUBJECT_MATCHES)[number];
export type LinkFallback = 'approval' | 'deny';

export interface LinkContext {
  tenantId: string;
  policy: LinkPolicy;
  fallback: LinkFallback;
  emailVerified: boolean;
  emailDomain: string;
  /** Domains this tenant has verified. */
  tenantVerifiedDomains: readonly string[];
  /** Domains the connection may assert; null = all of the tenant's verified domains. */
  connectionAllowedDomains: readonly string[] | null;
  /** The tenant that verified the email's domain, if any tenant did. */
  domainOwnerTenantId: string | null;
  /** Accounts that hold the email (after normalization); more than one is a conflict. */
  candidateUserIds: readonly string[];
  candidateIsPrivileged: boolean;
  candidateIsExcluded: boolean;
}

export type LinkReason =
  | 'domain_owned_by_other_tenant'
  | 'several_candidate_accounts'
  | 'email_not_verified'
  | 'domain_not_verified'
  | 'domain_not_allowed_for_connection'
  | 'privileged_account'
  | 'excluded_account'
  | 'policy_approval'
  | 'policy_deny';

export type LinkDecision =
  | { kind: 'link'; userId: string }
  | { kind: 'approval'; reason: LinkReason }
  | { kind: 'deny'; reason: LinkReason }
  | { kind: 'conflict'; reason: 'several_candidate_accounts'; userIds: string[] };

/** A domain verified by another tenant is off limits to this tenant's connections, link or JIT. */
export function domainBlocked(tenantId: string, domainOwnerTenantId: string | null): boolean {
  return domainOwnerTenantId !== null && domainOwnerTenantId !== tenantId;
}

export function decideLink(ctx: LinkContext): LinkDecision {
  if (domainBlocked(ctx.tenantId, ctx.domainOwnerTenantId)) return { kind: 'deny', reason: 'domain_owned_by_other_tenant' };
  if (ctx.candidateUserIds.length > 1) {
    return { kind: 'conflict', reason: 'several_candidate_accounts', userIds: [...ctx.candidateUserIds] };
  }
  const userId = ctx.candidateUserIds[0];
  if (!userId) throw new Error('decideLink needs a candidate account');
  if (ctx.policy === 'deny') return { kind: 'deny', reason: 'policy_deny' };
  // An email the IdP itself does not vouch for is never grounds for a link — not even one an admin approves.
  if (!ctx.emailVerified) return { kind: 'deny', reason: 'email_not_verified' };

  const untrusted = untrustedReason(ctx);
  if (ctx.policy === 'approval') return { kind: 'approval', reason: untrusted ?? 'policy_approval' };
  if (untrusted) return fallback(ctx, untrusted);
  if (ctx.candidateIsPrivileged) return fallback(ctx, 'privileged_account');
  if (ctx.candidateIsExcluded) return fallback(ctx, 'excluded_account');
  return { kind: 'link', userId };
}

function untrustedReason(ctx: LinkContext): LinkReason | null {
  if (!ctx.emailVerified) return 'email_not_verified';
  if (!ctx.tenantVerifiedDomains.includes(ctx.emailDomain)) return 'domain_not_verified';
  if (ctx.connectionAllowedDomains && !ctx.connectionAllowedDomains.includes(ctx.emailDomain)) {
    return 'domain_not_allowed_for_connection';
  }
  return null;
}

function fallback(ctx: LinkContext, reason: LinkReason): LinkDecision {
  return ctx.fallback === 'approval' ? { kind: 'approval', reason } : { kind: 'deny', reason };
}
