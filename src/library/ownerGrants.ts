import type { Types } from 'mongoose';
import type { Models } from '../db/models';
import { isOwner } from '../domain/roles';
import { OnrampError } from '../errors';

/** The refusal when someone who is not an owner gives the owner role (a console admin); `where` names the row or field. */
export const ownerGrantRefused = (where?: string) =>
  new OnrampError('forbidden', `${where ? `${where}: ` : ''}only an owner of the organization may give the owner role`, { status: 403 });

/**
 * Whether roles and groups give the owner role, directly or through a group
 * that grants it: the one rule for invitations, groups and imports alike.
 * Returns a check over any number of requests, the tenant's groups read once.
 */
export async function ownerGrantCheck(models: Models, tenantId: Types.ObjectId) {
  const ownerGroups = new Set((await models.groups.find({ tenantId }, { name: 1, roles: 1 }).lean()).filter((g) => isOwner(g.roles ?? [])).map((g) => g.name));
  return (request: { roles: readonly string[]; groups: readonly string[] }): boolean =>
    isOwner(request.roles) || request.groups.some((g) => ownerGroups.has(g));
}
