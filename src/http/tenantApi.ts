import express, { Router, type Request } from 'express';
import { z } from 'zod';
import type { Models } from '../store/models';
import { OnrampError } from '../errors';
import type { createApprovalLibrary } from '../library/approvals';
import type { createTenantLibrary } from '../library/tenants';
import { secretsMatch } from './adminAuth';
import { approvalOut, approvalParams, approvalQuery, approveBody, rejectBody, tenantParams } from './admin/schemas';
import { csrfToken } from './csrf';
import { saveSession } from './session';
import { createTenantAdminGuard } from './tenantAdmin';
import { route } from './route';

export interface TenantApiDeps {
  models: Models;
  tenants: ReturnType<typeof createTenantLibrary>;
  approvals: ReturnType<typeof createApprovalLibrary>;
}

/**
 * The approvals API for a tenant admin's own session (the SaaS app's admin
 * screens): the same library as /api/admin, authorized by the session's
 * effective roles in the tenant. Writes need the session's CSRF token in
 * `X-CSRF-Token` (from `GET /api/csrf`).
 */
export function tenantApiRouter(deps: TenantApiDeps): Router {
  const r = Router();
  const guard = createTenantAdminGuard(deps.models);
  r.use('/api/tenants', express.json({ limit: '16kb' }));

  const requireCsrf = (req: Request) => {
    const sent = req.get('x-csrf-token') ?? '';
    if (!req.session.csrf || !secretsMatch(sent, req.session.csrf)) {
      throw new OnrampError('csrf_failed', 'send the X-CSRF-Token header from GET /api/csrf', { status: 403 });
    }
  };
  /** An admin or owner of the tenant in the path (403, audited, otherwise); writes also need the CSRF header. */
  const tenantAdmin =
    (write: boolean) =>
    async ({ params, req }: { params: { tenant: string }; req: Request }) => {
      const tenant = await deps.tenants.bySlug(params.tenant);
      const actor = await guard.actorFor(req, String(tenant._id));
      if (write) requireCsrf(req);
      return { tenant, actor };
    };

  r.get('/api/csrf', async (req, res) => {
    if (!req.session.userId && !req.session.globalAdmin) throw new OnrampError('unauthorized', 'not signed in', { status: 401 });
    const token = csrfToken(req);
    await saveSession(req);
    res.json({ token });
  });

  r.get(
    '/api/tenants/:tenant/approvals',
    route(
      {
        params: tenantParams,
        guard: tenantAdmin(false),
        query: approvalQuery,
        response: z.object({ data: z.array(approvalOut), nextCursor: z.string().nullable() }),
      },
      async ({ auth, query }) => deps.approvals.listPending(auth.tenant._id, query, query.limit, query.cursor),
    ),
  );

  const decision = z.object({ id: z.string(), status: z.enum(['approved', 'rejected']) });
  r.post(
    '/api/tenants/:tenant/approvals/:requestId/approve',
    route({ params: approvalParams, guard: tenantAdmin(true), body: approveBody, response: decision }, async ({ params, auth, body }) => ({
      id: params.requestId,
      ...(await deps.approvals.decide(auth.tenant._id, params.requestId, { approve: true, ...body }, auth.actor)),
    })),
  );
  r.post(
    '/api/tenants/:tenant/approvals/:requestId/reject',
    route({ params: approvalParams, guard: tenantAdmin(true), body: rejectBody, response: decision }, async ({ params, auth, body }) => ({
      id: params.requestId,
      ...(await deps.approvals.decide(auth.tenant._id, params.requestId, { approve: false, reason: body.reason }, auth.actor)),
    })),
  );
  return r;
}
