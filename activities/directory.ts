import type { HeldGrant } from '../src/store/grants';
import { membershipKey } from '../src/store/memberships';
import { scimLookupKey } from '../src/store/scimKeys';
import { RECENT_WRITES } from '../src/store/scimUsers';
import { directorySource } from '../src/domain/groups';
import { actorOf } from '../src/domain/provisioningContext';
import { sameRun, type RunRef } from '../src/domain/runRef';
import type { ScimResource } from '../src/scim/canonical';
import { nextUserResource, storedScimUser, type ScimRefusal, type ScimUserWrite, type StoredScimUser } from '../src/scim/userWrites';
import { userFacts } from '../src/scim/users';
import { claimKeys, releaseKeys } from './scimKeys';
import { oid, type ActivitySupport, type RunScoped } from './support';

/** What deprovisioning does to the membership (tenant setting `directorySync.deprovision`). */
export type DeprovisionMode = 'suspend' | 'remove';

/** Which resource a write is for. */
export interface ScimTarget {
  directoryId: string;
  tenantId: string;
  scimId: string;
}

/**
 * The directory's side of the provisioning core: a directory's
 * resources, their unique keys, and deprovisioning. Every activity is
 * idempotent: keyed inserts, upserts of a deterministic state, audit events
 * under the run's keys (see support.ts).
 */
export function directoryActivities({ store, runAudit, auditedByRun }: ActivitySupport) {
  const keysOf = (directoryId: string, facts: { userName: string; externalId: string | null }) => [
    scimLookupKey(directoryId, 'User', 'userName', facts.userName),
    ...(facts.externalId ? [scimLookupKey(directoryId, 'User', 'externalId', facts.externalId)] : []),
  ];

  return {
    /**
     * What a write makes of the stored User (read only): the state before, the
     * resource after (null: deleted), or a refusal. A write this resource has
     * already applied (a local activity re-run after a lost workflow task, a
     * client's retried update) is `applied`: answered from the stored state,
     * never applied twice. A DELETE run again after a crash that finds the
     * resource gone answers it as a DELETE to finish (`before` null) when
     * this run (`run`) audited the deletion: its remaining steps find nothing
     * left to do, and it answers 204 as the first time.
     */
    async prepareScimUserWrite(
      input: ScimTarget & { write: ScimUserWrite; run?: RunRef },
    ): Promise<
      | { ok: true; applied: StoredScimUser }
      | { ok: true; applied?: undefined; before: StoredScimUser | null; after: ScimResource | null; deprovision?: DeprovisionMode }
      | { ok: false; error: ScimRefusal }
    > {
      const doc = await store.scimUsers.byId(input.directoryId, input.scimId);
      const before = doc ? storedScimUser(doc) : null;
      if (doc && before && (doc.recentWrites ?? []).includes(input.write.id)) return { ok: true, applied: before };
      const tenant = await store.tenants.directorySyncOf(input.tenantId);
      const deprovision: DeprovisionMode = tenant?.directorySync?.deprovision === 'remove' ? 'remove' : 'suspend';
      if (input.write.kind === 'create' && before) return { ok: true, before, after: input.write.resource, deprovision };
      if (!doc && input.write.kind === 'delete' && input.run && (await auditedByRun(input.run, `scim.${input.write.id}`, 'scim.user_deleted'))) {
        return { ok: true, before: null, after: null, deprovision };
      }
      const next = nextUserResource(before?.resource ?? null, input.write);
      return next.ok ? { ok: true, before, after: next.after, deprovision } : next;
    },

    /** Hold the User's userName (and externalId) for it (scimKeys.ts). */
    async claimScimKeys(input: ScimTarget & { userName: string; externalId: string | null }): Promise<{ ok: true } | { ok: false; error: ScimRefusal }> {
      const keys = keysOf(input.directoryId, input).map((_id, i) => ({ _id, attribute: i === 0 ? 'userName' : 'externalId' }));
      return claimKeys(store.scimKeys, input.directoryId, input.scimId, keys, 'User');
    },

    /** Give back keys the resource held for values it no longer has. */
    async releaseScimKeys(
      input: ScimTarget & { previous: { userName: string; externalId: string | null } | null; current: { userName: string; externalId: string | null } | null },
    ): Promise<void> {
      if (!input.previous) return;
      await releaseKeys(store.scimKeys, input.scimId, keysOf(input.directoryId, input.previous), input.current ? keysOf(input.directoryId, input.current) : []);
    },

    /** Write the resource as this write leaves it (an upsert of a deterministic state) and audit it once. */
    async storeScimUser(
      input: RunScoped &
        ScimTarget & {
          write: { id: string; kind: ScimUserWrite['kind'] };
          resource: ScimResource;
          userId: string | null;
          version: number;
          wasActive: boolean | null;
        },
    ): Promise<StoredScimUser> {
      const facts = userFacts(input.resource);
      const seen = await store.scimUsers.recentWritesOf(input.directoryId, input.scimId);
      const recentWrites = seen.includes(input.write.id) ? seen : [...seen, input.write.id].slice(-RECENT_WRITES);
      await store.scimUsers.put(
        input.directoryId,
        input.scimId,
        {
          userName: facts.userName,
          externalId: facts.externalId,
          emails: facts.emails,
          active: facts.active,
          resource: JSON.stringify(input.resource),
          userId: input.userId ? oid(input.userId) : null,
          version: input.version,
          lastWrite: input.write.id,
          recentWrites,
        },
        oid(input.tenantId),
      );
      const action =
        input.wasActive === null
          ? 'scim.user_created'
          : input.wasActive && !facts.active
            ? 'scim.user_deactivated'
            : !input.wasActive && facts.active
              ? 'scim.user_reactivated'
              : 'scim.user_updated';
      await runAudit(input.run, `scim.${input.write.id}`, {
        tenantId: input.tenantId,
        actor: actorOf(input),
        action,
        target: { type: 'scim_user', id: input.scimId },
        ...(input.userId ? { userId: input.userId } : {}),
        context: { directoryId: input.directoryId, operation: input.write.kind, userName: facts.userName, externalId: facts.externalId, active: facts.active },
      });
      const doc = await store.scimUsers.byId(input.directoryId, input.scimId);
      if (!doc) throw new Error('the stored SCIM user vanished');
      return storedScimUser(doc);
    },

    /** DELETE: the resource and its keys go; audited once. */
    async deleteScimUser(
      input: RunScoped & ScimTarget & { write: { id: string }; facts: { userName: string; externalId: string | null }; userId: string | null },
    ): Promise<void> {
      await runAudit(input.run, `scim.${input.write.id}`, {
        tenantId: input.tenantId,
        actor: actorOf(input),
        action: 'scim.user_deleted',
        target: { type: 'scim_user', id: input.scimId },
        ...(input.userId ? { userId: input.userId } : {}),
        context: { directoryId: input.directoryId, operation: 'delete', userName: input.facts.userName, externalId: input.facts.externalId },
      });
      await store.scimKeys.releaseAll(keysOf(input.directoryId, input.facts), input.scimId);
      await store.scimUsers.remove(input.directoryId, input.scimId);
    },

    /**
     * Suspend a membership (naming who did), or restore one — only one that
     * `by` suspended: a directory does not undo an admin's suspension (an
     * admin, `override`, restores any).
     * Audited once per run and user; `unchanged` when there was nothing to do.
     */
    async setMembershipStatus(
      input: RunScoped & { tenantId: string; userId: string; status: 'active' | 'suspended'; by: string; override?: boolean },
    ): Promise<'changed' | 'unchanged' | 'absent' | 'not-ours'> {
      const _id = membershipKey(input.tenantId, input.userId);
      const membership = await store.memberships.byKey(input.tenantId, input.userId);
      if (!membership) return 'absent';
      const audit = () =>
        runAudit(input.run, `membership.${input.status}.${input.userId}`, {
          tenantId: input.tenantId,
          actor: actorOf(input),
          action: input.status === 'suspended' ? 'membership.suspended' : 'membership.restored',
          target: { type: 'membership', id: _id },
          userId: input.userId,
          before: { status: input.status === 'suspended' ? 'active' : 'suspended' },
          after: { status: input.status },
        });
      if (membership.status === input.status) {
        // A retry after the change: audit it (once, by key) rather than call it unchanged.
        if (!sameRun(membership.statusChangedBy, input.run)) return 'unchanged';
        await audit();
        return 'changed';
      }
      if (input.status === 'active' && membership.suspendedBy !== input.by && input.override !== true) return 'not-ours';
      await store.memberships.setStatus(_id, input.status, input.status === 'suspended' ? input.by : null, input.run);
      await audit();
      return 'changed';
    },

    /** The grants a directory gave this member (what a suspension revokes), or every grant of the membership (`all`: what a removal revokes). */
    async directoryGrantsOf(input: { tenantId: string; userId: string; directoryId: string; all?: boolean }): Promise<HeldGrant[]> {
      const membershipId = membershipKey(input.tenantId, input.userId);
      const source = directorySource(input.directoryId);
      return ((await store.grants.of([membershipId])).get(membershipId) ?? []).filter((g) => input.all === true || g.source === source);
    },

    /**
     * Remove a membership (its grants are revoked before). On a directory's
     * word (tenant setting `deprovision: remove`) a hold goes in first, so a
     * sign-in racing with it never finds neither membership nor hold; an
     * admin's removal (no `directoryId`) leaves none. The membership goes,
     * audited once. The account and other tenants are untouched.
     */
    async removeMembership(input: RunScoped & { tenantId: string; userId: string; directoryId?: string }): Promise<'removed' | 'absent'> {
      const _id = membershipKey(input.tenantId, input.userId);
      if (input.directoryId) await store.directoryHolds.hold(_id, input.directoryId);
      const membership = await store.memberships.byKey(input.tenantId, input.userId);
      if (!membership) return 'absent';
      await runAudit(input.run, `membership.removed.${input.userId}`, {
        tenantId: input.tenantId,
        actor: actorOf(input),
        action: 'membership.removed',
        target: { type: 'membership', id: _id },
        userId: input.userId,
        before: { status: membership.status, roles: membership.roles },
      });
      // The search document first: a membership made again meanwhile writes its own after.
      await store.memberships.removeSearch(_id);
      await store.memberships.remove(_id);
      return 'removed';
    },

    /** The directory brings a removed person back: sign-ins may add them again. */
    async releaseDirectoryHold(input: { tenantId: string; userId: string }): Promise<void> {
      await store.directoryHolds.release(membershipKey(input.tenantId, input.userId));
    },

    /** End the person's browser sessions for this tenant (sessions record the tenant they signed in to); audited once. */
    async endTenantSessions(input: RunScoped & { tenantId: string; userId: string }): Promise<number> {
      const deletedCount = await store.sessions.endForTenant(input.userId, input.tenantId);
      if (deletedCount > 0) {
        await runAudit(input.run, `sessions.ended.${input.userId}`, {
          tenantId: input.tenantId,
          actor: actorOf(input),
          action: 'sessions.ended',
          target: { type: 'user', id: input.userId },
          userId: input.userId,
          context: { count: deletedCount },
        });
      }
      return deletedCount;
    },

    /** A write the provisioning core refused: audited once, nothing else written. */
    async recordScimRefusal(input: RunScoped & ScimTarget & { write: { id: string; kind: string }; error: ScimRefusal; reason: string }): Promise<void> {
      await runAudit(input.run, `scim.${input.write.id}.refused`, {
        tenantId: input.tenantId,
        actor: actorOf(input),
        action: 'scim.write_refused',
        target: { type: 'scim_user', id: input.scimId },
        reason: input.reason,
        context: { directoryId: input.directoryId, operation: input.write.kind, status: input.error.status },
      });
    },
  };
}

export type DirectoryActivities = ReturnType<typeof directoryActivities>;
