import type { Types } from 'mongoose';
import type { Models } from '../store/models';
import { encodeCursor, page, type DocId } from './pagination';
import { membershipKey } from '../store/models/membership';
import { listCustomAttributes } from '../store/userAttributes';
import { accessOf } from '../store/access';
import { normalizeEmail } from '../domain/email';
import { grantsOf } from '../store/grants';
import { groupKey } from '../store/models/group';

/** What the console's member list may narrow by: an email or name prefix, a status, an effective role, a group. */
export interface MemberFilter {
  q?: string | undefined;
  status?: 'active' | 'suspended' | undefined;
  role?: string | undefined;
  group?: string | undefined;
}

/** Memberships a search examines in one batch, and at most per page: a page never reads the whole tenant. */
const SEARCH_BATCH = 250;
export const SEARCH_SCAN_MAX = 2000;

export function createMemberLibrary(models: Models) {
  type MembershipLean = {
    _id: string;
    tenantId: Types.ObjectId;
    userId: Types.ObjectId;
    roles: string[];
    hasGrants?: boolean | null;
    status: string;
    createdAt: Date;
  };
  /** Memberships as list rows: their accounts' email and name, effective roles and groups. */
  const rowsOf = async (kept: MembershipLean[]) => {
    const [users, access] = await Promise.all([models.users.find({ _id: { $in: kept.map((m) => m.userId) } }).lean(), accessOf(models, kept)]);
    const byId = new Map(users.map((u) => [String(u._id), u]));
    return kept.map((m) => {
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
    });
  };
  type MemberRow = Awaited<ReturnType<typeof rowsOf>>[number];

  return {
    async listForTenant(tenantId: Types.ObjectId, limit: number, after: DocId | null) {
      const rows = await models.memberships
        .find({ tenantId, ...(after ? { _id: { $gt: after } } : {}) })
        .sort({ _id: 1 })
        .limit(limit + 1)
        .lean();
      const { rows: kept, nextCursor } = page(rows, limit);
      return { data: await rowsOf(kept), nextCursor };
    },

    /**
     * Members matching a filter, in membership order, paged by cursor: reads
     * the tenant's memberships (of that status) in batches after the cursor and
     * keeps those whose email or name starts with `q` (case-insensitive),
     * whose effective roles include `role` and whose groups include `group`. A page reads at most
     * SEARCH_SCAN_MAX memberships; when it stops there, it may hold fewer rows
     * than asked and its cursor continues the search.
     */
    async searchForTenant(tenantId: Types.ObjectId, filter: MemberFilter, limit: number, after: DocId | null, scanMax = SEARCH_SCAN_MAX) {
      const q = filter.q?.trim().toLowerCase() ?? '';
      const matches = (m: MemberRow) =>
        (!q || (m.email ?? '').toLowerCase().startsWith(q) || (m.name ?? '').toLowerCase().startsWith(q)) &&
        (!filter.role || m.roles.includes(filter.role)) &&
        (!filter.group || m.groups.includes(filter.group));
      const found: Array<MemberRow & { _id: string }> = [];
      let cursor = after;
      let scanned = 0;
      for (;;) {
        const batch = await models.memberships
          .find({ tenantId, ...(filter.status ? { status: filter.status } : {}), ...(cursor ? { _id: { $gt: cursor } } : {}) })
          .sort({ _id: 1 })
          .limit(Math.min(SEARCH_BATCH, scanMax))
          .lean();
        scanned += batch.length;
        for (const row of await rowsOf(batch)) {
          if (!matches(row)) continue;
          found.push({ ...row, _id: row.membershipId });
          if (found.length > limit) break;
        }
        const last = batch[batch.length - 1];
        if (found.length > limit) {
          const kept = found.slice(0, limit);
          return { data: kept.map(({ _id, ...row }) => row), nextCursor: encodeCursor(kept[kept.length - 1]?._id ?? '') };
        }
        if (batch.length < SEARCH_BATCH || !last) return { data: found.map(({ _id, ...row }) => row), nextCursor: null };
        cursor = last._id;
        if (scanned >= scanMax) return { data: found.map(({ _id, ...row }) => row), nextCursor: encodeCursor(cursor) };
      }
    },

    /**
     * One member for the console's member page: identities at this tenant's
     * connections are read by the identity library; here the membership, the
     * grants with their sources, and what roles they carry.
     */
    async accessDetail(tenantId: Types.ObjectId, userId: string) {
      const membership = await models.memberships.findById(membershipKey(String(tenantId), userId)).lean();
      if (!membership) return null;
      const [grants, access] = await Promise.all([grantsOf(models, [membership._id]), accessOf(models, [membership])]);
      const held = grants.get(membership._id) ?? [];
      const groupIds = [...new Set(held.filter((g) => g.kind === 'group').map((g) => groupKey(String(tenantId), g.value)))];
      const groups = groupIds.length ? await models.groups.find({ _id: { $in: groupIds } }, { name: 1, roles: 1 }).lean() : [];
      const rolesOfGroup = new Map(groups.map((g) => [String(g._id), [...(g.roles ?? [])]]));
      return {
        directRoles: [...membership.roles],
        /** Each grant with where it came from (`idp:<connection>`, `admin`, `directory`); a group's grant with the roles it carries. */
        grants: held.map((g) => ({
          kind: g.kind,
          value: g.value,
          source: g.source,
          grantedAt: g.grantedAt,
          grantedBy: g.grantedBy,
          groupRoles: g.kind === 'group' ? (rolesOfGroup.get(groupKey(String(tenantId), g.value)) ?? []) : [],
        })),
        effective: access.get(membership._id) ?? { roles: [...membership.roles], groups: [] },
        status: membership.status,
        suspendedBy: membership.suspendedBy ?? null,
        createdAt: membership.createdAt,
        updatedAt: membership.updatedAt,
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

    /** The user id of the tenant's member with this email, or null (no such account, or not a member here). */
    async idByEmail(tenantId: Types.ObjectId, email: string): Promise<string | null> {
      const normalized = normalizeEmail(email);
      const user = normalized ? await models.users.findOne({ email: normalized }, { _id: 1 }).lean() : null;
      if (!user) return null;
      const membership = await models.memberships.findById(membershipKey(String(tenantId), String(user._id)), { _id: 1 }).lean();
      return membership ? String(user._id) : null;
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
