import type { Types } from 'mongoose';
import { effectiveAccess, tenantRoles } from '../domain/groups';
import { isPrivileged } from '../domain/roles';
import { grantsOf } from './grants';
import type { Models } from './models';
import { groupKey } from './models/group';

interface MembershipRow {
  _id: string;
  tenantId: Types.ObjectId;
  roles: string[];
  hasGrants?: boolean | null;
}

export interface MemberAccess {
  groups: string[];
  roles: string[];
}

/**
 * Effective groups and roles of memberships (of any tenants): direct roles,
 * role grants and the roles carried by granted groups. Reads the grants (by
 * membership), the tenants' role settings and only the granted groups, each
 * by `_id` — one lookup per document, never `$in` (FerretDB v1 pushes no
 * `$in` down: it would read the whole collection). Keyed by membership `_id`.
 * The one place effective roles are computed.
 */
export async function accessOf(models: Models, memberships: readonly MembershipRow[]): Promise<Map<string, MemberAccess>> {
  const tenantIds = [...new Set(memberships.map((m) => String(m.tenantId)))];
  const withGrants = memberships.filter((m) => m.hasGrants).map((m) => m._id);
  const [tenants, grants] = await Promise.all([
    Promise.all(tenantIds.map((id) => models.tenants.findById(id, { roles: 1 }).lean())),
    grantsOf(models, withGrants),
  ]);
  const tenantOf = new Map(memberships.map((m) => [m._id, String(m.tenantId)]));
  const groupIds = [...grants].flatMap(([membershipId, held]) =>
    held.filter((g) => g.kind === 'group').map((g) => groupKey(tenantOf.get(membershipId) ?? '', g.value)),
  );
  const groups = await Promise.all([...new Set(groupIds)].map((id) => models.groups.findById(id, { roles: 1 }).lean()));
  const groupRolesById = new Map(groups.flatMap((g) => (g ? [[String(g._id), [...(g.roles ?? [])]] as const] : [])));
  const tenantById = new Map(tenants.flatMap((t) => (t ? [[String(t._id), t] as const] : [])));
  const out = new Map<string, MemberAccess>();
  for (const m of memberships) {
    const tenantId = String(m.tenantId);
    const tenant = tenantById.get(tenantId);
    const held = grants.get(m._id) ?? [];
    const groupRoles = Object.fromEntries(held.filter((g) => g.kind === 'group').map((g) => [g.value, groupRolesById.get(groupKey(tenantId, g.value)) ?? []]));
    out.set(
      m._id,
      effectiveAccess({
        directRoles: m.roles,
        grants: held,
        groupRoles,
        tenantRoles: tenantRoles(tenant?.roles?.custom ?? []),
        ownerFromIdp: tenant?.roles?.ownerFromIdp === true,
      }),
    );
  }
  return out;
}

/**
 * Memberships of a user with their effective access, in the given statuses.
 * One read by the indexed `userId` alone (an equality FerretDB pushes down;
 * the status is checked here): it returns the user's own memberships — a few,
 * however large the tenants are.
 */
export async function membershipsWithAccess(models: Models, userId: string, statuses: readonly string[]) {
  const memberships = (await models.memberships.find({ userId }).lean()).filter((m) => statuses.includes(m.status));
  const access = await accessOf(models, memberships);
  return memberships.map((m) => ({ tenantId: String(m.tenantId), status: m.status, roles: access.get(m._id)?.roles ?? [] }));
}

/**
 * Whether the account holds `admin` or `owner` in any tenant by its effective
 * roles — a suspended membership counts (reactivation gives the roles back).
 * What every link rule asks before tying a new identity to an account.
 */
export async function privilegedAnywhere(models: Models, userId: string): Promise<boolean> {
  return (await membershipsWithAccess(models, userId, ['active', 'suspended'])).some((m) => isPrivileged(m.roles));
}

/** The tenants where a user holds `admin` or `owner` (effective roles, active memberships), with those roles. */
export async function adminTenantsOf(models: Models, userId: string): Promise<Array<{ tenantId: string; roles: string[] }>> {
  return (await membershipsWithAccess(models, userId, ['active'])).filter((m) => isPrivileged(m.roles)).map(({ tenantId, roles }) => ({ tenantId, roles }));
}

/** The access reads the libraries make, bound to the models (src/store/store.ts). */
export function createAccessStore(models: Models) {
  return {
    /** accessOf: effective groups and roles of memberships, keyed by membership `_id`. */
    of: (memberships: readonly MembershipRow[]) => accessOf(models, memberships),
    /** privilegedAnywhere: whether the account holds `admin` or `owner` in any tenant (effective roles). */
    privilegedAnywhere: (userId: string) => privilegedAnywhere(models, userId),
  };
}
