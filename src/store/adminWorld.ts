import { Types } from 'mongoose';
import type { AdminProvisioningState } from '../domain/adminProvisioning';
import { emailDomain, normalizeEmail } from '../domain/email';
import { tenantRoles } from '../domain/groups';
import { sameRun, type RunRef } from '../domain/runRef';
import { groupKey } from './groups';
import type { Store } from './store';

/**
 * Reads many rows of one batch share (the tenant, a domain's owner, a
 * group), each made once per batch (activities/importBatch.ts); a lone
 * request reads them itself. A read must be a real promise (an `async`
 * function): a mongoose query awaited a second time would run again, and refuses.
 */
export type SharedReads = <T>(key: string, read: () => Promise<T>) => Promise<T>;
const unshared: SharedReads = (_key, read) => read();

/** What an admin's request is planned for: the run (its own writes are left out), the tenant, the email, the groups named. */
export interface AdminStateAsk {
  run: RunRef;
  tenantId: string;
  email: string;
  groups?: string[];
}

/**
 * The world an admin's request (API, import row and its dry run, invitation)
 * is planned against (src/domain/adminProvisioning.ts), as it was before this
 * run (documents the run itself wrote are left out, so a retried row plans as
 * the first time did): keyed reads by the tenant, the email, its domain and the membership.
 */
export async function loadAdminWorld(
  store: Store,
  { run, tenantId, email: raw, groups: asked = [] }: AdminStateAsk,
  shared: SharedReads = unshared,
): Promise<AdminProvisioningState> {
  const notOurs = <T extends { createdBy?: RunRef | null }>(doc: T | null): T | null => (doc && !sameRun(doc.createdBy, run) ? doc : null);
  const email = normalizeEmail(raw);
  const [tenant, emailClaimDoc, domainOwner] = await Promise.all([
    Types.ObjectId.isValid(tenantId) ? shared(`tenant:${tenantId}`, async () => store.tenants.byId(tenantId)) : null,
    email ? store.users.emailClaim(email) : null,
    email ? shared(`owner:${emailDomain(email)}`, async () => store.domains.ownerOf(emailDomain(email))) : null,
  ]);
  const emailClaim = notOurs(emailClaimDoc);
  const userId = emailClaim ? String(emailClaim.userId) : null;
  const [membershipDoc, groups] = await Promise.all([
    userId && tenant ? store.memberships.byKey(tenantId, userId) : null,
    // Only the groups the request names, by key (a scan of the tenant's groups per row would not scale).
    tenant ? Promise.all([...new Set(asked)].map((g) => shared(`group:${groupKey(tenantId, g)}`, async () => store.groups.nameByKey(tenantId, g)))) : [],
  ]);
  const membership = notOurs(membershipDoc);
  // Privileged anywhere by effective roles (a scan by userId): only for a link candidate.
  const candidateIsPrivileged = userId && !membership ? await store.access.privilegedAnywhere(userId) : false;
  return {
    tenant: tenant
      ? {
          id: String(tenant._id),
          roles: tenantRoles(tenant.roles?.custom ?? []),
          defaultRoles: [...(tenant.jit?.defaultRoles ?? [])],
          groups: groups.flatMap((g) => (g ? [g.name] : [])),
          verifiedDomains: (tenant.domains ?? []).filter((d) => d.verified).map((d) => d.domain),
          linkPolicy: tenant.linking?.policy ?? 'approval',
          linkFallback: tenant.linking?.fallback ?? 'deny',
        }
      : null,
    email,
    emailUserId: userId,
    domainOwnerTenantId: domainOwner ? String(domainOwner.tenantId) : null,
    membership: membership ? { id: String(membership._id), status: membership.status } : null,
    candidateIsPrivileged,
    candidateIsExcluded: userId ? (tenant?.linking?.excludedUserIds ?? []).some((u) => String(u) === userId) : false,
  };
}
