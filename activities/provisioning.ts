import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { Types } from 'mongoose';
import { recordAudit, type AuditInput } from '../src/db/audit';
import { applyEmailChange } from '../src/db/emailChange';
import type { Models } from '../src/db/models';
import { conflictKey } from '../src/db/models/conflict';
import { identityKey } from '../src/db/models/identity';
import { membershipKey } from '../src/db/models/membership';
import { sameRun, type RunRef } from '../src/domain/runRef';
import { attributeValues, type IdentityClaim } from '../src/domain/claim';
import type { DenialReason } from '../src/domain/decision';
import { emailDomain, normalizeEmail } from '../src/domain/email';
import { PRIVILEGED_ROLES } from '../src/domain/roles';
import { customField, type SyncedField } from '../src/domain/attributeSync';
import { readCustomAttributes, setCustomAttribute, setUserField } from '../src/db/userAttributes';
import { findConnection } from '../src/db/connections';
import type { ProvisioningState } from '../src/domain/planner';
import { APPROVAL_TRIGGERS, DEFAULT_APPROVAL_EXPIRY_SECONDS, type ApprovalTrigger } from '../src/domain/approval';
import { applyGrant, grantEvent, grantId, grantsOf, holdsGrant, removeGrant, type GrantResult } from '../src/db/grants';
import { groupKey } from '../src/db/models/group';
import { DEFAULT_GROUP_SYNC, tenantRoles, type Grant, type GroupSyncAction, type GroupSyncSettings } from '../src/domain/groups';
import { isDuplicateKeyError } from '../src/errors';
import type { Logger } from '../src/logger';

export type ApprovalKind = 'link' | 'new-member' | 'privileged-grant';
/** What an approved request would do, shown to the admin who decides. */
export interface PlannedAccess {
  via: 'jit' | 'link' | 'returning';
  newAccount: boolean;
  /** Roles of the new membership (null: the person is already a member). */
  roles: string[] | null;
  grants: string[];
  revokes: string[];
}

export type GrantRefusal = Omit<Extract<GroupSyncAction, { kind: 'refuse' }>, 'kind'>;

export interface ProvisioningDeps {
  models: Models;
  logger: Logger;
  now?: () => Date;
}

/** Every write a workflow asks for carries the run that asks, for idempotency and audit keys. */
export interface RunScoped {
  run: RunRef;
}

const oid = (id: string): Types.ObjectId => {
  if (!Types.ObjectId.isValid(id)) {
    throw ApplicationFailure.nonRetryable(`not an id: ${id}`, 'InvalidId');
  }
  return new Types.ObjectId(id);
};

const auditKey = (run: RunRef, step: string): string => `wf:${run.workflowId}:${run.runId}:${step}`;

/**
 * Insert-if-absent by a unique key. Two concurrent upserts can both miss and
 * one then fails with a duplicate key: the document exists, so read it.
 */
async function upsertOnce<T>(attempt: () => Promise<T | null>, reread: () => Promise<T | null>): Promise<T> {
  try {
    const doc = await attempt();
    if (doc) return doc;
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
  }
  const doc = await reread();
  if (!doc) throw new Error('document vanished after a duplicate-key upsert');
  return doc;
}

/** An ObjectId derived from a key: the same on every retry of the step that needs it. */
const deterministicId = (key: string): Types.ObjectId => new Types.ObjectId(createHash('sha256').update(key).digest().subarray(0, 12));

/**
 * The provisioning activities. Each is idempotent: effects are upserts on
 * unique keys that remember the run that created them, and audit events have
 * deterministic keys, so a retry (after a worker crash, a timeout, a lost
 * completion) converges on the same state without writing anything twice.
 */
export function createProvisioningActivities({ models, logger, now = () => new Date() }: ProvisioningDeps) {
  /** One audit event per run and step: a retried activity finds its key taken and writes nothing. */
  const runAudit = (run: RunRef, step: string, event: Omit<AuditInput, 'key' | 'workflowId' | 'runId' | 'at'> & { at?: Date }) =>
    recordAudit(models, { ...event, key: auditKey(run, step), workflowId: run.workflowId, runId: run.runId, at: event.at ?? now() });

  /** The account of an address nobody verified: no email claim; its `_id` comes from the run, so a retry finds it again. */
  async function ensureUnclaimedUser(
    input: RunScoped & { tenantId: string; email: string; name: string | null; attributes?: Record<string, string> },
  ): Promise<{ userId: string; createdByThisRun: boolean }> {
    const _id = deterministicId(`${input.run.workflowId}:${input.run.runId}:user`);
    const user = await upsertOnce(
      () =>
        models.users
          .findOneAndUpdate({ _id }, { $setOnInsert: { unverifiedEmail: input.email, name: input.name, createdBy: input.run } }, { upsert: true, new: true })
          .lean(),
      () => models.users.findById(_id).lean(),
    );
    await Promise.all(Object.entries(input.attributes ?? {}).map(([name, value]) => setCustomAttribute(models, String(_id), name, value)));
    await runAudit(input.run, 'user.created', {
      tenantId: input.tenantId,
      actor: { type: 'idp', id: null },
      action: 'user.created',
      target: { type: 'user', id: String(_id) },
      userId: String(_id),
      after: { email: null, unverifiedEmail: input.email, name: user.name ?? null },
    });
    return { userId: String(_id), createdByThisRun: sameRun(user.createdBy, input.run) };
  }

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
        Types.ObjectId.isValid(claim.tenantId) ? models.tenants.findById(claim.tenantId).lean() : null,
        findConnection(models, claim.connectionId),
        models.identities.findById(identityKey(claim.connectionId, claim.subject)).lean(),
        email ? models.userEmails.findById(email).lean() : null,
        email ? models.verifiedDomains.findById(emailDomain(email)).lean() : null,
      ]);
      const identity = notOurs(identityDoc);
      const emailClaim = notOurs(emailClaimDoc);
      const linkedUserId = identity?.userId ?? null;
      // Unlinked identity: the membership that matters is the email's account's (a link candidate).
      const resolvedUserId = linkedUserId ?? emailClaim?.userId ?? null;
      const candidateId = !identity && emailClaim ? emailClaim.userId : null;
      const syncing = connection?.attributeSync === 'every-sign-in';
      const [membershipDoc, candidateMemberships, account] = await Promise.all([
        resolvedUserId && tenant ? models.memberships.findById(membershipKey(String(tenant._id), String(resolvedUserId))).lean() : null,
        // Privileged roles anywhere (a scan by userId): only for a link candidate.
        candidateId ? models.memberships.find({ userId: candidateId, status: 'active' }).lean() : [],
        // The account's attributes matter only when this connection keeps them in sync.
        syncing && resolvedUserId ? models.users.findById(resolvedUserId).lean() : null,
      ]);
      const membership = notOurs(membershipDoc);
      // Groups: this connection's settings, the member's grants (less those this run wrote) and the tenant's groups.
      const groupSync = (connection?.groupSync ?? DEFAULT_GROUP_SYNC) as GroupSyncSettings;
      const currentGrants = membership?.hasGrants
        ? ((await grantsOf(models, [String(membership._id)])).get(String(membership._id)) ?? []).filter((g) => !sameRun(g.createdBy, run))
        : [];
      // The tenant's groups (a scan on FerretDB) only when a group grant's roles count or the claim can change grants.
      const claimCanChangeGrants = groupSync.mode !== 'off' && (claim.groups !== null || groupSync.whenAbsent === 'revoke');
      const groupDocs =
        tenant && (claimCanChangeGrants || currentGrants.some((g) => g.kind === 'group'))
          ? (await models.groups.find({ tenantId: tenant._id }).lean()).filter((g) => !sameRun(g.createdBy, run))
          : [];
      const candidateRoles = candidateMemberships.flatMap((m) => m.roles);
      const connectionPolicy = connection?.linkPolicy ?? null;
      // Custom attributes the connection maps: app name → IdP attribute; asserted = its first value.
      const customMapping = (connection?.attributeMapping?.custom ?? {}) as Record<string, string>;
      const assertedCustom: Partial<Record<SyncedField, string | null>> = {};
      for (const [appName, idpName] of Object.entries(customMapping)) {
        assertedCustom[customField(appName)] = attributeValues(claim.attributes, idpName)?.[0] || null; // empty = not asserted
      }
      const accountCustom: Partial<Record<SyncedField, string | null>> = {};
      const stored = account ? await readCustomAttributes(models, account, Object.keys(customMapping)) : {};
      for (const appName of Object.keys(customMapping)) accountCustom[customField(appName)] = stored[appName] ?? null;
      const fields: SyncedField[] = ['name', 'email', ...(Object.keys(assertedCustom) as SyncedField[])];
      const openConflicts =
        account && tenant
          ? (await models.conflicts.find({ _id: { $in: fields.map((f) => conflictKey(String(tenant._id), String(account._id), f)) } }).lean()).map(
              (c) => c.field as SyncedField,
            )
          : [];
      return {
        attributes: {
          mode: connection?.attributeSync ?? 'on-first-sign-in',
          policy: tenant?.conflictPolicy ?? 'review',
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
          candidateIsPrivileged: candidateRoles.some((r) => PRIVILEGED_ROLES.includes(r)),
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
              approval: {
                when: (tenant.approval?.when ?? []).filter((t): t is ApprovalTrigger => (APPROVAL_TRIGGERS as readonly string[]).includes(t)),
                expirySeconds: tenant.approval?.expirySeconds ?? DEFAULT_APPROVAL_EXPIRY_SECONDS,
              },
            }
          : null,
        connection: connection
          ? { id: String(connection._id), tenantId: String(connection.tenantId), enabled: connection.enabled }
          : null,
        email,
        linkedUserId: linkedUserId ? String(linkedUserId) : null,
        emailUserId: emailClaim ? String(emailClaim.userId) : null,
        membership: membership
          ? { id: String(membership._id), userId: String(membership.userId), roles: [...membership.roles], status: membership.status }
          : null,
      };
    },

    /**
     * Create the account for an email unless one exists. `createdByThisRun` is
     * false when someone else holds it. With `claimEmail: false` (an address
     * the IdP did not verify) the account is created without claiming it.
     */
    async ensureUser(
      input: RunScoped & { tenantId: string; email: string; claimEmail?: boolean; name: string | null; attributes?: Record<string, string> },
    ): Promise<{ userId: string; createdByThisRun: boolean }> {
      const email = normalizeEmail(input.email);
      if (!email) throw ApplicationFailure.nonRetryable('email is not valid', 'InvalidEmail');
      if (input.claimEmail === false) return ensureUnclaimedUser({ ...input, email });
      // Claim the email first (keyed by the email itself), then create the account it names.
      const claimRow = await upsertOnce(
        () =>
          models.userEmails
            .findOneAndUpdate(
              { _id: email },
              { $setOnInsert: { userId: new Types.ObjectId(), createdBy: input.run } },
              { upsert: true, new: true },
            )
            .lean(),
        () => models.userEmails.findById(email).lean(),
      );
      if (!sameRun(claimRow.createdBy, input.run)) return { userId: String(claimRow.userId), createdByThisRun: false };
      let user;
      try {
        user = await models.users
          .findOneAndUpdate(
            { _id: claimRow.userId },
            {
              $setOnInsert: {
                email,
                displayEmail: input.email.trim(),
                name: input.name,
                createdBy: input.run,
              },
            },
            { upsert: true, new: true },
          )
          .lean();
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
        user = await models.users.findById(claimRow.userId).lean();
        if (!user) {
          // Another account holds the email without a claim (data from before claims existed): the
          // unique email index refused a second account. Point the claim at it and let the run
          // re-plan — linking it is the link policy's decision, never this activity's.
          const legacy = await models.users.findOne({ email }).lean();
          if (!legacy) throw err;
          await models.userEmails.updateOne({ _id: email }, { $set: { userId: legacy._id, createdBy: null } });
          return { userId: String(legacy._id), createdByThisRun: false };
        }
      }
      if (!user) throw new Error('user upsert returned nothing');
      const createdByThisRun = sameRun(user.createdBy, input.run);
      if (createdByThisRun) {
        // Custom attributes are documents of their own (user_attributes); upserts, so a retry rewrites the same values.
        await Promise.all(Object.entries(input.attributes ?? {}).map(([name, value]) => setCustomAttribute(models, String(user._id), name, value)));
        await runAudit(input.run, 'user.created', {
          tenantId: input.tenantId,
          actor: { type: 'idp', id: null },
          action: 'user.created',
          target: { type: 'user', id: String(user._id) },
          userId: String(user._id),
          after: { email: user.email ?? null, name: user.name },
        });
      }
      return { userId: String(user._id), createdByThisRun };
    },

    /** Link (connection, subject) to the user. Returns the user the identity is actually linked to. */
    async linkIdentity(
      input: RunScoped & { tenantId: string; connectionId: string; subject: string; userId: string; protocol: 'saml' | 'oidc' | 'email' },
    ): Promise<{ userId: string; createdByThisRun: boolean }> {
      const filter = { _id: identityKey(input.connectionId, input.subject) };
      const identity = await upsertOnce(
        () =>
          models.identities
            .findOneAndUpdate(
              filter,
              {
                $setOnInsert: {
                  connectionId: oid(input.connectionId),
                  subject: input.subject,
                  tenantId: oid(input.tenantId),
                  userId: oid(input.userId),
                  protocol: input.protocol,
                  createdBy: input.run,
                },
              },
              { upsert: true, new: true },
            )
            .lean(),
        () => models.identities.findOne(filter).lean(),
      );
      const createdByThisRun = sameRun(identity.createdBy, input.run);
      if (createdByThisRun) {
        await runAudit(input.run, 'identity.linked', {
          tenantId: input.tenantId,
          actor: { type: 'idp', id: input.connectionId },
          action: 'identity.linked',
          target: { type: 'identity', id: String(identity._id) },
          userId: String(identity.userId),
          after: { connectionId: input.connectionId, subject: input.subject, protocol: input.protocol },
        });
      }
      return { userId: String(identity.userId), createdByThisRun };
    },

    async ensureMembership(
      input: RunScoped & { tenantId: string; userId: string; roles: string[] },
    ): Promise<{ membershipId: string; roles: string[]; status: string; createdByThisRun: boolean }> {
      const filter = { _id: membershipKey(input.tenantId, input.userId) };
      const membership = await upsertOnce(
        () =>
          models.memberships
            .findOneAndUpdate(
              filter,
              {
                $setOnInsert: {
                  tenantId: oid(input.tenantId),
                  userId: oid(input.userId),
                  roles: input.roles,
                  status: 'active',
                  createdBy: input.run,
                },
              },
              { upsert: true, new: true },
            )
            .lean(),
        () => models.memberships.findOne(filter).lean(),
      );
      const createdByThisRun = sameRun(membership.createdBy, input.run);
      if (createdByThisRun) {
        await runAudit(input.run, 'membership.created', {
          tenantId: input.tenantId,
          actor: { type: 'idp', id: null },
          action: 'membership.created',
          target: { type: 'membership', id: String(membership._id) },
          userId: input.userId,
          after: { roles: membership.roles, status: membership.status },
        });
      }
      return {
        membershipId: String(membership._id),
        roles: [...membership.roles],
        status: membership.status,
        createdByThisRun,
      };
    },

    /** Apply an attribute the IdP changed (policy idp-wins); audited with before and after. */
    async updateUserAttribute(
      input: RunScoped & { tenantId: string; connectionId: string; userId: string; field: SyncedField; from: string | null; to: string },
    ): Promise<'applied' | 'stale'> {
      if (input.field === 'email') {
        const email = normalizeEmail(input.to);
        if (!email) throw ApplicationFailure.nonRetryable('email is not valid', 'InvalidEmail');
        // Planned as free; if another account claimed it since, the run re-plans (into a conflict).
        if ((await applyEmailChange(models, input.userId, input.from, email)) === 'held-by-other') return 'stale';
      } else {
        await setUserField(models, input.userId, input.field, input.to);
      }
      await runAudit(input.run, `attribute.${input.field}.updated`, {
        tenantId: input.tenantId,
        actor: { type: 'idp', id: input.connectionId },
        action: 'user.attribute_updated',
        target: { type: 'user', id: input.userId },
        userId: input.userId,
        before: { field: input.field, value: input.from },
        after: { field: input.field, value: input.to },
      });
      return 'applied';
    },

    /** Record a disagreement for an admin (policy review): one open conflict per account, tenant and field. */
    async openConflict(
      input: RunScoped & { tenantId: string; connectionId: string; userId: string; field: SyncedField; local: string | null; asserted: string },
    ): Promise<void> {
      const _id = conflictKey(input.tenantId, input.userId, input.field);
      const conflict = await upsertOnce(
        () =>
          models.conflicts
            .findOneAndUpdate(
              { _id },
              {
                $setOnInsert: {
                  tenantId: oid(input.tenantId),
                  userId: oid(input.userId),
                  connectionId: oid(input.connectionId),
                  field: input.field,
                  local: input.local,
                  asserted: input.asserted,
                  createdBy: input.run,
                },
              },
              { upsert: true, new: true },
            )
            .lean(),
        () => models.conflicts.findById(_id).lean(),
      );
      if (!sameRun(conflict.createdBy, input.run)) return;
      await runAudit(input.run, `conflict.${input.field}.opened`, {
        tenantId: input.tenantId,
        actor: { type: 'idp', id: input.connectionId },
        action: 'conflict.opened',
        target: { type: 'conflict', id: _id },
        userId: input.userId,
        before: { field: input.field, value: input.local },
        after: { field: input.field, value: input.asserted },
      });
    },

    /** Park the sign-in for an admin: one request per run (repeated sign-ins attach to the run). */
    async openApprovalRequest(
      input: RunScoped & {
        claim: IdentityClaim;
        userId: string | null;
        kind: ApprovalKind;
        reasons: string[];
        planned: PlannedAccess;
        expiresAt: string;
      },
    ): Promise<{ requestId: string }> {
      const _id = `${input.run.workflowId}:${input.run.runId}`;
      await upsertOnce(
        () =>
          models.approvalRequests
            .findOneAndUpdate(
              { _id },
              {
                $setOnInsert: {
                  tenantId: oid(input.claim.tenantId),
                  workflowId: input.run.workflowId,
                  runId: input.run.runId,
                  kind: input.kind,
                  reason: input.reasons.join(','),
                  reasons: input.reasons,
                  planned: input.planned,
                  claim: input.claim,
                  userId: input.userId ? oid(input.userId) : null,
                  status: 'pending',
                  expiresAt: new Date(input.expiresAt),
                },
              },
              { upsert: true, new: true },
            )
            .lean(),
        () => models.approvalRequests.findById(_id).lean(),
      );
      await runAudit(input.run, 'approval.requested', {
        tenantId: input.claim.tenantId,
        actor: { type: 'idp', id: input.claim.connectionId },
        action: 'approval.requested',
        target: { type: 'approval_request', id: _id },
        userId: input.userId,
        reason: input.reasons.join(','),
        after: input.planned,
        context: { email: input.claim.email, subject: input.claim.subject, connectionId: input.claim.connectionId, kind: input.kind },
      });
      return { requestId: _id };
    },

    /** Close the request with the outcome; who decided and why go to the audit log. */
    async closeApprovalRequest(
      input: RunScoped & { tenantId: string; requestId: string; status: 'approved' | 'rejected' | 'expired'; by: string | null; reason: string | null },
    ): Promise<void> {
      const before = await models.approvalRequests.findOneAndUpdate(
        { _id: input.requestId },
        { $set: { status: input.status, decidedBy: input.by, decisionReason: input.reason } },
      ).lean();
      await runAudit(input.run, `approval.${input.status}`, {
        tenantId: input.tenantId,
        actor: input.by ? { type: 'admin' as const, id: input.by } : { type: 'system' as const, id: null },
        action: `approval.${input.status}`,
        target: { type: 'approval_request', id: input.requestId },
        userId: before?.userId ? String(before.userId) : null,
        reason: input.reason,
        // A decision sent as a Temporal signal bypassed the API's tenant-role checks: an operator's override.
        context: { via: input.by?.startsWith('signal:') ? 'operator-signal' : input.by ? 'api' : 'expiry' },
      });
    },

    /**
     * Grant one group or role from the groups claim (creating the group first
     * when the connection maps unmapped values to new groups). Idempotent: the
     * grant is one conditional update of the membership; audited once per run.
     */
    async applyGroupGrant(
      input: RunScoped & { tenantId: string; connectionId: string; userId: string; grant: Grant; createGroup: boolean },
    ): Promise<GrantResult> {
      const { run, tenantId, grant } = input;
      if (grant.kind === 'group' && input.createGroup) {
        const _id = groupKey(tenantId, grant.value);
        const group = await upsertOnce(
          () =>
            models.groups
              .findOneAndUpdate(
                { _id },
                { $setOnInsert: { tenantId: oid(tenantId), name: grant.value, roles: [], createdFrom: grant.source, createdBy: run } },
                { upsert: true, new: true },
              )
              .lean(),
          () => models.groups.findById(_id).lean(),
        );
        if (sameRun(group.createdBy, run)) {
          await runAudit(run, `group.created.${_id}`, {
            tenantId,
            actor: { type: 'idp', id: input.connectionId },
            action: 'group.created',
            target: { type: 'group', id: grant.value },
            after: { name: grant.value, roles: [] },
          });
        }
      }
      const membershipId = membershipKey(tenantId, input.userId);
      const result = await applyGrant(models, { membershipId, tenantId, userId: input.userId }, grant, { grantedBy: input.connectionId, run });
      if (result === 'granted') {
        await runAudit(run, `grant.${grantId(membershipId, grant)}`, {
          tenantId,
          actor: { type: 'idp', id: input.connectionId },
          ...grantEvent(grant, 'granted', input.userId),
        });
      }
      return result;
    },

    /**
     * Revoke one grant of this connection. The audit event is written first
     * (its key is per run and grant), then the grant removed: a retry after
     * either step converges on one event and no grant.
     */
    async revokeGroupGrant(input: RunScoped & { tenantId: string; connectionId: string; userId: string; grant: Grant }): Promise<'revoked' | 'absent'> {
      const { run, tenantId, grant } = input;
      const membershipId = membershipKey(tenantId, input.userId);
      if (!(await holdsGrant(models, membershipId, grant))) return 'absent';
      await runAudit(run, `revoke.${grantId(membershipId, grant)}`, {
        tenantId,
        actor: { type: 'idp', id: input.connectionId },
        ...grantEvent(grant, 'revoked', input.userId),
      });
      await removeGrant(models, membershipId, grant);
      return 'revoked';
    },

    /** Roles a groups claim asked for that the IdP may not grant: audited, never granted. */
    async recordGrantRefusals(input: RunScoped & { tenantId: string; connectionId: string; userId: string; refusals: GrantRefusal[] }): Promise<void> {
      for (const [i, r] of input.refusals.entries()) {
        await runAudit(input.run, `grant_refused.${i}`, {
          tenantId: input.tenantId,
          actor: { type: 'idp', id: input.connectionId },
          action: 'role.grant_refused',
          target: { type: 'role', id: r.role },
          userId: input.userId,
          reason: r.reason,
          context: { asserted: r.asserted, via: r.via },
        });
      }
    },

    async recordSignIn(input: RunScoped & { claim: IdentityClaim; userId: string; newUser: boolean }): Promise<void> {
      const at = now();
      await models.users.updateOne({ _id: oid(input.userId) }, { $max: { lastSignInAt: at } });
      await runAudit(input.run, 'signin.succeeded', {
        tenantId: input.claim.tenantId,
        actor: { type: 'user', id: input.userId },
        action: 'signin.succeeded',
        target: { type: 'user', id: input.userId },
        userId: input.userId,
        context: { connectionId: input.claim.connectionId, subject: input.claim.subject, newUser: input.newUser },
        at,
      });
    },

    /** A step was refused for good: one `signin.failed` event per run, for the admin and ops (the run fails after it). */
    async recordFailure(input: RunScoped & { claim: IdentityClaim; step: string; error: string }): Promise<void> {
      logger.error({ workflowId: input.run.workflowId, step: input.step, error: input.error }, 'sign-in failed: a step was refused');
      await runAudit(input.run, 'signin.failed', {
        tenantId: Types.ObjectId.isValid(input.claim.tenantId) ? input.claim.tenantId : null,
        actor: { type: 'idp', id: input.claim.connectionId },
        action: 'signin.failed',
        target: { type: 'identity', id: `${input.claim.connectionId}:${input.claim.subject}` },
        reason: 'provisioning_failed',
        context: { email: input.claim.email, subject: input.claim.subject, step: input.step, error: input.error.slice(0, 300) },
      });
    },

    async recordDenial(input: RunScoped & { claim: IdentityClaim; reason: DenialReason; detail?: string }): Promise<void> {
      logger.info({ workflowId: input.run.workflowId, reason: input.reason }, 'sign-in denied');
      await runAudit(input.run, 'signin.denied', {
        tenantId: Types.ObjectId.isValid(input.claim.tenantId) ? input.claim.tenantId : null,
        actor: { type: 'idp', id: input.claim.connectionId },
        action: 'signin.denied',
        target: { type: 'identity', id: `${input.claim.connectionId}:${input.claim.subject}` },
        reason: input.reason,
        context: { email: input.claim.email, subject: input.claim.subject, detail: input.detail ?? null },
      });
    },
  };
}

export type ProvisioningActivities = ReturnType<typeof createProvisioningActivities>;
