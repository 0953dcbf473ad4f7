import { Router } from 'express';
import { z } from 'zod';
import type { createMemberLibrary } from '../../library/members';
import type { MemberLifecycleLibrary } from '../../library/memberLifecycle';
import type { createTenantLibrary } from '../../library/tenants';
import { route } from '../route';
import { groupName, groupParams } from './groupSchemas';
import { idempotencyKeyOf, memberDetailOut, memberParams, tenantParams } from './schemas';
import { invitationOut } from './invitationRoutes';
import type { InvitationLibrary } from '../../library/invitations';

export interface MemberRouterDeps {
  tenants: ReturnType<typeof createTenantLibrary>;
  lifecycle: MemberLifecycleLibrary;
  members: ReturnType<typeof createMemberLibrary>;
  invitations: InvitationLibrary;
  actor: { type: 'admin'; id: string | null };
}

/** What `POST …/members` takes: the same fields as an import row. */
export const createMemberBody = z.strictObject({
  /** Checked and normalized by the library (400 `email_invalid`); `format` tells clients what to send. */
  email: z.string().min(3).max(320).meta({ format: 'email' }),
  name: z.string().max(200).nullable().default(null),
  roles: z.array(z.string().max(40)).max(20).default([]),
  groups: z.array(groupName).max(50).default([]),
  externalId: z.string().max(200).nullable().default(null),
  /** Invite the person instead of creating them now: they accept (and prove the address) themselves. */
  sendInvitation: z.boolean().default(false),
});
const createdMemberOut = z.object({
  outcome: z.enum(['created', 'linked', 'unchanged', 'invited']),
  member: memberDetailOut.optional(),
  invitation: invitationOut.optional(),
});

const lifecycleOut = z.object({ userId: z.string(), status: z.enum(['active', 'suspended']), changed: z.boolean() });

/**
 * Create a member (201 created or linked, 200 when they were one already,
 * 202 when `sendInvitation` asked for an invitation instead);
 * suspend, reactivate, remove a member; remove a group.
 * Each a durable run; refusals are 404, 409 (`last_owner`, link policy) or 422.
 */
export function memberRouter({ tenants, lifecycle, members, invitations, actor }: MemberRouterDeps): Router {
  const r = Router();
  const tenantOf = (params: { tenant: string }) => tenants.bySlug(params.tenant);

  r.post(
    '/tenants/:tenant/members',
    route(
      {
        summary: 'Create a member (201 created or linked, 200 one already), or invite them (202)',
        params: tenantParams,
        body: createMemberBody,
        response: createdMemberOut,
        alsoStatus: [201, 202],
        errors: [409, 422],
      },
      async ({ params, body, req, res }) => {
        const key = idempotencyKeyOf(req.get('idempotency-key'));
        const tenant = await tenantOf(params);
        const { sendInvitation, ...request } = body;
        if (sendInvitation) {
          const { invitation } = await invitations.create(
            tenant._id,
            { email: request.email, roles: request.roles, groups: request.groups, allowAnyEmail: false, expiresInSeconds: null },
            actor,
            { idempotencyKey: key },
          );
          res.status(202);
          return { outcome: 'invited' as const, invitation };
        }
        const done = await lifecycle.create(tenant._id, request, actor, key);
        const member = await members.getForTenant(tenant._id, done.userId);
        if (!member) throw new Error('the created member is not readable');
        res.status(done.outcome === 'unchanged' ? 200 : 201);
        return { outcome: done.outcome, member };
      },
    ),
  );

  for (const action of ['suspend', 'reactivate'] as const) {
    r.post(
      `/tenants/:tenant/members/:userId/${action}`,
      route(
        { summary: `${action === 'suspend' ? 'Suspend' : 'Reactivate'} a member`, params: memberParams, response: lifecycleOut, errors: [409] },
        async ({ params }) => {
          const done = await lifecycle.change((await tenantOf(params))._id, params.userId, action, actor);
          return { userId: params.userId, status: done.status === 'active' ? ('active' as const) : ('suspended' as const), changed: done.changed };
        },
      ),
    );
  }

  r.delete(
    '/tenants/:tenant/members/:userId',
    route({ summary: 'Remove a member from the tenant', params: memberParams, status: 204, errors: [409] }, async ({ params }) => {
      await lifecycle.change((await tenantOf(params))._id, params.userId, 'remove', actor);
    }),
  );

  r.delete(
    '/tenants/:tenant/groups/:group',
    route({ summary: 'Delete a group (revoking it from every member)', params: groupParams, status: 204, errors: [409] }, async ({ params }) => {
      await lifecycle.removeGroup((await tenantOf(params))._id, params.group, actor);
    }),
  );
  return r;
}
