import { Router } from 'express';
import { z } from 'zod';
import { route } from '../route';
import type { Libraries } from '../../library';
import type { Decider } from '../../library/approvals';
import { pageOf } from './pageOf';
import { approvalOut, approvalParams, approvalQuery, approveBody, rejectBody, tenantParams } from './schemas';

export type ApprovalRouterDeps = Pick<Libraries, 'tenants' | 'approvals'> & {
  decider: Decider;
};

/** Sign-ins and links parked for an admin: list, approve, reject. */
export function approvalRouter(deps: ApprovalRouterDeps): Router {
  const r = Router();
  const tenantOf = (params: { tenant: string }) => deps.tenants.bySlug(params.tenant);
  r.get(
    '/tenants/:tenant/approvals',
    route(
      { summary: 'List pending approval requests (paged)', params: tenantParams, query: approvalQuery, response: pageOf(approvalOut) },
      async ({ params, query }) => deps.approvals.listPending((await tenantOf(params))._id, query, query.limit, query.cursor),
    ),
  );

  const decision = z.object({ id: z.string(), status: z.enum(['approved', 'rejected']) });
  r.post(
    '/tenants/:tenant/approvals/:requestId/approve',
    route({ summary: 'Approve a pending request', params: approvalParams, body: approveBody, response: decision, errors: [409] }, async ({ params, body }) => ({
      id: params.requestId,
      ...(await deps.approvals.decide((await tenantOf(params))._id, params.requestId, { approve: true, ...body }, deps.decider)),
    })),
  );

  r.post(
    '/tenants/:tenant/approvals/:requestId/reject',
    route({ summary: 'Reject a pending request', params: approvalParams, body: rejectBody, response: decision, errors: [409] }, async ({ params, body }) => ({
      id: params.requestId,
      ...(await deps.approvals.decide((await tenantOf(params))._id, params.requestId, { approve: false, reason: body.reason }, deps.decider)),
    })),
  );

  return r;
}
