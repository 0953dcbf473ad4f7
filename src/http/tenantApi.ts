import express, { Router, type Request } from 'express';
import { z } from 'zod';
import type { Models } from '../db/models';
import { OnrampError } from '../errors';
import type { createApprovalLibrary } from '../library/approvals';
import type { createTenantLibrary } from '../library/tenants';
import { secretsMatch } from './adminAuth';
import { approvalOut, approvalParams, approvalQuery, approveBody, rejectBody, tenantParams } from './admin/schemas';
import { csrfToken } from './csrf';
import { decodeCursor } from '../library/pagination';
import { saveSession } from './session';
import { createTenantAdminGuard } from './tenantAdmin';
import { parseInput } from './validate';

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

  const tenantOf = async (req: Request) => deps.tenants.bySlug(parseInput(tenantParams, req.params, 'params').tenant);
  const requireCsrf = (req: Request) => {
    const sent = req.get('x-csrf-token') ?? '';
    if (!req.session.csrf || !secretsMatch(sent, req.session.csrf)) {
      throw new OnrampError('csrf_failed', 'send the X-CSRF-Token header from GET /api/csrf', { status: 403 });
    }
  };

  r.get('/api/csrf', async (req, res) => {
    if (!req.session.userId && !req.session.globalAdmin) throw new OnrampError('unauthorized', 'not signed in', { status: 401 });
    const token = csrfToken(req);
    await saveSession(req);
    res.json({ token });
  });

  r.get('/api/tenants/:tenant/approvals', async (req, res) => {
    const tenant = await tenantOf(req);
    await guard.actorFor(req, String(tenant._id));
    const q = parseInput(approvalQuery, req.query, 'query');
    const result = await deps.approvals.listPending(tenant._id, q, q.limit, decodeCursor(q.cursor));
    res.json({ data: z.array(approvalOut).parse(result.data), nextCursor: result.nextCursor });
  });

  for (const verb of ['approve', 'reject'] as const) {
    r.post(`/api/tenants/:tenant/approvals/:requestId/${verb}`, async (req, res) => {
      const tenant = await tenantOf(req);
      const actor = await guard.actorFor(req, String(tenant._id));
      requireCsrf(req);
      const { requestId } = parseInput(approvalParams, req.params, 'params');
      const verdict =
        verb === 'approve'
          ? { approve: true, ...parseInput(approveBody, req.body ?? {}, 'body') }
          : { approve: false, ...parseInput(rejectBody, req.body ?? {}, 'body') };
      res.json({ id: requestId, ...(await deps.approvals.decide(tenant._id, requestId, verdict, actor)) });
    });
  }
  return r;
}
