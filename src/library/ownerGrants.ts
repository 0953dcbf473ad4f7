import type { Types } from 'mongoose';
import type { Store } from '../store/store';
import type { ProvisioningActor } from '../domain/provisioningContext';
import { givesOwner } from '../domain/roles';
import { OnrampError } from '../errors';

/**
 * The one refusal when someone who is not an owner (a console admin) gives or
 * takes the owner role — an invitation, a group's roles, an import row, an
 * approval's roles; `where` names the row or group.
 */
export const ownerGrantRefused = (where?: string) =>
  new OnrampError('forbidden', `${where ? `${where}: ` : ''}only an owner of the organization may give or take the owner role`, { status: 403 });

/**
 * The refusal, audited (`owner_grant.refused`: a rejected input writes nothing but its denial): `actor` asked, in
 * `tenantId`, to give or take the owner role through `where`; throw what it returns.
 */
export async function refuseOwnerGrant(store: Store, tenantId: Types.ObjectId, actor: ProvisioningActor, where?: string) {
  const refusal = ownerGrantRefused(where);
  await store.audit.recordAction({
    tenantId: String(tenantId),
    actor,
    action: 'owner_grant.refused',
    target: { type: 'role', id: 'owner' },
    reason: refusal.message,
    context: where ? { where } : {},
  });
  return refusal;
}

/** `givesOwner` (domain/roles.ts) over any number of requests, the tenant's groups read once. */
export async function ownerGrantCheck(store: Store, tenantId: Types.ObjectId) {
  const groupRoles = new Map((await store.groups.rolesInTenant(tenantId)).map((g) => [g.name, [...(g.roles ?? [])]] as const));
  return (request: { roles: readonly string[]; groups: readonly string[] }): boolean => givesOwner(request, groupRoles);
}
