import { Types } from 'mongoose';
import type { Store } from '../src/store/store';
import { APPROVAL_TRIGGERS, DEFAULT_APPROVAL_EXPIRY_SECONDS, type ApprovalTrigger } from '../src/domain/approval';
import { customField, type SyncedField } from '../src/domain/attributeSync';
import { attributeValues, type IdentityClaim } from '../src/domain/claim';
import { emailDomain, normalizeEmail } from '../src/domain/email';
import { DEFAULT_GROUP_SYNC, groupNamesToRead, tenantRoles, type GroupSyncSettings } from '../src/domain/groups';
import type { ProvisioningState } from '../src/domain/planner';
import { sameRun, type RunRef } from '../src/domain/runRef';
import type { ActivitySupport, RunScoped } from './support';

/**
 * The account a directory of this tenant provisioned for the User whose
 * userName or externalId is exactly `subject` (a NameID or `sub` is
 * case-sensitive): one keyed read per directory (scim_keys, then the User).
 * Several directories naming different accounts → null: no account is
 * picked among several.
 */
async function directoryAccountOf(store: Store, tenantId: string, attribute: 'userName' | 'externalId', subject: string): Promise<string | null> {
  const directories = await store.scimDirectories.idsOfTenant(tenantId);
  const accounts = await Promise.all(
    directories.map(async (d) => {
      const target = await store.scimUsers.idBy(String(d._id), attribute, subject);
      const user = target !== null ? await store.scimUsers.accountOf(String(d._id), target) : null;
      return user?.userId && user[attribute] === subject ? String(user.userId) : null;
    }),
  );
  const distinct = [...new Set(accounts.filter((a): a is string => a !== null))];
  return distinct.length === 1 ? distinct[0]! : null;
}

/** Loading the world a sign-in is planned against (the planner in src/domain/planner.ts consumes it). Every activity is idempotent (see support.ts). */
export function stateActivities({ store }: ActivitySupport) {
  return {
    /**
     * The world as it was before this run: documents this very run already
     * wrote (a crash made it re-execute its steps) are left out, so the plan
     * is the same as the first time and the idempotent writes find them again.
     */
    async loadProvisioningState({ run, claim }: RunScoped & { claim: IdentityClaim }): Promise<ProvisioningState> {
      const notOurs = <T extends { createdBy?: RunRef | null }>(doc: T | null): T | null => (doc && !sameRun(doc.createdBy, run) ? doc : null);
      const email = claim.email === null ? null : normalizeEmail(claim.email);
      // Independent `_id` lookups (the fast path on FerretDB v1), in parallel.
      const [tenant, connection, identityDoc, emailClaimDoc, domainOwner] = await Promise.all([
        Types.ObjectId.isValid(claim.tenantId) ? store.tenants.byId(claim.tenantId) : null,
        store.connections.find(claim.connectionId, claim.protocol === 'scim' ? 'directory' : claim.protocol),
        store.identities.byKey(claim.connectionId, claim.subject),
        email ? store.users.emailClaim(email) : null,
        email ? store.domains.ownerOf(emailDomain(email)) : null,
      ]);
      const identity = notOurs(identityDoc);
      const emailClaim = notOurs(emailClaimDoc);
      const linkedUserId = identity?.userId ?? null;
      // Unlinked identity: the tenant's rule may name the directory User this subject is.
      const subjectMatch = tenant?.directorySync?.subjectMatch;
      const directoryUserId =
        // An SSO connection's subject only: an email sign-in's subject is the address, never a directory's userName.
        !identity && tenant && (connection?.kind === 'saml' || connection?.kind === 'oidc') && (subjectMatch === 'userName' || subjectMatch === 'externalId')
          ? await directoryAccountOf(store, String(tenant._id), subjectMatch, claim.subject)
          : null;
      // Else the membership that matters is the email's account's (a link candidate).
      const resolvedUserId = linkedUserId ?? directoryUserId ?? emailClaim?.userId ?? null;
      // A link candidate: the account the tenant's subject rule names, else the email's.
      const candidateId = identity ? null : (directoryUserId ?? (emailClaim ? String(emailClaim.userId) : null));
      const syncing = connection?.attributeSync === 'every-sign-in';
      const [membershipDoc, hold, candidateIsPrivileged, account] = await Promise.all([
        resolvedUserId && tenant ? store.memberships.byKey(String(tenant._id), String(resolvedUserId)) : null,
        resolvedUserId && tenant ? store.directoryHolds.ofMember(String(tenant._id), String(resolvedUserId)) : null,
        // Privileged anywhere by effective roles (a scan by userId): only for a link candidate.
        candidateId ? store.access.privilegedAnywhere(candidateId) : false,
        // The account's attributes matter only when this connection keeps them in sync.
        syncing && resolvedUserId ? store.users.byId(resolvedUserId) : null,
      ]);
      const membership = notOurs(membershipDoc);
      // Groups: this connection's settings, the member's grants (less those this run wrote) and the tenant's groups.
      const groupSync = (connection?.groupSync ?? DEFAULT_GROUP_SYNC) as GroupSyncSettings;
      const currentGrants = membership?.hasGrants
        ? ((await store.grants.of([String(membership._id)])).get(String(membership._id)) ?? []).filter((g) => !sameRun(g.createdBy, run))
        : [];
      // Only the groups the claim names or the member holds, each by `_id` (never the tenant's every group).
      const groupDocs = tenant
        ? (await Promise.all(groupNamesToRead(groupSync, claim.groups, currentGrants).map((name) => store.groups.byName(String(tenant._id), name)))).flatMap(
            (g) => (g && !sameRun(g.createdBy, run) ? [g] : []),
          )
        : [];
      const connectionPolicy = connection?.linkPolicy ?? null;
      // Custom attributes the connection maps: app name → IdP attribute; asserted = its first value.
      const customMapping = (connection?.attributeMapping?.custom ?? {}) as Record<string, string>;
      const assertedCustom: Partial<Record<SyncedField, string | null>> = {};
      for (const [appName, idpName] of Object.entries(customMapping)) {
        assertedCustom[customField(appName)] = attributeValues(claim.attributes, idpName)?.[0] || null; // empty = not asserted
      }
      const accountCustom: Partial<Record<SyncedField, string | null>> = {};
      const stored = account ? await store.users.customAttributes(account, Object.keys(customMapping)) : {};
      for (const appName of Object.keys(customMapping)) accountCustom[customField(appName)] = stored[appName] ?? null;
      const fields: SyncedField[] = ['name', 'email', ...(Object.keys(assertedCustom) as SyncedField[])];
      const openConflicts =
        account && tenant
          ? (await Promise.all(fields.map((f) => store.conflicts.byKey(String(tenant._id), String(account._id), f)))).flatMap((c) =>
              c ? [c.field as SyncedField] : [],
            )
          : [];
      return {
        attributes: {
          mode: connection?.attributeSync ?? 'on-first-sign-in',
          // A directory is the tenant's own source of record: its values win (an email another account holds still does not).
          policy: connection?.kind === 'directory' ? 'idp-wins' : (tenant?.conflictPolicy ?? 'review'),
          account: account ? { ...accountCustom, name: account.name ?? null, email: account.email } : null,
          assertedCustom,
          openConflicts,
          emailHeldByOther: Boolean(emailClaim && account && String(emailClaim.userId) !== String(account._id)),
        },
        linking: {
          policy: connectionPolicy ?? tenant?.linking?.policy ?? 'approval',
          fallback: tenant?.linking?.fallback ?? 'deny',
          tenantVerifiedDomains: (tenant?.domains ?? []).filter((d) => d.verified).map((d) => d.domain),
          connectionAllowedDomains: connection?.allowedDomains ? [...connection.allowedDomains] : null,
          domainOwnerTenantId: domainOwner ? String(domainOwner.tenantId) : null,
          candidateIsPrivileged,
          candidateIsExcluded: candidateId ? (tenant?.linking?.excludedUserIds ?? []).some((u) => String(u) === String(candidateId)) : false,
        },
        groups: {
          settings: {
            mode: groupSync.mode,
            whenAbsent: groupSync.whenAbsent,
            allowList: groupSync.allowList ? [...groupSync.allowList] : null,
            unmapped: groupSync.unmapped,
            mappings: groupSync.mappings.map((m) => ({ value: m.value, group: m.group ?? null, roles: [...m.roles] })),
          },
          current: currentGrants.map(({ kind, value, source }) => ({ kind, value, source })),
          tenantRoles: tenantRoles(tenant?.roles?.custom ?? []),
          ownerFromIdp: tenant?.roles?.ownerFromIdp === true,
          groupRoles: Object.fromEntries(groupDocs.map((g) => [g.name, [...(g.roles ?? [])]])),
        },
        tenant: tenant
          ? {
              id: String(tenant._id),
              jitEnabled: tenant.jit?.enabled === true,
              defaultRoles: [...(tenant.jit?.defaultRoles ?? [])],
              directoryAuthoritative: tenant.directorySync?.authoritative === true,
              approval: {
                when: (tenant.approval?.when ?? []).filter((t): t is ApprovalTrigger => (APPROVAL_TRIGGERS as readonly string[]).includes(t)),
                expirySeconds: tenant.approval?.expirySeconds ?? DEFAULT_APPROVAL_EXPIRY_SECONDS,
              },
            }
          : null,
        connection: connection
          ? { id: String(connection._id), tenantId: String(connection.tenantId), enabled: connection.enabled, directory: connection.kind === 'directory' }
          : null,
        email,
        linkedUserId: linkedUserId ? String(linkedUserId) : null,
        directoryUserId,
        emailUserId: emailClaim ? String(emailClaim.userId) : null,
        directoryHold: hold !== null,
        membership: membership
          ? { id: String(membership._id), userId: String(membership.userId), roles: [...membership.roles], status: membership.status }
          : null,
      };
    },
  };
}
