import type { Types } from 'mongoose';
import type { Models } from '../db/models';
import { groupKey } from '../db/models/group';
import type { LifecycleAction } from '../domain/memberLifecycle';
import type { ProvisioningActor } from '../domain/provisioningContext';
import { conflict, notFound, OnrampError } from '../errors';
import type { TenantAdminRunner } from '../temporal/tenantAdminClient';
import type { AdminWriteResult } from '../../workflows/tenantAdminFlow';

/** The run's answer as the admin API's: a refusal becomes its error. */
function answer(result: AdminWriteResult): Extract<AdminWriteResult, { ok: true }> {
  if (result.ok) return result;
  if (result.code === 'last_owner') throw conflict('last_owner', result.message);
  throw new OnrampError('not_found', result.message, { status: 404 });
}

/**
 * The member lifecycle (issue #15 §4) for the admin API, the CLI and the
 * console: every change is a write to the tenant's admin run
 * (workflows/tenantAdmin.ts), which decides and carries it out durably.
 */
export function createMemberLifecycleLibrary(models: Models, runner: TenantAdminRunner) {
  return {
    async change(tenantId: Types.ObjectId, userId: string, action: LifecycleAction, actor: ProvisioningActor) {
      return answer(await runner.write(String(tenantId), { kind: 'member', action, userId, actor }));
    },

    /** Remove a tenant group and every grant of it. A directory's group is the directory's to delete. */
    async removeGroup(tenantId: Types.ObjectId, name: string, actor: ProvisioningActor) {
      const group = await models.groups.findById(groupKey(String(tenantId), name)).lean();
      if (!group) throw notFound(`group "${name}"`);
      if (typeof group.createdFrom === 'string' && group.createdFrom.startsWith('directory:')) {
        throw conflict('group_owned_by_directory', `The group "${name}" belongs to a SCIM directory (${group.createdFrom}); remove it in the directory.`);
      }
      return answer(await runner.write(String(tenantId), { kind: 'removeGroup', group: name, actor }));
    },
  };
}

export type MemberLifecycleLibrary = ReturnType<typeof createMemberLifecycleLibrary>;
