import { Router } from 'express';
import { z } from 'zod';
import { route } from '../route';
import type { Libraries } from '../../library';
import { conflictOut, conflictParams, resolveConflictBody, tenantParams } from './schemas';

export type ConflictRouterDeps = Pick<Libraries, 'tenants' | 'conflicts'> & {
  actor: { type: 'admin'; id: string | null };
};

/** Open attribute conflicts between the IdP and an admin's edits, and their resolution. */
export function conflictRouter(deps: ConflictRouterDeps): Router {
  const r = Router();
  const tenantOf = (params: { tenant: string }) => deps.tenants.bySlug(params.tenant);
  r.get(
    '/tenants/:tenant/conflicts',
    route({ summary: 'List open attribute conflicts', params: tenantParams, response: z.object({ data: z.array(conflictOut) }) }, async ({ params }) => ({
      data: await deps.conflicts.listOpen((await tenantOf(params))._id),
    })),
  );

  r.post(
    '/tenants/:tenant/conflicts/:conflictId/resolve',
    route(
      { summary: 'Resolve an attribute conflict', params: conflictParams, body: resolveConflictBody, status: 204, errors: [409] },
      async ({ params, body }) => {
        await deps.conflicts.resolve((await tenantOf(params))._id, params.conflictId, body.resolution, deps.actor);
      },
    ),
  );

  return r;
}
