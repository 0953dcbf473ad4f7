import type { Types } from 'mongoose';
import type { Store } from '../store/store';
import type { MembershipRow } from '../store/members';
import { encodeCursor, page, type DocId } from './pagination';
import { normalizeEmail } from '../domain/email';
import { lookupTerm, matchesQuery, normalizeQuery } from '../domain/memberSearch';

/** The most groups of one tenant carrying one role that a role filter follows (groups are configuration: admins make them). */
const ROLE_GROUPS_MAX = 1000;

/** What the console's member list may narrow by: an email or name prefix, a status, an effective role, a group. */
export interface MemberFilter {
  q?: string | undefined;
  status?: 'active' | 'suspended' | undefined;
  role?: string | undefined;
  group?: string | undefined;
}

/** Candidates a search examines at most per page when it combines filters (one filter finds only matches): then its cursor continues. */
export const SEARCH_SCAN_MAX = 2000;

/** One candidate list: up to `limit` membership `_id`s after `after`, in `_id` order (repeats allowed). */
type Candidates = (after: string | null, limit: number) => Promise<string[]>;

/**
 * The union of candidate lists, up to `limit` from each: every `_id` up to
 * the horizon (the smallest last `_id` of a list that may hold more), so none
 * is skipped; `horizon` null when every list is exhausted.
 */
async function merged(lists: readonly Candidates[], after: string | null, limit: number): Promise<{ ids: string[]; horizon: string | null }> {
  const answers = await Promise.all(lists.map((list) => list(after, limit)));
  let horizon: string | null = null;
  for (const ids of answers) {
    const last = ids[ids.length - 1];
    if (ids.length >= limit && last !== undefined && (horizon === null || last < horizon)) horizon = last;
  }
  const ids = [...new Set(answers.flat())].filter((id) => horizon === null || id <= horizon).sort();
  return { ids, horizon };
}

export function createMemberLibrary(store: Store) {
  const members = store.members;
  /** Memberships as list rows: their accounts' email and name, effective roles and groups. */
  const rowsOf = async (kept: MembershipRow[]) => {
    const [users, access] = await Promise.all([members.usersByIds(kept.map((m) => m.userId)), members.access(kept)]);
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

  /**
   * The candidate lists of a filter, each returning only memberships that
   * match one of its parts (the rest is checked on the rows): the search
   * documents holding the query's term; else the group's grants; else the
   * role's holders (directly, by a role grant, or through a group's grant);
   * else the status; else every membership of the tenant.
   */
  const candidatesOf = (tenantId: Types.ObjectId, filter: MemberFilter, q: string): Candidates[] => {
    if (q) return [(after, n) => members.idsByTerm(tenantId, lookupTerm(q), after, n)];
    const { group, role, status } = filter;
    if (group) return [(after, n) => members.idsByGrant(tenantId, 'group', [group], after, n)];
    if (role) {
      let groups: Promise<string[]> | null = null;
      return [
        (after, n) => members.idsByDirectRole(tenantId, role, after, n),
        (after, n) => members.idsByGrant(tenantId, 'role', [role], after, n),
        async (after, n) => members.idsByGrant(tenantId, 'group', await (groups ??= store.groups.namesWithRole(tenantId, role, ROLE_GROUPS_MAX)), after, n),
      ];
    }
    if (status) return [(after, n) => members.idsByStatus(tenantId, status, after, n)];
    return [(after, n) => members.idsOfTenant(tenantId, after, n)];
  };

  return {
    async listForTenant(tenantId: Types.ObjectId, limit: number, after: DocId | null) {
      const { rows: kept, nextCursor } = page(await members.pageOfTenant(tenantId, after, limit), limit);
      return { data: await rowsOf(kept), nextCursor };
    },

    /**
     * Members matching a filter, in membership order, paged by cursor: those
     * whose email, name or a word of the name starts with `q`
     * (case-insensitive), of that status, whose effective roles include
     * `role` and whose groups include `group`. Candidates come from queries
     * that return only members matching one part of the filter
     * (`candidatesOf`), each checked in full against the live membership and
     * account — so one filter reads about a page whatever the tenant's size.
     * A page examines at most `scanMax` candidates; when it stops there (a
     * combination of filters that few candidates pass), it may hold fewer
     * rows than asked and its cursor continues the search.
     */
    async searchForTenant(tenantId: Types.ObjectId, filter: MemberFilter, limit: number, after: DocId | null, scanMax = SEARCH_SCAN_MAX) {
      const q = normalizeQuery(filter.q);
      const matches = (m: MemberRow) =>
        matchesQuery(q, m.email, m.name) &&
        (!filter.status || m.status === filter.status) &&
        (!filter.role || m.roles.includes(filter.role)) &&
        (!filter.group || m.groups.includes(filter.group));
      const lists = candidatesOf(tenantId, filter, q);
      const found: MemberRow[] = [];
      let cursor = after === null ? null : String(after);
      let scanned = 0;
      for (;;) {
        const { ids, horizon } = await merged(lists, cursor, Math.min(limit + 1 - found.length, scanMax - scanned));
        scanned += ids.length;
        for (const row of await rowsOf(await members.byIds(ids))) {
          if (!matches(row)) continue;
          found.push(row);
          if (found.length > limit) {
            const kept = found.slice(0, limit);
            return { data: kept, nextCursor: encodeCursor(kept[kept.length - 1]?.membershipId ?? '') };
          }
        }
        if (horizon === null) return { data: found, nextCursor: null };
        cursor = horizon;
        if (scanned >= scanMax) return { data: found, nextCursor: encodeCursor(cursor) };
      }
    },

    /**
     * One member for the console's member page: identities at this tenant's
     * connections are read by the identity library; here the membership, the
     * grants with their sources, and what roles they carry.
     */
    async accessDetail(tenantId: Types.ObjectId, userId: string) {
      const membership = await members.ofUser(tenantId, userId);
      if (!membership) return null;
      const [grants, access] = await Promise.all([members.grants([membership._id]), members.access([membership])]);
      const held = grants.get(membership._id) ?? [];
      const groupNames = [...new Set(held.filter((g) => g.kind === 'group').map((g) => g.value))];
      const groups = await members.groupsNamed(tenantId, groupNames);
      const rolesOfGroup = new Map(groups.map((g) => [g.name, [...(g.roles ?? [])]]));
      return {
        directRoles: [...membership.roles],
        /** Each grant with where it came from (`idp:<connection>`, `admin`, `directory`); a group's grant with the roles it carries. */
        grants: held.map((g) => ({
          kind: g.kind,
          value: g.value,
          source: g.source,
          grantedAt: g.grantedAt,
          grantedBy: g.grantedBy,
          groupRoles: g.kind === 'group' ? (rolesOfGroup.get(g.value) ?? []) : [],
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
      const membership = await members.ofUser(tenantId, userId);
      const user = membership ? await members.user(userId) : null;
      if (!membership || !user) return null;
      const access = (await members.access([membership])).get(membership._id);
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
        attributes: await members.customAttributes(user),
      };
    },

    /** The user id of the tenant's member with this email, or null (no such account, or not a member here). */
    async idByEmail(tenantId: Types.ObjectId, email: string): Promise<string | null> {
      const normalized = normalizeEmail(email);
      const userId = normalized ? await members.userIdByEmail(normalized) : null;
      if (!userId) return null;
      return (await members.isMember(tenantId, userId)) ? userId : null;
    },

    /** The signed-in user and every membership, for GET /api/me. */
    async me(userId: string) {
      const user = await members.user(userId);
      if (!user) return null;
      const memberships = await members.ofAccount(user._id);
      const [tenants, access] = await Promise.all([members.tenantsByIds(memberships.map((m) => m.tenantId)), members.access(memberships)]);
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
