import type { Types } from 'mongoose';
import { grantsOf } from '../db/grants';
import type { Models } from '../db/models';
import { effectiveAccess, tenantRoles } from '../domain/groups';
import { PRIVILEGED_ROLES } from '../domain/roles';

interface MembershipRow {
  _id: string;
  tenantId: Types.ObjectId;
  roles: string[];
  hasGrants?: boolean | null;
}

/**
 * Effective groups and roles of memberships (of any tenants): reads the
 * grants, each tenant's role settings and groups once. Keyed by membership `_id`.
 */
export async function accessOf(models: Models, memberships: readonly MembershipRow[]): Promise<Map<string, { groups: string[]; roles: string[] }>> {
  const tenantIds = [...new Set(memberships.map((m) => String(m.tenantId)))];
  const withGrants = memberships.filter((m) => m.hasGrants).map((m) => m._id);
  const [tenants, grants, groups] = await Promise.all([
    tenantIds.length ? models.tenants.find({ _id: { $in: tenantIds } }).lean() : [],
    grantsOf(models, withGrants),
    withGrants.length ? models.groups.find({ tenantId: { $in: tenantIds } }).lean() : [],
  ]);
  const tenantById = new Map(tenants.map((t) => [String(t._id), t]));
  const out = new Map<string, { groups: string[]; roles: string[] }>();
  for (const m of memberships) {
    const tenant = tenantById.get(String(m.tenantId));
    const groupRoles = Object.fromEntries(groups.filter((g) => String(g.tenantId) === String(m.tenantId)).map((g) => [g.name, [...(g.roles ?? [])]]));
    out.set(
      m._id,
      effectiveAccess({
        directRoles: m.roles,
        grants: grants.get(m._id) ?? [],
        groupRoles,
        tenantRoles: tenantRoles(tenant?.roles?.custom ?? []),
        ownerFromIdp: tenant?.roles?.ownerFromIdp === true,
      }),
    );
  }
  return out;
}

/** The tenants where a user holds `admin` or `owner` (effective roles), with those roles. */
export async function adminTenantsOf(models: Models, userId: string): Promise<Array<{ tenantId: string; roles: string[] }>> {
  const memberships = await models.memberships.find({ userId, status: 'active' }).lean();
  const access = await accessOf(models, memberships);
  return memberships
    .map((m) => ({ tenantId: String(m.tenantId), roles: access.get(m._id)?.roles ?? [] }))
    .filter((m) => m.roles.some((role) => PRIVILEGED_ROLES.includes(role)));
}
