import { Router } from 'express';
import { z } from 'zod';
import type { MemberLifecycleLibrary } from '../../library/memberLifecycle';
import type { createTenantLibrary } from '../../library/tenants';
import { route } from '../route';
import { groupParams } from './groupSchemas';
import { memberParams } from './schemas';

export interface LifecycleRouterDeps {
  tenants: ReturnType<typeof createTenantLibrary>;
  lifecycle: MemberLifecycleLibrary;
  actor: { type: 'admin'; id: string | null };
}

const lifecycleOut = z.object({ userId: z.string(), status: z.enum(['active', 'suspended']), changed: z.boolean() });

/** Suspend, reactivate, remove a member; remove a group (issue #15 §4). Each a durable run; refusals are 404 / 409 `last_owner`. */
export function lifecycleRouter({ tenants, lifecycle, actor }: LifecycleRouterDeps): Router {
  const r = Router();
  const tenantOf = (params: { tenant: string }) => tenants.bySlug(params.tenant);

  for (const action of ['suspend', 'reactivate'] as const) {
    r.post(
      `/tenants/:tenant/members/:userId/${action}`,
      route({ params: memberParams, response: lifecycleOut }, async ({ params }) => {
        const done = await lifecycle.change((await tenantOf(params))._id, params.userId, action, actor);
        return { userId: params.userId, status: done.status === 'active' ? ('active' as const) : ('suspended' as const), changed: done.changed };
      }),
    );
  }

  r.delete(
    '/tenants/:tenant/members/:userId',
    route({ params: memberParams, status: 204 }, async ({ params }) => {
      await lifecycle.change((await tenantOf(params))._id, params.userId, 'remove', actor);
    }),
  );

  r.delete(
    '/tenants/:tenant/groups/:group',
    route({ params: groupParams, status: 204 }, async ({ params }) => {
      await lifecycle.removeGroup((await tenantOf(params))._id, params.group, actor);
    }),
  );
  return r;
}
