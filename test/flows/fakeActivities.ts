/**
 * The activities the provisioning flows take as `acts`, over a FakeWorld.
 * Each mirrors its real counterpart in activities/ (what it reads, what it
 * writes, which audit key it uses, how a retry of the same run finds its own
 * earlier write) and `satisfies` the flows' activity types, so a change of
 * signature breaks these fakes at compile time.
 */
import { normalizeEmail } from '../../src/domain/email';
import { emailDomain } from '../../src/domain/emailParts';
import { directorySource, effectiveAccess, tenantRoles, type Grant } from '../../src/domain/groups';
import type { ProvisioningActor } from '../../src/domain/provisioningContext';
import { isOwner, isPrivileged } from '../../src/domain/roles';
import { sameRun, type RunRef } from '../../src/domain/runRef';
import { nextUserResource, type StoredScimUser } from '../../src/scim/userWrites';
import { userFacts } from '../../src/scim/users';
import type { DirectoryGroupActivitySet } from '../../workflows/directoryGroupFlow';
import type { DirectoryUserActivities } from '../../workflows/directoryUserFlow';
import type { InvitationAcceptanceActivities } from '../../workflows/invitationAcceptanceFlow';
import type { MemberProvisioningActivities } from '../../workflows/memberProvisioningFlow';
import type { SignInActivities } from '../../workflows/signInFlow';
import { runAdminWrite, type AdminWriteResult, type TenantAdminActivities } from '../../workflows/tenantAdminFlow';
import { fakeDirectoryGroupActivities } from './fakeDirectoryGroups';
import { Crash, grantKey, memberKey, scimKeyOf, type FakeScimUser, type FakeWorld } from './fakeWorld';

const actorName = (input: { actor?: ProvisioningActor }): string => (input.actor ? `${input.actor.type}:${input.actor.id ?? ''}` : 'idp:');
const FIXED = '2026-01-01T00:00:00.000Z';
const stored = (u: FakeScimUser): StoredScimUser => ({
  id: u.scimId,
  resource: u.resource,
  userId: u.userId,
  version: u.version,
  created: FIXED,
  lastModified: FIXED,
});

export function fakeActivities(w: FakeWorld) {
  const notOurs = <T extends { createdBy: RunRef | null }>(doc: T | undefined, run: RunRef): T | null => (doc && !sameRun(doc.createdBy, run) ? doc : null);
  const rolesOf = (membershipId: string): string[] => {
    const m = w.memberships.get(membershipId);
    if (!m) return [];
    const groupRoles = Object.fromEntries([...w.groups.values()].filter((g) => g.tenantId === m.tenantId).map((g) => [g.name, g.roles]));
    const grants = [...w.grants.values()].filter((g) => g.membershipId === membershipId);
    return effectiveAccess({ directRoles: m.roles, grants, groupRoles, tenantRoles: tenantRoles([]), ownerFromIdp: false }).roles;
  };
  /** Privileged (admin or owner by effective roles) in any tenant: what a link candidate is checked for. */
  const privilegedAnywhere = (userId: string): boolean => [...w.memberships.entries()].some(([k, m]) => m.userId === userId && isPrivileged(rolesOf(k)));
  const domainOwner = (tenantId: string, email: string | null): string | null => {
    if (!email) return null;
    const domain = emailDomain(email);
    return w.domainOwners.get(domain) ?? (w.tenants.get(tenantId)?.verifiedDomains.includes(domain) ? tenantId : null);
  };
  const revoke = (run: RunRef, step: string, tenantId: string, userId: string, grant: Grant, actor: string) => {
    const key = grantKey(memberKey(tenantId, userId), grant);
    if (!w.grants.has(key)) return 'absent' as const;
    w.audit(run, step, { action: `${grant.kind}.revoked`, actor, target: `${grant.kind}:${grant.value}`, userId });
    w.grants.delete(key);
    return 'revoked' as const;
  };

  const heldGrants = (tenantId: string, userId: string) =>
    w
      .grantsOf(userId, tenantId)
      .map((g) => ({ kind: g.kind, value: g.value, source: g.source, grantedAt: null, grantedBy: g.grantedBy, createdBy: g.createdBy }));
  // The lifecycle run a directory's change goes to runs these very activities.
  const lifecycleRun: { acts?: TenantAdminActivities } = {};

  const acts = {
    // --- lifecycle (activities/lifecycle.ts) ---
    async lifecycleFacts(input: { tenantId: string; userId: string; run?: RunRef; action?: 'suspend' | 'reactivate' | 'remove'; by?: string }) {
      const id = memberKey(input.tenantId, input.userId);
      const doc = w.memberships.get(id);
      if (!doc) {
        // Removed by this very write: plan the removal again (activities/lifecycle.ts reads the removal's audit key).
        const removedByUs =
          input.run !== undefined &&
          input.action === 'remove' &&
          w.audits.has(`wf:${input.run.workflowId}:${input.run.runId}:membership.removed.${input.userId}`);
        return { member: removedByUs ? { status: 'suspended' as const, isOwner: false, suspendedBy: null } : null, activeOwners: 0 };
      }
      const ours = input.run !== undefined && sameRun(doc.statusChangedBy, input.run);
      const status: 'active' | 'suspended' = ours ? (input.action === 'reactivate' ? 'suspended' : 'active') : doc.status;
      const memberIsOwner = isOwner(rolesOf(id));
      const member = { status, isOwner: memberIsOwner, suspendedBy: ours && status === 'suspended' ? (input.by ?? null) : doc.suspendedBy };
      if (!memberIsOwner) return { member, activeOwners: 0 };
      const others = [...w.memberships.entries()].filter(([k, m]) => k !== id && m.tenantId === input.tenantId && m.status === 'active' && isOwner(rolesOf(k)));
      return { member, activeOwners: others.length + (status === 'active' ? 1 : 0) };
    },
    async requestLifecycleChange(input: {
      run: RunRef;
      tenantId: string;
      userId: string;
      directoryId: string;
      action: 'suspend' | 'reactivate' | 'remove';
      writeId: string;
    }) {
      const id = `${input.run.workflowId}:${input.run.runId}:${input.writeId}:${input.action}`;
      let result = w.lifecycleAnswers.get(id) as AdminWriteResult | undefined;
      if (!result) {
        const write = { id, kind: 'member' as const, action: input.action, userId: input.userId, actor: { type: 'directory' as const, id: input.directoryId } };
        result = await runAdminWrite(input.tenantId, write, { workflowId: `admin-${input.tenantId}`, runId: id }, lifecycleRun.acts!, () => undefined);
        w.lifecycleAnswers.set(id, result);
      }
      if (result.ok) return result.changed ? ('changed' as const) : ('unchanged' as const);
      if (result.code === 'member_not_found') return 'absent' as const;
      throw new Error(`the lifecycle run refused: ${result.code}`);
    },
    async membershipGrants(input: { tenantId: string; userId: string }) {
      return heldGrants(input.tenantId, input.userId);
    },
    async recordAdminRefusal(input: {
      run: RunRef;
      actor?: ProvisioningActor;
      tenantId: string;
      action: string;
      target: { type: string; id: string };
      reason: string;
      userId?: string;
      detail?: string | null;
    }) {
      w.audit(input.run, `refused.${input.action}`, {
        action: `${input.action}_refused`,
        actor: actorName(input),
        target: `${input.target.type}:${input.target.id}`,
        userId: input.userId ?? null,
        reason: input.reason,
        detail: input.detail ?? null,
      });
    },
    async recordOwnerAlert(input: { run: RunRef; actor?: ProvisioningActor; tenantId: string; userId: string; alert: 'tenant.no_active_owner' }) {
      w.audit(input.run, `alert.${input.alert}`, { action: input.alert, actor: actorName(input), target: `tenant:${input.tenantId}`, userId: input.userId });
    },
    /** Revokes at most `batch` grants of the group per call (the real batch is 200); the number left. */
    async revokeGroupGrants(input: { run: RunRef; actor?: ProvisioningActor; tenantId: string; group: string }) {
      const rows = [...w.grants.entries()].filter(([, g]) => g.kind === 'group' && g.value === input.group && g.membershipId.startsWith(`${input.tenantId}:`));
      for (const [key, g] of rows.slice(0, w.groupRevokeBatch)) {
        const userId = g.membershipId.slice(input.tenantId.length + 1);
        w.audit(input.run, `revoke.${key}`, { action: 'group.revoked', actor: actorName(input), target: `group:${g.value}`, userId });
        w.grants.delete(key);
      }
      return Math.max(0, rows.length - w.groupRevokeBatch);
    },
    async deleteTenantGroup(input: { run: RunRef; actor?: ProvisioningActor; tenantId: string; group: string }) {
      const id = `${input.tenantId}:${input.group}`;
      if (!w.groups.has(id)) return w.auditedByRun(input.run, `group.deleted.${id}`, 'group.deleted') ? ('deleted' as const) : ('absent' as const);
      w.audit(input.run, `group.deleted.${id}`, { action: 'group.deleted', actor: actorName(input), target: `group:${input.group}` });
      w.groups.delete(id);
      return 'deleted' as const;
    },

    // --- memberships, grants, sessions (activities/directory.ts, grants.ts, memberships.ts) ---
    async setMembershipStatus(input: {
      run: RunRef;
      actor?: ProvisioningActor;
      tenantId: string;
      userId: string;
      status: 'active' | 'suspended';
      by: string;
      override?: boolean;
    }) {
      const m = w.memberships.get(memberKey(input.tenantId, input.userId));
      if (!m) return 'absent' as const;
      const audit = () =>
        w.audit(input.run, `membership.${input.status}.${input.userId}`, {
          action: input.status === 'suspended' ? 'membership.suspended' : 'membership.restored',
          actor: actorName(input),
          target: `membership:${memberKey(input.tenantId, input.userId)}`,
          userId: input.userId,
        });
      if (m.status === input.status) {
        if (!sameRun(m.statusChangedBy, input.run)) return 'unchanged' as const;
        audit();
        return 'changed' as const;
      }
      if (input.status === 'active' && m.suspendedBy !== input.by && input.override !== true) return 'not-ours' as const;
      Object.assign(m, { status: input.status, suspendedBy: input.status === 'suspended' ? input.by : null, statusChangedBy: input.run });
      audit();
      return 'changed' as const;
    },
    async revokeGroupGrant(input: { run: RunRef; actor?: ProvisioningActor; tenantId: string; userId: string; grant: Grant }) {
      const step = `revoke.${grantKey(memberKey(input.tenantId, input.userId), input.grant)}`;
      return revoke(input.run, step, input.tenantId, input.userId, input.grant, actorName(input));
    },
    async applyGroupGrant(input: {
      run: RunRef;
      actor?: ProvisioningActor;
      tenantId: string;
      connectionId: string;
      userId: string;
      grant: Grant;
      createGroup: boolean;
    }) {
      const groupId = `${input.tenantId}:${input.grant.value}`;
      if (input.grant.kind === 'group' && input.createGroup && !w.groups.has(groupId)) {
        w.groups.set(groupId, { tenantId: input.tenantId, name: input.grant.value, roles: [], createdBy: input.run });
      }
      if (input.grant.kind === 'group' && input.createGroup && sameRun(w.groups.get(groupId)?.createdBy, input.run)) {
        w.audit(input.run, `group.created.${groupId}`, { action: 'group.created', actor: actorName(input), target: `group:${input.grant.value}` });
      }
      const membershipId = memberKey(input.tenantId, input.userId);
      const key = grantKey(membershipId, input.grant);
      const existing = w.grants.get(key);
      if (existing && !sameRun(existing.createdBy, input.run)) return 'already-granted' as const;
      if (!existing) w.grants.set(key, { ...input.grant, membershipId, grantedBy: input.connectionId, createdBy: input.run });
      w.audit(input.run, `grant.${key}`, {
        action: `${input.grant.kind}.granted`,
        actor: actorName(input),
        target: `${input.grant.kind}:${input.grant.value}`,
        userId: input.userId,
      });
      return 'granted' as const;
    },
    async endTenantSessions(input: { run: RunRef; actor?: ProvisioningActor; tenantId: string; userId: string }) {
      const before = w.sessions.length;
      w.sessions = w.sessions.filter((s) => !(s.tenantId === input.tenantId && s.userId === input.userId));
      const ended = before - w.sessions.length;
      if (ended > 0)
        w.audit(input.run, `sessions.ended.${input.userId}`, {
          action: 'sessions.ended',
          actor: actorName(input),
          target: `user:${input.userId}`,
          userId: input.userId,
        });
      return ended;
    },
    async removeMembership(input: { run: RunRef; actor?: ProvisioningActor; tenantId: string; userId: string; directoryId?: string }) {
      const id = memberKey(input.tenantId, input.userId);
      if (input.directoryId && !w.holds.has(id)) w.holds.set(id, input.directoryId);
      if (!w.memberships.has(id)) return 'absent' as const;
      w.audit(input.run, `membership.removed.${input.userId}`, {
        action: 'membership.removed',
        actor: actorName(input),
        target: `membership:${id}`,
        userId: input.userId,
      });
      w.memberships.delete(id);
      return 'removed' as const;
    },
    async ensureMembership(input: { run: RunRef; actor?: ProvisioningActor; tenantId: string; userId: string; roles: string[] }) {
      const id = memberKey(input.tenantId, input.userId);
      if (!w.memberships.has(id)) {
        w.memberships.set(id, {
          tenantId: input.tenantId,
          userId: input.userId,
          roles: input.roles,
          status: 'active',
          suspendedBy: null,
          statusChangedBy: null,
          createdBy: input.run,
        });
      }
      const m = w.memberships.get(id)!;
      const createdByThisRun = sameRun(m.createdBy, input.run);
      if (createdByThisRun)
        w.audit(input.run, 'membership.created', { action: 'membership.created', actor: actorName(input), target: `membership:${id}`, userId: input.userId });
      return { membershipId: id, roles: [...m.roles], status: m.status, createdByThisRun };
    },
    async directoryGrantsOf(input: { tenantId: string; userId: string; directoryId: string; all?: boolean }) {
      return heldGrants(input.tenantId, input.userId).filter((g) => input.all === true || g.source === directorySource(input.directoryId));
    },
    async releaseDirectoryHold(input: { tenantId: string; userId: string }) {
      w.holds.delete(memberKey(input.tenantId, input.userId));
    },

    // --- accounts (activities/accounts.ts, attributes.ts) ---
    async ensureUser(input: {
      run: RunRef;
      actor?: ProvisioningActor;
      tenantId: string;
      email: string;
      claimEmail?: boolean;
      name: string | null;
      attributes?: Record<string, string>;
    }) {
      const email = normalizeEmail(input.email);
      if (!email) throw new Error('email is not valid');
      if (!w.emails.has(email)) w.emails.set(email, { userId: w.newId('user'), createdBy: input.run });
      const claim = w.emails.get(email)!;
      if (!sameRun(claim.createdBy, input.run)) return { userId: claim.userId, createdByThisRun: false };
      if (!w.users.has(claim.userId))
        w.users.set(claim.userId, { email, name: input.name, ...(input.attributes ? { attributes: input.attributes } : {}), createdBy: input.run });
      const createdByThisRun = sameRun(w.users.get(claim.userId)!.createdBy, input.run);
      if (createdByThisRun)
        w.audit(input.run, 'user.created', { action: 'user.created', actor: actorName(input), target: `user:${claim.userId}`, userId: claim.userId });
      return { userId: claim.userId, createdByThisRun };
    },
    async linkIdentity(input: { run: RunRef; actor?: ProvisioningActor; tenantId: string; connectionId: string; subject: string; userId: string }) {
      const id = `${input.connectionId}:${input.subject}`;
      if (!w.identities.has(id)) w.identities.set(id, { userId: input.userId, tenantId: input.tenantId, createdBy: input.run });
      const identity = w.identities.get(id)!;
      const createdByThisRun = sameRun(identity.createdBy, input.run);
      if (createdByThisRun)
        w.audit(input.run, 'identity.linked', { action: 'identity.linked', actor: actorName(input), target: `identity:${id}`, userId: identity.userId });
      return { userId: identity.userId, createdByThisRun };
    },
    async updateUserAttribute(input: { run: RunRef; actor?: ProvisioningActor; userId: string; field: string; to: string }) {
      const user = w.users.get(input.userId);
      if (user && input.field === 'name') user.name = input.to;
      w.audit(input.run, `attribute.${input.field}.updated`, {
        action: 'user.attribute_updated',
        actor: actorName(input),
        target: `user:${input.userId}`,
        userId: input.userId,
      });
      return 'applied' as const;
    },
    async openConflict(input: {
      run: RunRef;
      actor?: ProvisioningActor;
      tenantId: string;
      userId: string;
      field: string;
      local: string | null;
      asserted: string;
    }) {
      const id = `${input.tenantId}:${input.userId}:${input.field}`;
      if (!w.conflicts.has(id)) w.conflicts.set(id, { local: input.local, asserted: input.asserted, createdBy: input.run });
      if (!sameRun(w.conflicts.get(id)!.createdBy, input.run)) return;
      w.audit(input.run, `conflict.${input.field}.opened`, {
        action: 'conflict.opened',
        actor: actorName(input),
        target: `user:${input.userId}`,
        userId: input.userId,
      });
    },

    // --- the world a plan reads (activities/state.ts, adminProvisioning.ts, invitations.ts) ---
    async loadProvisioningState({ run, claim }: { run: RunRef; claim: { tenantId: string; connectionId: string; subject: string; email: string | null } }) {
      const email = claim.email === null ? null : normalizeEmail(claim.email);
      const tenant = w.tenants.get(claim.tenantId) ?? null;
      const connection = w.connections.get(claim.connectionId) ?? null;
      const identity = notOurs(w.identities.get(`${claim.connectionId}:${claim.subject}`), run);
      const emailClaim = email ? notOurs(w.emails.get(email), run) : null;
      const resolved = identity?.userId ?? emailClaim?.userId ?? null;
      const candidateId = identity ? null : (emailClaim?.userId ?? null);
      const membershipId = resolved && tenant ? memberKey(claim.tenantId, resolved) : null;
      const membership = membershipId ? notOurs(w.memberships.get(membershipId), run) : null;
      const current = membershipId && membership ? [...w.grants.values()].filter((g) => g.membershipId === membershipId && !sameRun(g.createdBy, run)) : [];
      const groups = [...w.groups.values()].filter((g) => g.tenantId === claim.tenantId && !sameRun(g.createdBy, run));
      return {
        attributes: {
          mode: 'on-first-sign-in' as const,
          policy: 'review' as const,
          account: null,
          assertedCustom: {},
          openConflicts: [],
          emailHeldByOther: false,
        },
        linking: {
          policy: tenant?.linkPolicy ?? 'approval',
          fallback: tenant?.linkFallback ?? 'deny',
          tenantVerifiedDomains: tenant?.verifiedDomains ?? [],
          connectionAllowedDomains: null,
          domainOwnerTenantId: domainOwner(claim.tenantId, email),
          candidateIsPrivileged: candidateId ? privilegedAnywhere(candidateId) : false,
          candidateIsExcluded: false,
        },
        groups: {
          settings: w.groupSync,
          current: current.map(({ kind, value, source }) => ({ kind, value, source })),
          tenantRoles: tenantRoles([]),
          ownerFromIdp: false,
          groupRoles: Object.fromEntries(groups.map((g) => [g.name, [...g.roles]])),
        },
        tenant: tenant
          ? {
              id: claim.tenantId,
              jitEnabled: tenant.jit,
              defaultRoles: [...tenant.defaultRoles],
              directoryAuthoritative: false,
              approval: { when: tenant.approvalWhen, expirySeconds: 3600 },
            }
          : null,
        connection: connection
          ? { id: claim.connectionId, tenantId: connection.tenantId, enabled: connection.enabled, directory: connection.kind === 'directory' }
          : null,
        email,
        linkedUserId: identity?.userId ?? null,
        directoryUserId: null,
        emailUserId: emailClaim?.userId ?? null,
        directoryHold: membershipId ? w.holds.has(membershipId) : false,
        membership:
          membership && membershipId ? { id: membershipId, userId: membership.userId, roles: [...membership.roles], status: membership.status } : null,
      };
    },
    async loadAdminState({ run, tenantId, email: raw, groups = [] }: { run: RunRef; tenantId: string; email: string; groups?: string[] }) {
      const tenant = w.tenants.get(tenantId) ?? null;
      const email = normalizeEmail(raw);
      const emailClaim = email ? notOurs(w.emails.get(email), run) : null;
      const membership = emailClaim && tenant ? notOurs(w.memberships.get(memberKey(tenantId, emailClaim.userId)), run) : null;
      return {
        tenant: tenant
          ? {
              id: tenantId,
              roles: tenantRoles([]),
              defaultRoles: [...tenant.defaultRoles],
              groups: [...new Set(groups)].filter((g) => w.groups.has(`${tenantId}:${g}`)),
              verifiedDomains: [...tenant.verifiedDomains],
              linkPolicy: tenant.linkPolicy,
              linkFallback: tenant.linkFallback,
            }
          : null,
        email,
        emailUserId: emailClaim?.userId ?? null,
        domainOwnerTenantId: domainOwner(tenantId, email),
        membership: membership && emailClaim ? { id: memberKey(tenantId, emailClaim.userId), status: membership.status } : null,
        candidateIsPrivileged: emailClaim && !membership ? privilegedAnywhere(emailClaim.userId) : false,
        candidateIsExcluded: false,
      };
    },
    async loadInvitation(input: { invitationId: string; run?: RunRef }) {
      const inv = w.invitations.get(input.invitationId);
      if (!inv) return null;
      const { acceptedBy: _acceptedBy, acceptedRun, ...facts } = inv;
      // Accepted by this very run (its completion lost): read as it was before.
      const acceptedByUs = inv.status === 'accepted' && input.run !== undefined && sameRun(acceptedRun ?? null, input.run);
      return { ...facts, status: acceptedByUs ? ('pending' as const) : facts.status, roles: [...inv.roles], groups: [...inv.groups] };
    },
    async markInvitationAccepted(input: { run: RunRef; actor?: ProvisioningActor; tenantId: string; invitationId: string; userId: string; outcome: string }) {
      const inv = w.invitations.get(input.invitationId);
      if (inv?.status === 'pending') Object.assign(inv, { status: 'accepted', acceptedBy: input.userId, acceptedRun: input.run });
      w.audit(input.run, 'invitation.accepted', {
        action: 'invitation.accepted',
        actor: actorName(input),
        target: `invitation:${input.invitationId}`,
        userId: input.userId,
        reason: input.outcome,
      });
    },

    // --- a directory's Groups, and a User's side of them (fakeDirectoryGroups.ts) ---
    ...fakeDirectoryGroupActivities(w),

    // --- a directory's Users (activities/directory.ts) ---
    async prepareScimUserWrite(input: Parameters<DirectoryUserActivities['prepareScimUserWrite']>[0]) {
      const doc = w.scimUsers.get(`${input.directoryId}:${input.scimId}`);
      const before = doc ? stored(doc) : null;
      if (doc && before && doc.recentWrites.includes(input.write.id)) return { ok: true as const, applied: before };
      const deprovision = w.tenants.get(input.tenantId)?.deprovision ?? 'suspend';
      if (input.write.kind === 'create' && before) return { ok: true as const, before, after: input.write.resource, deprovision };
      if (!doc && input.write.kind === 'delete' && input.run && w.auditedByRun(input.run, `scim.${input.write.id}`, 'scim.user_deleted'))
        return { ok: true as const, before: null, after: null, deprovision };
      const next = nextUserResource(before?.resource ?? null, input.write);
      return next.ok ? { ok: true as const, before, after: next.after, deprovision } : next;
    },
    async claimScimKeys(input: { directoryId: string; scimId: string; userName: string; externalId: string | null }) {
      const keys = [
        scimKeyOf(input.directoryId, 'userName', input.userName),
        ...(input.externalId ? [scimKeyOf(input.directoryId, 'externalId', input.externalId)] : []),
      ];
      const inserted: string[] = [];
      for (const [i, key] of keys.entries()) {
        const holder = w.scimKeys.get(key);
        if (holder === input.scimId) continue;
        if (!holder) {
          w.scimKeys.set(key, input.scimId);
          inserted.push(key);
          continue;
        }
        for (const k of inserted) w.scimKeys.delete(k);
        const attribute = i === 0 ? 'userName' : 'externalId';
        return {
          ok: false as const,
          error: { status: 409, scimType: 'uniqueness' as const, detail: `another User of this directory has this ${attribute}`, code: 'scim_uniqueness' },
        };
      }
      return { ok: true as const };
    },
    async releaseScimKeys(input: {
      directoryId: string;
      scimId: string;
      previous: { userName: string; externalId: string | null } | null;
      current: { userName: string; externalId: string | null } | null;
    }) {
      const keysOf = (f: { userName: string; externalId: string | null } | null) =>
        f ? [scimKeyOf(input.directoryId, 'userName', f.userName), ...(f.externalId ? [scimKeyOf(input.directoryId, 'externalId', f.externalId)] : [])] : [];
      const keep = new Set(keysOf(input.current));
      for (const k of keysOf(input.previous)) if (!keep.has(k) && w.scimKeys.get(k) === input.scimId) w.scimKeys.delete(k);
    },
    async storeScimUser(input: Parameters<DirectoryUserActivities['storeScimUser']>[0]) {
      const id = `${input.directoryId}:${input.scimId}`;
      const seen = w.scimUsers.get(id)?.recentWrites ?? [];
      const facts = userFacts(input.resource);
      w.scimUsers.set(id, {
        scimId: input.scimId,
        resource: input.resource,
        userId: input.userId,
        version: input.version,
        recentWrites: seen.includes(input.write.id) ? seen : [...seen, input.write.id],
      });
      const action =
        input.wasActive === null
          ? 'scim.user_created'
          : input.wasActive && !facts.active
            ? 'scim.user_deactivated'
            : !input.wasActive && facts.active
              ? 'scim.user_reactivated'
              : 'scim.user_updated';
      w.audit(input.run, `scim.${input.write.id}`, { action, actor: actorName(input), target: `scim_user:${input.scimId}`, userId: input.userId });
      return stored(w.scimUsers.get(id)!);
    },
    async deleteScimUser(input: Parameters<DirectoryUserActivities['deleteScimUser']>[0]) {
      w.audit(input.run, `scim.${input.write.id}`, {
        action: 'scim.user_deleted',
        actor: actorName(input),
        target: `scim_user:${input.scimId}`,
        userId: input.userId,
      });
      for (const [k, target] of [...w.scimKeys.entries()]) if (target === input.scimId && k.startsWith(`${input.directoryId}:`)) w.scimKeys.delete(k);
      w.scimUsers.delete(`${input.directoryId}:${input.scimId}`);
    },
    async recordScimRefusal(input: Parameters<DirectoryUserActivities['recordScimRefusal']>[0]) {
      w.audit(input.run, `scim.${input.write.id}.refused`, {
        action: 'scim.write_refused',
        actor: actorName(input),
        target: `scim_user:${input.scimId}`,
        reason: input.reason,
        detail: input.error.detail,
      });
    },

    // --- a sign-in's own steps (activities/approvals.ts, outcomes.ts, grants.ts) ---
    async openApprovalRequest(input: Parameters<SignInActivities['openApprovalRequest']>[0]) {
      const requestId = `${input.run.workflowId}:${input.run.runId}`;
      if (!w.approvals.has(requestId)) w.approvals.set(requestId, { userId: input.userId, kind: input.kind, status: 'pending' });
      w.audit(input.run, 'approval.requested', {
        action: 'approval.requested',
        actor: actorName(input),
        target: `approval_request:${requestId}`,
        userId: input.userId,
        reason: input.reasons.join(','),
      });
      return { requestId };
    },
    async closeApprovalRequest(input: Parameters<SignInActivities['closeApprovalRequest']>[0]) {
      const request = w.approvals.get(input.requestId);
      if (request) request.status = input.status;
      w.audit(input.run, `approval.${input.status}`, {
        action: `approval.${input.status}`,
        actor: input.by ? `admin:${input.by}` : 'system:',
        target: `approval_request:${input.requestId}`,
        userId: request?.userId ?? null,
        reason: input.reason,
      });
    },
    async recordSignIn(input: Parameters<SignInActivities['recordSignIn']>[0]) {
      w.audit(input.run, 'signin.succeeded', {
        action: 'signin.succeeded',
        actor: `user:${input.userId}`,
        target: `user:${input.userId}`,
        userId: input.userId,
      });
    },
    async recordDenial(input: Parameters<SignInActivities['recordDenial']>[0]) {
      w.audit(input.run, 'signin.denied', {
        action: 'signin.denied',
        actor: actorName(input),
        target: `identity:${input.claim.connectionId}:${input.claim.subject}`,
        reason: input.reason,
        detail: input.detail ?? null,
      });
    },
    async recordGrantRefusals(input: Parameters<SignInActivities['recordGrantRefusals']>[0]) {
      for (const [i, r] of input.refusals.entries()) {
        w.audit(input.run, `grant_refused.${i}`, {
          action: 'role.grant_refused',
          actor: actorName(input),
          target: `role:${r.role}`,
          userId: input.userId,
          reason: r.reason,
        });
      }
    },
  } satisfies TenantAdminActivities &
    DirectoryUserActivities &
    InvitationAcceptanceActivities &
    SignInActivities &
    MemberProvisioningActivities &
    DirectoryGroupActivitySet;
  lifecycleRun.acts = acts;
  return acts;
}

export type FakeActivities = ReturnType<typeof fakeActivities>;

/**
 * The activities as a worker that may crash calls them: every call is logged
 * in `w.calls`; the `crashAfter`-th call (1-based) has its effects, then
 * throws Crash — its completion lost, as when the worker dies after an
 * activity ran. 0: no crash.
 */
export function crashingActivities(w: FakeWorld, crashAfter = 0): FakeActivities {
  const acts = fakeActivities(w);
  let n = 0;
  const wrapped = {} as Record<string, (input: never) => Promise<unknown>>;
  for (const [name, fn] of Object.entries(acts) as [string, (input: never) => Promise<unknown>][]) {
    wrapped[name] = async (input) => {
      w.beforeCall?.(name);
      w.calls.push({ name, input });
      const out = await fn(input);
      if (++n === crashAfter) throw new Crash(`crash after ${name}`);
      return out;
    };
  }
  return wrapped as unknown as FakeActivities;
}
