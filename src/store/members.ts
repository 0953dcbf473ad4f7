import type { Types } from 'mongoose';
import type { Models } from './models';
import type { DocId } from './docId';
import { membershipKey } from './models/membership';
import { groupKey } from './models/group';
import { accessOf } from './access';
import { grantsOf } from './grants';
import { listCustomAttributes } from './userAttributes';

/** A membership as the member library reads it. */
export interface MembershipRow {
  _id: string;
  tenantId: Types.ObjectId;
  userId: Types.ObjectId;
  roles: string[];
  hasGrants?: boolean | null;
  status: string;
  suspendedBy?: string | null;
  createdAt: Date;
  updatedAt?: Date;
}

/** An account as the member library shows it. */
export interface MemberUserRow {
  _id: Types.ObjectId;
  email?: string | null;
  name?: string | null;
  attributes?: unknown;
}

/**
 * Grant `_id`s start with their membership's `_id` and a colon
 * (store/grants.ts), and membership `_id`s are of one length: every grant of
 * a membership after `after` sorts after `after;` (`;` follows `:`), and
 * none of `after`'s own does.
 */
const grantsAfter = (after: string | null) => (after ? { _id: { $gt: `${after};` } } : {});
const idsAfter = (after: string | null) => (after ? { _id: { $gt: after } } : {});

/** A collection keyed by membership `_id` that a candidate list reads (memberships, search documents). */
interface KeyedByMembership {
  find(
    filter: Record<string, unknown>,
    projection: { _id: 1 },
  ): {
    sort(by: { _id: 1 }): { limit(n: number): { lean(): PromiseLike<Array<{ _id: string }>> } };
  };
}

/** Up to `limit` `_id`s after `after` of the documents matching `filter`, in `_id` order: one candidate list. */
const idsWhere = async (model: KeyedByMembership, filter: Record<string, unknown>, after: string | null, limit: number): Promise<string[]> =>
  (
    await model
      .find({ ...filter, ...idsAfter(after) }, { _id: 1 })
      .sort({ _id: 1 })
      .limit(limit)
      .lean()
  ).map((d) => d._id);

/**
 * Members: memberships with their accounts, access and grants, and the
 * member search's candidate lists. Each candidate list answers up to `limit`
 * membership `_id`s after `after`, in `_id` order, from a query that returns
 * only memberships matching that one filter — so a page reads what it shows,
 * whatever the tenant's size.
 */
export function createMemberStore(models: Models) {
  return {
    /** Up to `limit + 1` memberships of the tenant after `after`, in `_id` order (the caller pages). */
    pageOfTenant: (tenantId: Types.ObjectId, after: DocId | null, limit: number): Promise<MembershipRow[]> =>
      models.memberships
        .find({ tenantId, ...(after ? { _id: { $gt: after } } : {}) })
        .sort({ _id: 1 })
        .limit(limit + 1)
        .lean(),
    /** Memberships by `_id`, one lookup each (never `$in`), in the order given; absent ones left out. */
    byIds: async (ids: readonly string[]): Promise<MembershipRow[]> =>
      (await Promise.all(ids.map((id) => models.memberships.findById(id).lean()))).flatMap((m) => (m ? [m] : [])),
    /** The tenant's membership of a user, or null. */
    ofUser: (tenantId: Types.ObjectId, userId: string): Promise<MembershipRow | null> =>
      models.memberships.findById(membershipKey(String(tenantId), userId)).lean(),
    /** Whether the user is a member of the tenant (an `_id` lookup). */
    isMember: async (tenantId: Types.ObjectId, userId: string) =>
      (await models.memberships.findById(membershipKey(String(tenantId), userId), { _id: 1 }).lean()) !== null,
    /** Every membership of a user, in `_id` order (its own few). */
    ofAccount: (userId: Types.ObjectId): Promise<MembershipRow[]> => models.memberships.find({ userId }).sort({ _id: 1 }).lean(),
    /** Accounts by `_id`, one lookup each (never `$in`). */
    usersByIds: async (ids: readonly Types.ObjectId[]): Promise<MemberUserRow[]> =>
      (await Promise.all([...new Set(ids.map(String))].map((id) => models.users.findById(id).lean()))).flatMap((u) => (u ? [u] : [])),
    /** One account, or null. */
    user: (userId: string | Types.ObjectId): Promise<MemberUserRow | null> => models.users.findById(userId).lean(),
    /** The `_id` of the account with this (normalized) email, or null. */
    userIdByEmail: async (email: string): Promise<string | null> => {
      const user = await models.users.findOne({ email }, { _id: 1 }).lean();
      return user ? String(user._id) : null;
    },
    /** Tenants by `_id` (a user's few memberships' tenants). */
    tenantsByIds: (ids: readonly Types.ObjectId[]) => models.tenants.find({ _id: { $in: ids } }).lean(),
    /** Effective groups and roles of memberships (store/access.ts). */
    access: (memberships: readonly MembershipRow[]) => accessOf(models, memberships),
    /** Every grant of these memberships (store/grants.ts). */
    grants: (membershipIds: readonly string[]) => grantsOf(models, membershipIds),
    /** The tenant's groups of these names with their roles. */
    groupsNamed: async (tenantId: Types.ObjectId, names: readonly string[]) =>
      names.length ? models.groups.find({ _id: { $in: names.map((n) => groupKey(String(tenantId), n)) } }, { name: 1, roles: 1 }).lean() : [],
    /** An account's custom attributes (store/userAttributes.ts). */
    customAttributes: (user: MemberUserRow) => listCustomAttributes(models, user),

    // The member search's candidate lists.
    /** The tenant's memberships after `after`. */
    idsOfTenant: (tenantId: Types.ObjectId, after: string | null, limit: number) => idsWhere(models.memberships, { tenantId }, after, limit),
    /** Memberships whose search document holds the term (store/memberSearch.ts). */
    idsByTerm: (tenantId: Types.ObjectId, term: string, after: string | null, limit: number) =>
      idsWhere(models.memberSearch, { tenantId, terms: term }, after, limit),
    /** Memberships of a status. */
    idsByStatus: (tenantId: Types.ObjectId, status: string, after: string | null, limit: number) =>
      idsWhere(models.memberships, { tenantId, status }, after, limit),
    /** Memberships holding a role directly. */
    idsByDirectRole: (tenantId: Types.ObjectId, role: string, after: string | null, limit: number) =>
      idsWhere(models.memberships, { tenantId, roles: role }, after, limit),
    /** Memberships granted a group or a role of one of these values, one `_id` per grant (a member holding it from two sources appears twice). */
    idsByGrant: async (tenantId: Types.ObjectId, kind: 'group' | 'role', values: readonly string[], after: string | null, limit: number): Promise<string[]> =>
      values.length === 0
        ? []
        : (
            await models.grants
              .find({ tenantId, kind, value: values.length === 1 ? values[0] : { $in: [...values] }, ...grantsAfter(after) }, { membershipId: 1 })
              .sort({ _id: 1 })
              .limit(limit)
              .lean()
          ).map((g) => g.membershipId),
  };
}

export type MemberStore = ReturnType<typeof createMemberStore>;
