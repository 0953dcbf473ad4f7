/**
 * One write to a tenant's memberships, serialized by the tenant's lifecycle
 * run: suspend, reactivate or remove a membership — whether an admin (API,
 * console, CLI) or a directory asks — each step audited once, or remove a
 * tenant group with its grants. Deterministic: the world is reached only
 * through `acts`; what may happen is planned by the lifecycle intent
 * (domain/plan.ts) and carried out by lifecycleActions.ts.
 */
import type { LifecycleActivities } from '../activities/lifecycle';
import { plan, type LifecycleAction, type LifecycleRefusal, type LifecycleRequester } from '../src/domain/plan';
import { adminRefusalMessage } from '../src/domain/refusals';
import type { ProvisioningActor, ProvisioningContext } from '../src/domain/provisioningContext';
import type { RunRef } from '../src/domain/runRef';
import { carryOutLifecycle, type LifecycleActionActivities } from './lifecycleActions';

export type TenantAdminActivities = LifecycleActivities & LifecycleActionActivities;

/** A member write's requester: the directory when a directory acts, else an admin. */
const requesterOf = (actor: ProvisioningActor): LifecycleRequester =>
  actor.type === 'directory' && actor.id ? { kind: 'directory', by: `directory:${actor.id}` } : { kind: 'admin' };

export type AdminWrite =
  | { id: string; kind: 'member'; action: LifecycleAction; userId: string; actor: ProvisioningActor }
  | { id: string; kind: 'removeGroup'; group: string; actor: ProvisioningActor };

export type AdminWriteResult =
  | { ok: true; changed: boolean; status: 'active' | 'suspended' | 'removed' | 'deleted' }
  | { ok: false; code: LifecycleRefusal | 'group_not_found'; message: string };

export async function runAdminWrite(
  tenantId: string,
  write: AdminWrite,
  run: RunRef,
  acts: TenantAdminActivities,
  note: (d: string) => void,
): Promise<AdminWriteResult> {
  const scope: ProvisioningContext = { run, tenantId, source: 'admin', actor: write.actor };
  const refuse = async (code: LifecycleRefusal | 'group_not_found', target: { type: string; id: string }, userId?: string): Promise<AdminWriteResult> => {
    note(`refused:${code}`);
    const action = write.kind === 'member' ? `membership.${write.action}` : 'group.remove';
    await acts.recordAdminRefusal({ ...scope, action, target, reason: code, ...(userId ? { userId } : {}) });
    return { ok: false, code, message: adminRefusalMessage(code) };
  };

  if (write.kind === 'removeGroup') {
    // Grants first, in bounded batches; the group last, so a retry finds what is left to do.
    let left = 1;
    while (left > 0) left = await acts.revokeGroupGrants({ ...scope, group: write.group });
    const deleted = await acts.deleteTenantGroup({ ...scope, group: write.group });
    if (deleted === 'absent') return refuse('group_not_found', { type: 'group', id: write.group });
    note(`group_deleted:${write.group}`);
    return { ok: true, changed: true, status: 'deleted' };
  }

  const { userId } = write;
  const requester = requesterOf(write.actor);
  const planned = plan(
    await acts.lifecycleFacts({ tenantId, userId, run, action: write.action, ...(requester.kind === 'directory' ? { by: requester.by } : {}) }),
    { kind: 'lifecycle', action: write.action, by: requester },
  );
  if (planned.kind === 'refuse') return refuse(planned.reason, { type: 'membership', id: `${tenantId}:${userId}` }, userId);
  if (planned.kind === 'unchanged') {
    if (planned.reason) note(`unchanged:${planned.reason}`);
    return { ok: true, changed: false, status: write.action === 'reactivate' && !planned.reason ? 'active' : 'suspended' };
  }

  const status = await carryOutLifecycle(planned, { scope, tenantId, userId, requester }, acts, note);
  return { ok: true, changed: true, status };
}
