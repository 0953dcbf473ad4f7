import { Types } from 'mongoose';
import { recordAction } from '../store/audit';
import { findConnection, setConnectionSetting } from '../store/connections';
import { applyGrant, grantEvent, grantsOf, holdsGrant, removeGrant } from '../store/grants';
import type { Models } from '../store/models';
import { changeDocument } from '../store/turns';
import { changeTenant } from '../store/tenantChanges';
import { groupKey } from '../store/models/group';
import { membershipKey } from '../store/models/membership';
import { BUILT_IN_ROLES, isOwner } from '../domain/roles';
import { accessOf } from '../store/access';
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
export function createGroupLibrary(models: Models) {
  const groupRolesOf = async (tenantId: Types.ObjectId) =>
    Object.fromEntries((await models.groups.find({ tenantId }).lean()).map((g) => [g.name, [...(g.roles ?? [])]]));

  const requireGroup = async (tenantId: Types.ObjectId, name: string) => {
    const group = await models.groups.findById(groupKey(String(tenantId), name)).lean();
    if (!group) throw notFound(`group "${name}"`);
    return group;
  };

  const requireMembership = async (tenantId: Types.ObjectId, userId: string) => {
    const membership = await models.memberships.findById(membershipKey(String(tenantId), userId)).lean();
    if (!membership) throw notFound('member of this tenant');
    return membership;
  };

  /** Groups as answered, with how many members hold each (by any source). */
  const presentGroups = async (
    tenantId: Types.ObjectId,
    groups: Array<{ name: string; roles?: string[] | null; createdFrom: string; createdAt?: Date | null }>,
  ) => {
    const grants = await models.grants.find({ tenantId, kind: 'group', value: { $in: groups.map((g) => g.name) } }, { value: 1, membershipId: 1 }).lean();
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
      return loadTenantRoles(models, tenantId);
    },

    async setRoleSettings(tenantId: Types.ObjectId, input: RoleSettings, actor: Actor) {
      const builtIn = input.custom.find((r) => (BUILT_IN_ROLES as readonly string[]).includes(r));
      if (builtIn) throw validationError('custom', `"${builtIn}" is a built-in role`);
      const before = await changeTenant(models, tenantId, (tenant) => {
        const dropped = (tenant.jit?.defaultRoles ?? []).find((r) => !tenantRoles(input.custom).includes(r));
        if (dropped) throw validationError('custom', `"${dropped}" is a default role of new members; keep it or change the JIT defaults first`);
        return { set: { roles: input }, result: tenant };
      });
      await recordAction(models, {
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
      const groups = await models.groups.find({ tenantId }).sort({ name: 1 }).limit(5000).lean();
      return presentGroups(tenantId, groups);
    },

    /** The tenant's groups by name, a page at a time (the cursor: the last group's key). */
    async listPage(tenantId: Types.ObjectId, limit: number, after: DocId | null) {
      const rows = await models.groups
        .find({ tenantId, ...(after ? { _id: { $gt: after } } : {}) })
        .sort({ _id: 1 })
        .limit(limit + 1)
        .lean();
      const { rows: kept, nextCursor } = page(rows, limit);
      return { data: await presentGroups(tenantId, kept), nextCursor };
    },

    async create(tenantId: Types.ObjectId, input: { name: string; roles: string[] }, actor: Actor, opts: GroupRoleOptions = {}) {
      const { roles } = await loadTenantRoles(models, tenantId);
      checkTenantRoles('roles', input.roles, roles);
      if (opts.mayGrantOwner === false && isOwner(input.roles)) throw await refuseOwnerGrant(models, tenantId, actor, `group "${input.name}"`);
      try {
        await models.groups.create({ _id: groupKey(String(tenantId), input.name), tenantId, name: input.name, roles: input.roles, createdFrom: 'admin' });
      } catch (err) {
        if (isDuplicateKeyError(err)) throw conflict('group_exists', `group "${input.name}" already exists`);
        throw err;
      }
      await recordAction(models, {
        tenantId: String(tenantId),
        actor,
        action: 'group.created',
        target: { type: 'group', id: input.name },
        after: { name: input.name, roles: input.roles },
      });
      return { name: input.name, roles: input.roles, createdFrom: 'admin', memberCount: 0, createdAt: new Date() };
    },

    async setRoles(tenantId: Types.ObjectId, name: string, roles: string[], actor: Actor, opts: GroupRoleOptions = {}) {
      checkTenantRoles('roles', roles, (await loadTenantRoles(models, tenantId)).roles);
      const refuse = () => refuseOwnerGrant(models, tenantId, actor, `group "${name}"`);
      if (opts.mayGrantOwner === false && isOwner(roles)) throw await refuse();
      // In turn with the group's other writers (store/turns.ts): a non-owner is refused a group that grants owner as it is
      // when the change is made, not as it was read before another admin's change.
      const grantsOwner = new Error('the group grants owner');
      const before = await changeDocument(
        models,
        models.groups,
        'group',
        groupKey(String(tenantId), name),
        () => requireGroup(tenantId, name),
        (group) => {
          if (opts.mayGrantOwner === false && isOwner(group.roles ?? [])) throw grantsOwner;
          return { set: { roles }, result: group };
        },
      ).catch(async (err: unknown) => {
        throw err === grantsOwner ? await refuse() : err;
      });
      await recordAction(models, {
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
      const grants = await models.grants.find({ tenantId, kind: 'group', value: name }).sort({ _id: 1 }).lean();
      const byUser = new Map<string, typeof grants>();
      for (const g of grants) byUser.set(String(g.userId), [...(byUser.get(String(g.userId)) ?? []), g]);
      const users = await models.users.find({ _id: { $in: [...byUser.keys()] } }).lean();
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
      const [access, grants] = await Promise.all([accessOf(models, [membership]), grantsOf(models, [id])]);
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
      const result = await applyGrant(models, member, adminGrant(name), { grantedBy: actor.id, run: null });
      if (result === 'granted') {
        await recordAction(models, { tenantId: String(tenantId), actor, ...grantEvent(adminGrant(name), 'granted', userId) });
      }
      return { created: result === 'granted' };
    },

    /** Revoke an admin's grant of the group. Grants from an IdP stay (the next sign-in would restore them). */
    async revoke(tenantId: Types.ObjectId, userId: string, name: string, actor: Actor) {
      const membership = await requireMembership(tenantId, userId);
      const id = String(membership._id);
      const grant = adminGrant(name);
      if (!(await holdsGrant(models, id, grant))) {
        const others = ((await grantsOf(models, [id])).get(id) ?? []).filter((g) => g.kind === 'group' && g.value === name).map((g) => g.source);
        throw notFound(
          others.length > 0
            ? `admin grant of group "${name}" (the member holds it from ${others.join(', ')}; change the IdP or the mapping)`
            : `grant of group "${name}"`,
        );
      }
      await removeGrant(models, id, grant);
      await recordAction(models, { tenantId: String(tenantId), actor, ...grantEvent(grant, 'revoked', userId) });
    },

    async groupSync(tenantId: Types.ObjectId, connectionId: string): Promise<GroupSyncSettings> {
      const conn = await findConnection(models, connectionId);
      if (!conn || String(conn.tenantId) !== String(tenantId)) throw notFound('connection of this tenant');
      return (conn.groupSync ?? DEFAULT_GROUP_SYNC) as GroupSyncSettings;
    },

    /** Replace a connection's mappings and sync mode; mapped groups must exist and roles be the tenant's. */
    async setGroupSync(tenantId: Types.ObjectId, connectionId: string, settings: GroupSyncSettings, actor: Actor) {
      const { roles } = await loadTenantRoles(models, tenantId);
      const groupRoles = await groupRolesOf(tenantId);
      for (const [i, m] of settings.mappings.entries()) {
        if (m.group !== null && !(m.group in groupRoles)) throw validationError(`mappings.${i}.group`, `group "${m.group}" does not exist; create it first`);
        checkTenantRoles(`mappings.${i}.roles`, m.roles, roles);
      }
      await setConnectionSetting(models, tenantId, connectionId, 'groupSync', settings, 'connection.group_sync_updated', actor);
      return settings;
    },
  };
}
