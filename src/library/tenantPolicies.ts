import { Types } from 'mongoose';
import type { Store } from '../store/store';
import { conflict, isDuplicateKeyError } from '../errors';
import { isPublicEmailDomain, notClaimable } from './domainLists';
import type { AttributeSyncMode, ConflictPolicy } from '../domain/attributeSync';
import { SUBJECT_MATCHES, type LinkFallback, type LinkPolicy, type SubjectMatch } from '../domain/linking';
import type { ApprovalPolicy } from '../domain/approval';

export interface DomainInput {
  domain: string;
  verified: boolean;
}

export interface DirectorySyncSettings {
  /** Sign-ins create no membership the directory has not pushed. */
  authoritative: boolean;
  /** What deprovisioning does to a membership. */
  deprovision: 'suspend' | 'remove';
  /** A first sign-in's subject matched to a directory User's userName or externalId (domain/linking.ts). */
  subjectMatch: SubjectMatch;
}

export interface LinkPolicyInput {
  policy: LinkPolicy;
  fallback: LinkFallback;
  excludedUserIds: string[];
}

type Actor = { type: 'admin'; id: string | null };

const domainTaken = (domain: string) => conflict('domain_verified_by_other_tenant', `domain "${domain}" is already verified by another tenant`);

/** A tenant's email domains, link and conflict policies, and a connection's attribute sync (admin API; audited with before and after). */
export function createTenantPolicyLibrary(store: Store) {
  /** Replace one tenant setting and audit it with the value before and after. */
  const setTenantSetting = async <K extends 'linking' | 'conflictPolicy' | 'approval' | 'directorySync'>(
    tenantId: Types.ObjectId,
    field: K,
    value: unknown,
    action: string,
    actor: Actor,
  ) => {
    const before = await store.tenantChanges.change(tenantId, (tenant) => ({ set: { [field]: value }, result: tenant }));
    await store.audit.recordAction({
      tenantId: String(tenantId),
      actor,
      action,
      target: { type: 'tenant', id: String(tenantId) },
      before: { [field]: before?.[field] ?? null },
      after: { [field]: value },
    });
  };

  return {
    /**
     * Replace the tenant's domain list. Verified domains are claimed in
     * `verified_domains` (keyed by the domain) first, so no two tenants can
     * hold one; a domain another tenant verified is a 409 and nothing changes.
     */
    async setDomains(tenantId: Types.ObjectId, domains: DomainInput[], actor: Actor) {
      const publicDomain = domains.find((d) => isPublicEmailDomain(d.domain));
      if (publicDomain) throw notClaimable(publicDomain.domain);
      const verified = domains.filter((d) => d.verified).map((d) => d.domain);
      const owners = await store.domains.ownersOf(verified);
      const taken = owners.find((o) => String(o.tenantId) !== String(tenantId));
      if (taken) throw domainTaken(taken._id);
      for (const domain of verified) {
        try {
          await store.domains.claimUnlessHeld(domain, tenantId);
        } catch (err) {
          if (!isDuplicateKeyError(err)) throw err; // a concurrent claim: the owner check below decides
        }
        const owner = await store.domains.ownerOf(domain);
        if (owner && String(owner.tenantId) !== String(tenantId)) throw domainTaken(domain);
      }
      await store.domains.releaseAllBut(tenantId, verified);
      // In turn with the domain library's adds, verifications and removals (db/tenantChanges.ts).
      const { before } = await store.tenantChanges.changeDomains(tenantId, () =>
        domains.map((d) => ({ domain: d.domain, verified: d.verified, token: null, verifiedAt: null })),
      );
      await store.audit.recordAction({
        tenantId: String(tenantId),
        actor,
        action: 'tenant.domains_updated',
        target: { type: 'tenant', id: String(tenantId) },
        before: { domains: before },
        after: { domains },
      });
      return domains;
    },

    async setConflictPolicy(tenantId: Types.ObjectId, policy: ConflictPolicy, actor: Actor) {
      await setTenantSetting(tenantId, 'conflictPolicy', policy, 'tenant.conflict_policy_updated', actor);
    },

    async setAttributeSync(tenantId: Types.ObjectId, connectionId: string, mode: AttributeSyncMode, actor: Actor) {
      await store.connections.setSetting(tenantId, connectionId, 'attributeSync', mode, 'connection.attribute_sync_updated', actor);
    },

    async setApprovalPolicy(tenantId: Types.ObjectId, policy: ApprovalPolicy, actor: Actor) {
      await setTenantSetting(tenantId, 'approval', policy, 'tenant.approval_policy_updated', actor);
    },

    /** How the tenant's SCIM directories govern membership. */
    async directorySync(tenantId: Types.ObjectId): Promise<DirectorySyncSettings> {
      const tenant = await store.tenants.directorySyncOf(tenantId);
      const sync = tenant?.directorySync;
      return {
        authoritative: sync?.authoritative === true,
        deprovision: sync?.deprovision === 'remove' ? 'remove' : 'suspend',
        subjectMatch: SUBJECT_MATCHES.find((m) => m === sync?.subjectMatch) ?? 'none',
      };
    },

    async setDirectorySync(tenantId: Types.ObjectId, input: DirectorySyncSettings, actor: Actor): Promise<DirectorySyncSettings> {
      await setTenantSetting(tenantId, 'directorySync', input, 'tenant.directory_sync_updated', actor);
      return input;
    },

    async setLinkPolicy(tenantId: Types.ObjectId, input: LinkPolicyInput, actor: Actor) {
      await setTenantSetting(tenantId, 'linking', input, 'tenant.link_policy_updated', actor);
      return input;
    },
  };
}
