import type { Types } from 'mongoose';
import type { Store } from '../store/store';
import type { LifecycleAction } from '../domain/memberLifecycle';
import type { ProvisioningActor } from '../domain/provisioningContext';
import { conflict, notFound, refusalError } from '../errors';
import { isRefusal } from '../domain/refusals';
import type { TenantAdminRunner } from '../runs/tenantAdminClient';
import type { MemberCreator } from '../runs/memberCreationClient';
import type { AdminWriteResult } from '../../workflows/tenantAdminFlow';
import type { MemberRequest } from '../domain/adminProvisioning';

/** The run's answer as the admin API's: a refusal becomes its error. */
function answer(result: AdminWriteResult): Extract<AdminWriteResult, { ok: true }> {
  if (result.ok) return result;
  throw refusalError(result.code);
}

/**
 * The member lifecycle for the admin API, the CLI and the
 * console: every change is a write to the tenant's admin run
 * (workflows/tenantAdmin.ts), which decides and carries it out durably.
 */
export function createMemberLifecycleLibrary(store: Store, runner: TenantAdminRunner, creator: MemberCreator) {
  return {
    /** Create (or link) a member through the core; an Idempotency-Key makes a retry return the first answer. */
    async create(tenantId: Types.ObjectId, request: MemberRequest, actor: ProvisioningActor, idempotencyKey: string | null) {
      const result = await creator.create(String(tenantId), request, actor, idempotencyKey);
      if (result.outcome === 'created' || result.outcome === 'linked' || result.outcome === 'unchanged')
        return { outcome: result.outcome, userId: result.userId ?? '' };
      throw refusalError(result.reason !== null && isRefusal(result.reason) ? result.reason : 'concurrent_change', result.detail);
    },

    async change(tenantId: Types.ObjectId, userId: string, action: LifecycleAction, actor: ProvisioningActor) {
      return answer(await runner.write(String(tenantId), { kind: 'member', action, userId, actor }));
    },

    /** Remove a tenant group and every grant of it. A directory's group is the directory's to delete. */
    async removeGroup(tenantId: Types.ObjectId, name: string, actor: ProvisioningActor) {
      const group = await store.groups.byName(tenantId, name);
      if (!group) throw notFound(`group "${name}"`);
      if (typeof group.createdFrom === 'string' && group.createdFrom.startsWith('directory:')) {
        throw conflict('group_owned_by_directory', `The group "${name}" belongs to a SCIM directory (${group.createdFrom}); remove it in the directory.`);
      }
      return answer(await runner.write(String(tenantId), { kind: 'removeGroup', group: name, actor }));
    },
  };
}

export type MemberLifecycleLibrary = ReturnType<typeof createMemberLifecycleLibrary>;
