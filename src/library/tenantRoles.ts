import type { Types } from 'mongoose';
import type { Store } from '../store/store';
import { tenantRoles } from '../domain/groups';
import { notFound, validationError } from '../errors';

/** A tenant's roles (built-in and custom) and whether IdP claims may grant `owner`. */
export async function loadTenantRoles(store: Store, tenantId: Types.ObjectId) {
  const tenant = await store.tenants.byId(tenantId);
  if (!tenant) throw notFound('tenant');
  const custom = [...(tenant.roles?.custom ?? [])];
  return { roles: tenantRoles(custom), custom, ownerFromIdp: tenant.roles?.ownerFromIdp === true };
}

/** Roles must be the tenant's: a 400 naming the field otherwise. */
export function checkTenantRoles(field: string, roles: readonly string[], known: readonly string[]): void {
  const unknown = roles.find((r) => !known.includes(r));
  if (unknown) throw validationError(field, `"${unknown}" is not a role of this tenant (${known.join(', ')})`);
}
