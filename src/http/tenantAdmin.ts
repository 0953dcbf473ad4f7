import type { Request } from 'express';
import { recordAction } from '../store/audit';
import type { Models } from '../store/models';
import { isOwner } from '../domain/roles';
import { forbidden, OnrampError } from '../errors';
import { adminTenantsOf } from '../store/access';
import type { Decider } from '../library/approvals';

export type TenantActor = Decider & { label: string };

/**
 * Who may act on a tenant from a browser session: the operator signed in to
 * the console with the admin token, or a member whose effective roles there
 * include admin or owner. Anyone else: 403, audited as `console.access_denied`.
 */
export function createTenantAdminGuard(models: Models) {
  /** The tenants where the user holds admin or owner, with their effective roles there. */
  const adminTenants = (userId: string) => adminTenantsOf(models, userId);

  const actorFor = async (req: Request, tenantId: string): Promise<TenantActor> => {
    if (req.session.globalAdmin) return { id: 'admin-token', label: 'operator', mayGrantOwner: true };
    const userId = req.session.userId;
    if (!userId) throw new OnrampError('not_signed_in', 'sign in first', { status: 401 });
    const admin = (await adminTenants(userId)).find((m) => m.tenantId === tenantId);
    if (admin) return { id: `user:${userId}`, label: userId, mayGrantOwner: isOwner(admin.roles) };
    await recordAction(models, {
      tenantId,
      actor: { type: 'user', id: userId },
      action: 'console.access_denied',
      target: { type: 'tenant', id: tenantId },
      userId,
      reason: 'not an admin or owner of this tenant',
      context: { method: req.method, path: req.originalUrl.slice(0, 300) },
    });
    throw forbidden('you are not an administrator of this organization');
  };

  return { adminTenants, actorFor };
}
