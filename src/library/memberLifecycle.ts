import type { Types } from 'mongoose';
import type { Models } from '../db/models';
import { groupKey } from '../db/models/group';
import type { LifecycleAction } from '../domain/memberLifecycle';
import type { ProvisioningActor } from '../domain/provisioningContext';
import { conflict, notFound, OnrampError } from '../errors';
import type { TenantAdminRunner } from '../temporal/tenantAdminClient';
import type { MemberCreator } from '../temporal/memberCreationClient';
import type { AdminWriteResult } from '../../workflows/tenantAdminFlow';
import type { MemberResult } from '../../workflows/memberProvisioningFlow';
import type { MemberRequest } from '../domain/adminProvisioning';

/** The run's answer as the admin API's: a refusal becomes its error. */
function answer(result: AdminWriteResult): Extract<AdminWriteResult, { ok: true }> {
  if (result.ok) return result;
  if (result.code === 'last_owner') throw conflict('last_owner', result.message);
  throw new OnrampError('not_found', result.message, { status: 404 });
}

/** Why a member could not be created, as the admin API's error. */
function creationRefused(result: MemberResult): OnrampError {
  const detail = result.detail ? ` (${result.detail})` : '';
  switch (result.reason) {
    case 'link_requires_approval':
      return conflict(
        'link_requires_approval',
        `An account with this email exists; this tenant's link policy asks an administrator to approve linking it${detail}.`,
      );
    case 'link_refused':
      return conflict('link_refused', `An account with this email exists and this tenant's link policy does not link it${detail}.`);
    case 'membership_suspended':
      return conflict('membership_suspended', 'This person is a suspended member of the tenant: reactivate them instead.');
    case 'domain_owned_by_other_tenant':
      return conflict('domain_verified_by_other_tenant', `The email's domain${detail} is verified by another organization.`);
    case 'domain_not_verified':
      return new OnrampError(
        'domain_not_verified',
        `The tenant has not verified the email's domain${detail}: invite the person instead, so they prove the address.`,
        { status: 422 },
      );
    case 'unknown_role':
      return new OnrampError('unknown_role', `The tenant has no role${detail}.`, { status: 422 });
    case 'unknown_group':
      return new OnrampError('unknown_group', `The tenant has no group${detail}.`, { status: 422 });
    case 'email_invalid':
      return new OnrampError('email_invalid', `Not a usable email address${detail}.`, { status: 400 });
    default:
      return conflict('concurrent_change', 'The member changed while being created; read it again.');
  }
}

/**
 * The member lifecycle for the admin API, the CLI and the
 * console: every change is a write to the tenant's admin run
 * (workflows/tenantAdmin.ts), which decides and carries it out durably.
 */
export function createMemberLifecycleLibrary(models: Models, runner: TenantAdminRunner, creator: MemberCreator) {
  return {
    /** Create (or link) a member through the core; an Idempotency-Key makes a retry return the first answer. */
    async create(tenantId: Types.ObjectId, request: MemberRequest, actor: ProvisioningActor, idempotencyKey: string | null) {
      const result = await creator.create(String(tenantId), request, actor, idempotencyKey);
      if (result.outcome === 'created' || result.outcome === 'linked' || result.outcome === 'unchanged')
        return { outcome: result.outcome, userId: result.userId ?? '' };
      throw creationRefused(result);
    },

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
