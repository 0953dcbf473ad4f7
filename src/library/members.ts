import type { Types } from 'mongoose';
import type { Models } from '../db/models';
import { page, type DocId } from './pagination';
import { membershipKey } from '../db/models/membership';
import { listCustomAttributes } from '../db/userAttributes';
import { accessOf } from '../db/access';

export function createMemberLibrary(models: Models) {
  return {
    async listForTenant(tenantId: Types.ObjectId, limit: number, after: DocId | null) {
      const rows = await models.memberships
        .find({ tenantId, ...(after ? { _id: { $gt: after } } : {}) })
        .sort({ _id: 1 })
        .limit(limit + 1)
        .lean();
      const { rows: kept, nextCursor } = page(rows, limit);
      const [users, access] = await Promise.all([models.users.find({ _id: { $in: kept.map((m) => m.userId) } }).lean(), accessOf(models, kept)]);
      const byId = new Map(users.map((u) => [String(u._id), u]));
      return {
        data: kept.map((m) => {
          const u = byId.get(String(m.userId));
          return {
            membershipId: String(m._id),
            userId: String(m.userId),
            email: u?.email ?? null,
            name: u?.name ?? null,
            directRoles: [...m.roles],
            roles: access.get(m._id)?.roles ?? [...m.roles],
            groups: access.get(m._id)?.groups ?? [],
            status: m.status,
            createdAt: m.createdAt,
          };
        }),
        nextCursor,
      };
    },

    /** One member of the tenant with the account's custom attributes; null when not a member. */
    async getForTenant(tenantId: Types.ObjectId, userId: string) {
      const membership = await models.memberships.findById(membershipKey(String(tenantId), userId)).lean();
      const user = membership ? await models.users.findById(userId).lean() : null;
      if (!membership || !user) return null;
      const access = (await accessOf(models, [membership])).get(membership._id);
      return {
        membershipId: String(membership._id),
        userId: String(user._id),
        email: user.email ?? null,
        name: user.name ?? null,
        directRoles: [...membership.roles],
        roles: access?.roles ?? [...membership.roles],
        groups: access?.groups ?? [],
        status: membership.status,
        createdAt: membership.createdAt,
        attributes: await listCustomAttributes(models, user),
      };
    },

    /** The signed-in user and every membership, for GET /api/me. */
    async me(userId: string) {
      const user = await models.users.findById(userId).lean();
      if (!user) return null;
      const memberships = await models.memberships.find({ userId: user._id }).sort({ _id: 1 }).lean();
      const [tenants, access] = await Promise.all([
        models.tenants.find({ _id: { $in: memberships.map((m) => m.tenantId) } }).lean(),
        accessOf(models, memberships),
      ]);
      const tenantById = new Map(tenants.map((t) => [String(t._id), t]));
      return {
        user: { id: String(user._id), email: user.email ?? null, name: user.name ?? null },
        memberships: memberships.map((m) => ({
          tenantId: String(m.tenantId),
          tenantSlug: tenantById.get(String(m.tenantId))?.slug ?? null,
          roles: access.get(m._id)?.roles ?? [...m.roles],
          groups: access.get(m._id)?.groups ?? [],
          status: m.status,
        })),
      };
    },
  };
}
