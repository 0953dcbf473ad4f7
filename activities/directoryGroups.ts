import { groupKey } from '../src/store/groups';
import { scimLookupKey } from '../src/store/scimKeys';
import { RECENT_WRITES } from '../src/store/scimGroups';
import { actorOf } from '../src/domain/provisioningContext';
import type { RunRef } from '../src/domain/runRef';
import { changedAttributes, type GroupAttributes } from '../src/scim/groups';
import { storedScimGroup, type ScimGroupWrite, type StoredScimGroup } from '../src/scim/groupWrites';
import type { ScimRefusal } from '../src/scim/userWrites';
import type { DirectoryGroupMemberActivities } from './directoryGroupMembers';
import { claimKeys, releaseKeys } from './scimKeys';
import type { ScimGroupTarget, WriteScoped } from './groupMemberGrants';
import { oid, type ActivitySupport } from './support';

const keysOf = (directoryId: string, a: GroupAttributes) => [
  { attribute: 'displayName', _id: scimLookupKey(directoryId, 'Group', 'displayName', a.displayName) },
  ...(a.externalId ? [{ attribute: 'externalId', _id: scimLookupKey(directoryId, 'Group', 'externalId', a.externalId) }] : []),
];

/**
 * A directory's Groups: the group resource, its unique keys
 * and the tenant group it owns (its members: directoryGroupMembers.ts).
 * Every step is idempotent: keyed inserts and deletes, audit events keyed by
 * run and write.
 */
export function directoryGroupActivities({ store, runAudit, auditedByRun, insertOnce }: ActivitySupport) {
  return {
    /**
     * What a write makes of the stored Group (read only): before, the
     * attributes after (null: deleted), or a refusal; `applied` when this
     * group already applied the write (answered from what is stored).
     * The same write run again after a crash (`run`: the run that asks)
     * reads the Group as it was before it: a rename it recorded reads as not
     * yet recorded, and a Group it deleted reads as a DELETE to finish
     * (`before` null: its remaining steps find nothing left to do).
     */
    async prepareScimGroupWrite(
      input: ScimGroupTarget & { write: ScimGroupWrite; run?: RunRef },
    ): Promise<
      | { ok: true; applied: StoredScimGroup }
      | { ok: true; applied?: undefined; before: StoredScimGroup | null; after: GroupAttributes | null }
      | { ok: false; error: ScimRefusal }
    > {
      const doc = await store.scimGroups.byId(input.directoryId, input.scimId);
      const stored = doc ? storedScimGroup(doc) : null;
      if (doc && stored && (doc.recentWrites ?? []).includes(input.write.id)) return { ok: true, applied: stored };
      const renaming = doc?.renamedFrom?.writeId === input.write.id ? doc.renamedFrom.groupName : null;
      const before = stored && renaming ? { ...stored, groupName: renaming } : stored;
      const { write } = input;
      if (write.kind === 'create') return { ok: true, before, after: write.attributes };
      if (!before && write.kind === 'delete' && input.run && (await auditedByRun(input.run, `scim.${write.id}`, 'scim.group_deleted')))
        return { ok: true, before: null, after: null };
      if (!before) return { ok: false, error: { status: 404, detail: 'no such Group in this directory', code: 'not_found' } };
      if (write.kind === 'delete') return { ok: true, before, after: null };
      return { ok: true, before, after: write.kind === 'replace' ? write.attributes : changedAttributes(before, write.attributes) };
    },

    /** Hold the Group's displayName (and externalId) for it: unique per directory, as its tenant group's name must be. */
    async claimScimGroupKeys(input: ScimGroupTarget & { attributes: GroupAttributes }): Promise<{ ok: true } | { ok: false; error: ScimRefusal }> {
      return claimKeys(store.scimKeys, input.directoryId, input.scimId, keysOf(input.directoryId, input.attributes), 'Group');
    },

    async releaseScimGroupKeys(input: ScimGroupTarget & { previous: GroupAttributes | null; current: GroupAttributes | null }): Promise<void> {
      if (!input.previous) return;
      const ids = (a: GroupAttributes | null) => (a ? keysOf(input.directoryId, a).map((k) => k._id) : []);
      await releaseKeys(store.scimKeys, input.scimId, ids(input.previous), ids(input.current));
    },

    /**
     * The tenant group a directory group owns: created (audited once) unless
     * it exists; a tenant group of that name that is not this directory's
     * (an admin's, an IdP's, another directory's) is a refusal — a directory
     * never takes over a group it did not create. `rolesFrom`: the group a
     * rename copies its roles from.
     */
    async ensureDirectoryGroup(input: WriteScoped & { name: string; rolesFrom: string | null }): Promise<{ ok: true } | { ok: false; error: ScimRefusal }> {
      const owner = `directory:${input.directoryId}`;
      const _id = groupKey(input.tenantId, input.name);
      const existing = await store.groups.byName(input.tenantId, input.name);
      if (existing) {
        return existing.createdFrom === owner
          ? { ok: true }
          : {
              ok: false,
              error: {
                status: 409,
                scimType: 'uniqueness',
                detail: `the organization already has a group named "${input.name.slice(0, 100)}" that this directory does not own`,
                code: 'scim_uniqueness',
              },
            };
      }
      const roles = input.rolesFrom ? ((await store.groups.byName(input.tenantId, input.rolesFrom))?.roles ?? []) : [];
      const { doc } = await insertOnce(
        store.groups.keyed,
        _id,
        { tenantId: oid(input.tenantId), name: input.name, roles, createdFrom: owner },
        input.run,
        () => ({
          step: `${input.writeId}.group.created`,
          event: {
            tenantId: input.tenantId,
            actor: actorOf(input),
            action: 'group.created',
            target: { type: 'group', id: input.name },
            after: { name: input.name, roles },
          },
        }),
      );
      return doc.createdFrom === owner
        ? { ok: true }
        : {
            ok: false,
            error: {
              status: 409,
              scimType: 'uniqueness',
              detail: `the organization already has a group named "${input.name.slice(0, 100)}"`,
              code: 'scim_uniqueness',
            },
          };
    },

    /** The tenant group a directory group owned, once nobody holds it (a rename's old name, a deleted group): audited once. */
    async dropDirectoryGroup(input: WriteScoped & { name: string }): Promise<void> {
      const group = await store.groups.byName(input.tenantId, input.name);
      if (!group || group.createdFrom !== `directory:${input.directoryId}`) return;
      await runAudit(input.run, `${input.writeId}.group.deleted.${input.name}`, {
        tenantId: input.tenantId,
        actor: actorOf(input),
        action: 'group.deleted',
        target: { type: 'group', id: input.name },
        before: { name: input.name, roles: group.roles },
      });
      await store.groups.deleteByName(input.tenantId, input.name);
    },

    /** Write the Group as this write leaves it, audit it once, and drop the write's staged members. */
    async storeScimGroup(
      input: WriteScoped & { kind: ScimGroupWrite['kind']; attributes: GroupAttributes; version: number; created: boolean; stagedChunks: number[] },
    ): Promise<StoredScimGroup> {
      const seen = await store.scimGroups.recentWritesOf(input.directoryId, input.scimId);
      const recentWrites = seen.includes(input.writeId) ? seen : [...seen, input.writeId].slice(-RECENT_WRITES);
      await store.scimGroups.put(
        input.directoryId,
        input.scimId,
        {
          displayName: input.attributes.displayName,
          externalId: input.attributes.externalId,
          groupName: input.attributes.displayName,
          version: input.version,
          lastWrite: input.writeId,
          recentWrites,
          renamedFrom: null,
        },
        oid(input.tenantId),
      );
      await runAudit(input.run, `scim.${input.writeId}`, {
        tenantId: input.tenantId,
        actor: actorOf(input),
        action: input.created ? 'scim.group_created' : 'scim.group_updated',
        target: { type: 'scim_group', id: input.scimId },
        context: { directoryId: input.directoryId, operation: input.kind, displayName: input.attributes.displayName, externalId: input.attributes.externalId },
      });
      for (const [op, chunks] of input.stagedChunks.entries()) {
        for (let c = 0; c < chunks; c++) await store.scimGroups.dropStagedChunk(input.writeId, op, c);
      }
      const doc = await store.scimGroups.byId(input.directoryId, input.scimId);
      if (!doc) throw new Error('the stored SCIM group vanished');
      return storedScimGroup(doc);
    },

    /** DELETE, once its members are gone: the resource and its keys; audited once. */
    async deleteScimGroup(input: WriteScoped & { attributes: GroupAttributes }): Promise<void> {
      await runAudit(input.run, `scim.${input.writeId}`, {
        tenantId: input.tenantId,
        actor: actorOf(input),
        action: 'scim.group_deleted',
        target: { type: 'scim_group', id: input.scimId },
        context: { directoryId: input.directoryId, operation: 'delete', displayName: input.attributes.displayName },
      });
      for (const k of keysOf(input.directoryId, input.attributes)) await store.scimKeys.release(k._id, input.scimId);
      await store.scimGroups.remove(input.directoryId, input.scimId);
    },

    /** A refused group write: audited once, nothing else written. */
    async recordScimGroupRefusal(input: WriteScoped & { kind: string; error: ScimRefusal; reason: string }): Promise<void> {
      await runAudit(input.run, `scim.${input.writeId}.refused`, {
        tenantId: input.tenantId,
        actor: actorOf(input),
        action: 'scim.write_refused',
        target: { type: 'scim_group', id: input.scimId },
        reason: input.reason,
        context: { directoryId: input.directoryId, operation: input.kind, status: input.error.status },
      });
    },

    /**
     * A rename's new name, recorded before its grants move: a member
     * reactivated meanwhile is granted the new name. `writeId` and `from`
     * (the tenant group the grants move from) are kept until the store, so
     * the write run again after a crash still moves them.
     */
    async renameScimGroup(input: ScimGroupTarget & { name: string; writeId?: string; from?: string }): Promise<void> {
      const renamedFrom = input.writeId && input.from ? { renamedFrom: { writeId: input.writeId, groupName: input.from } } : {};
      await store.scimGroups.rename(input.directoryId, input.scimId, { groupName: input.name, ...renamedFrom });
    },
  };
}

export type DirectoryGroupActivities = ReturnType<typeof directoryGroupActivities> & DirectoryGroupMemberActivities;
