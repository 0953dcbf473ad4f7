import { Types } from 'mongoose';
import { grantEvent } from '../store/grants';
import type { Store } from '../store/store';
import { BUILT_IN_ROLES, isOwner } from '../domain/roles';
import { checkTenantRoles, loadTenantRoles } from './tenantRoles';
import { DEFAULT_GROUP_SYNC, tenantRoles, type Grant, type GroupSyncSettings } from '../domain/groups';
import { conflict, isDuplicateKeyError, notFound, validationError } from '../errors';
import { page, type DocId } from './pagination';
import { refuseOwnerGrant } from './ownerGrants';

type Actor = { type: 'admin'; id: string | null };

export interface RoleSettings {
  custom: string[];
  ownerFromIdp: boolean;
}

const adminGrant = (group: string): Grant => ({ kind: 'group', value: group, source: 'admin' });

/** Who changes a group's roles: `mayGrantOwner: false` (a console admin who is not an owner) may not give or take the owner role. */
export interface GroupRoleOptions {
  mayGrantOwner?: boolean;
}

/**
 * Tenant roles and groups, group grants by admins, and a connection's group
 * mappings (admin API). Every change is audited with before and after; a
 * sign-in never revokes what is granted here (source `admin`).
 */
export function createGroupLibrary(store: Store) {
  const groupRolesOf = async (tenantId: Types.ObjectId) =>
    Object.fromEntries((await store.groups.inTenant(tenantId)).map((g) => [g.name, [...(g.roles ?? [])]]));

  const requireGroup = async (tenantId: Types.ObjectId, name: string) => {
    const group = await store.groups.byName(tenantId, name);
    if (!group) throw notFound(`group "${name}"`);
    return group;
  };

  const requireMembership = async (tenantId: Types.ObjectId, userId: string) => {
    const membership = await store.memberships.byKey(tenantId, userId);
    if (!membership) throw notFound('member of this tenant');
    return membership;
  };

  /** Groups as answered, with how many members hold each (by any source). */
  const presentGroups = async (
    tenantId: Types.ObjectId,
    groups: Array<{ name: string; roles?: string[] | null; createdFrom: string; createdAt?: Date | null }>,
  ) => {
    const grants = await store.groups.holdersOf(
      tenantId,
      groups.map((g) => g.name),
    );
    const holders = new Map<string, Set<string>>();
    for (const g of grants) holders.set(g.value, (holders.get(g.value) ?? new Set()).add(g.membershipId));
    return groups.map((g) => ({
      name: g.name,
      roles: [...(g.roles ?? [])],
      createdFrom: g.createdFrom,
      memberCount: holders.get(g.name)?.size ?? 0,
      createdAt: g.createdAt ?? null,
    }));
  };

  return {
    async roleSettings(tenantId: Types.ObjectId): Promise<RoleSettings & { roles: string[] }> {
      return loadTenantRoles(store, tenantId);
    },

    async setRoleSettings(tenantId: Types.ObjectId, input: RoleSettings, actor: Actor) {
      const builtIn = input.custom.find((r) => (BUILT_IN_ROLES as readonly string[]).includes(r));
      if (builtIn) throw validationError('custom', `"${builtIn}" is a built-in role`);
      const before = await store.tenantChanges.change(tenantId, (tenant) => {
        const dropped = (tenant.jit?.defaultRoles ?? []).find((r) => !tenantRoles(input.custom).includes(r));
        if (dropped) throw validationError('custom', `"${dropped}" is a default role of new members; keep it or change the JIT defaults first`);
        return { set: { roles: input }, result: tenant };
      });
      await store.audit.recordAction({
        tenantId: String(tenantId),
        actor,
        action: 'tenant.roles_updated',
        target: { type: 'tenant', id: String(tenantId) },
        before: { roles: before.roles ?? null },
        after: { roles: input },
      });
      return { roles: tenantRoles(input.custom), ...input };
    },

    async list(tenantId: Types.ObjectId) {
      const groups = await store.groups.byNameOrder(tenantId);
      return presentGroups(tenantId, groups);
    },

    /** The tenant's groups by name, a page at a time (the cursor: the last group's key). */
    async listPage(tenantId: Types.ObjectId, limit: number, after: DocId | null) {
      const rows = await store.groups.after(tenantId, after, limit);
      const { rows: kept, nextCursor } = page(rows, limit);
      return { data: await presentGroups(tenantId, kept), nextCursor };
    },

    async create(tenantId: Types.ObjectId, input: { name: string; roles: string[] }, actor: Actor, opts: GroupRoleOptions = {}) {
      const { roles } = await loadTenantRoles(store, tenantId);
      checkTenantRoles('roles', input.roles, roles);
      if (opts.mayGrantOwner === false && isOwner(input.roles)) throw await refuseOwnerGrant(store, tenantId, actor, `group "${input.name}"`);
      try {
        await store.groups.createByAdmin(tenantId, input.name, input.roles);
      } catch (err) {
        if (isDuplicateKeyError(err)) throw conflict('group_exists', `group "${input.name}" already exists`);
        throw err;
      }
      await store.audit.recordAction({
        tenantId: String(tenantId),
        actor,
        action: 'group.created',
        target: { type: 'group', id: input.name },
        after: { name: input.name, roles: input.roles },
      });
      return { name: input.name, roles: input.roles, createdFrom: 'admin', memberCount: 0, createdAt: new Date() };
    },

    async setRoles(tenantId: Types.ObjectId, name: string, roles: string[], actor: Actor, opts: GroupRoleOptions = {}) {
      checkTenantRoles('roles', roles, (await loadTenantRoles(store, tenantId)).roles);
      const refuse = () => refuseOwnerGrant(store, tenantId, actor, `group "${name}"`);
      if (opts.mayGrantOwner === false && isOwner(roles)) throw await refuse();
      // In turn with the group's other writers (store/turns.ts): a non-owner is refused a group that grants owner as it is
      // when the change is made, not as it was read before another admin's change.
      const grantsOwner = new Error('the group grants owner');
      const before = await store.groups
        .change(
          tenantId,
          name,
          () => requireGroup(tenantId, name),
          (group) => {
            if (opts.mayGrantOwner === false && isOwner(group.roles ?? [])) throw grantsOwner;
            return { set: { roles }, result: group };
          },
        )
        .catch(async (err: unknown) => {
          throw err === grantsOwner ? await refuse() : err;
        });
      await store.audit.recordAction({
        tenantId: String(tenantId),
        actor,
        action: 'group.roles_updated',
        target: { type: 'group', id: name },
        before: { roles: before.roles },
        after: { roles },
      });
      return { name, roles };
    },

    /** Members holding the group, with every source that grants it. */
    async members(tenantId: Types.ObjectId, name: string) {
      await requireGroup(tenantId, name);
      const grants = await store.groups.grantsOf(tenantId, name);
      const byUser = new Map<string, typeof grants>();
      for (const g of grants) byUser.set(String(g.userId), [...(byUser.get(String(g.userId)) ?? []), g]);
      const users = await store.groups.users([...byUser.keys()]);
      const emailOf = new Map(users.map((u) => [String(u._id), u.email]));
      return [...byUser].map(([userId, held]) => ({
        userId,
        email: emailOf.get(userId) ?? null,
        sources: held.map((g) => ({ source: g.source, grantedAt: g.createdAt ?? null, grantedBy: g.grantedBy ?? null })),
      }));
    },

    /** A member's groups and effective roles in the tenant, with the source of each grant. */
    async access(tenantId: Types.ObjectId, userId: string) {
      const membership = await requireMembership(tenantId, userId);
      const id = String(membership._id);
      const [access, grants] = await Promise.all([store.access.of([membership]), store.grants.of([id])]);
      return {
        userId,
        directRoles: [...membership.roles],
        groups: access.get(id)?.groups ?? [],
        roles: access.get(id)?.roles ?? [],
        grants: (grants.get(id) ?? []).map((g) => ({ kind: g.kind, value: g.value, source: g.source, grantedAt: g.grantedAt, grantedBy: g.grantedBy })),
      };
    },

    /** Grant a group to a member as an admin; `created` false when the admin grant already existed. */
    async grant(tenantId: Types.ObjectId, userId: string, name: string, actor: Actor) {
      await requireGroup(tenantId, name);
      const membership = await requireMembership(tenantId, userId);
      const member = { membershipId: String(membership._id), tenantId: String(tenantId), userId };
      const result = await store.grants.apply(member, adminGrant(name), { grantedBy: actor.id, run: null });
      if (result === 'granted') {
        await store.audit.recordAction({ tenantId: String(tenantId), actor, ...grantEvent(adminGrant(name), 'granted', userId) });
      }
      return { created: result === 'granted' };
    },

    /** Revoke an admin's grant of the group. Grants from an IdP stay (the next sign-in would restore them). */
    async revoke(tenantId: Types.ObjectId, userId: string, name: string, actor: Actor) {
      const membership = await requireMembership(tenantId, userId);
      const id = String(membership._id);
      const grant = adminGrant(name);
      if (!(await store.grants.holds(id, grant))) {
        const others = ((await store.grants.of([id])).get(id) ?? []).filter((g) => g.kind === 'group' && g.value === name).map((g) => g.source);
        throw notFound(
          others.length > 0
            ? `admin grant of group "${name}" (the member holds it from ${others.join(', ')}; change the IdP or the mapping)`
            : `grant of group "${name}"`,
        );
      }
      await store.grants.remove(id, grant);
      await store.audit.recordAction({ tenantId: String(tenantId), actor, ...grantEvent(grant, 'revoked', userId) });
    },

    async groupSync(tenantId: Types.ObjectId, connectionId: string): Promise<GroupSyncSettings> {
      const conn = await store.groups.connection(connectionId);
      if (!conn || String(conn.tenantId) !== String(tenantId)) throw notFound('connection of this tenant');
      return (conn.groupSync ?? DEFAULT_GROUP_SYNC) as GroupSyncSettings;
    },

    /** Replace a connection's mappings and sync mode; mapped groups must exist and roles be the tenant's. */
    async setGroupSync(tenantId: Types.ObjectId, connectionId: string, settings: GroupSyncSettings, actor: Actor) {
      const { roles } = await loadTenantRoles(store, tenantId);
      const groupRoles = await groupRolesOf(tenantId);
      for (const [i, m] of settings.mappings.entries()) {
        if (m.group !== null && !(m.group in groupRoles)) throw validationError(`mappings.${i}.group`, `group "${m.group}" does not exist; create it first`);
        checkTenantRoles(`mappings.${i}.roles`, m.roles, roles);
      }
      await store.connections.setSetting(tenantId, connectionId, 'groupSync', settings, 'connection.group_sync_updated', actor);
      return settings;
    },
  };
}
