import { z } from 'zod';
import express, { Router, type Request } from 'express';
import { notFound, OnrampError } from '../../errors';
import { secretsMatch } from '../adminAuth';
import { approvalParams, idListQuery, keyListQuery, tenantParams } from '../admin/schemas';
import { establishSession, saveSession } from '../session';
import { route } from '../route';
import { checkCsrf, csrfToken } from '../csrf';
import { consoleContext, type ConsoleDeps } from './context';
import { pager } from './layout';
import { approvalsView, signInView, tenantsView } from './views';
import { memberPages } from './members';
import { invitationPages } from './invitations';
import { auditPages } from './audit';
import { connectionPages } from './connections';
import { GROUP_SYNC_FORM_PATH, groupSyncFormBody } from './connectionSettings';
import { domainPages } from './domains';
import { directoryPages } from './directories';
import { webhookPages } from './webhooks';
import { groupPages } from './groups';
import { importPages } from './imports';

export type { ConsoleDeps } from './context';

/** The operator's sign-in form (besides its CSRF field). */
const tokenForm = z.object({ token: z.string().max(1000).default('') });
/** The console's approve/reject form (besides its CSRF field). */
const decisionForm = z.object({ reason: z.string().max(2000).optional() });

/**
 * The admin console: server-rendered pages over the same libraries as the
 * API, one layout with navigation (members, approvals, invitations, audit
 * log, connections, domains, SCIM directories, groups, imports, webhooks). Who may act on a tenant: the operator signed in with the admin token,
 * or a member whose effective roles there include admin or owner (their SSO
 * session). Anyone else gets 403, audited. Every form carries a CSRF token.
 * Each resource's pages live in their own file (members.ts, invitations.ts, audit.ts, connections.ts, domains.ts, directories.ts, groups.ts, imports.ts, webhooks.ts); the upload forms share upload.ts.
 */
export function consoleRouter(deps: ConsoleDeps): Router {
  const r = Router();
  // Forms are small (16 kB), but for the group-sync form's mapping table.
  r.post(GROUP_SYNC_FORM_PATH, groupSyncFormBody);
  r.use('/console', express.urlencoded({ extended: false, limit: '16kb' }), (_req, res, next) => {
    res.setHeader('Referrer-Policy', 'same-origin'); // so our own forms carry our Origin (csrf.ts)
    res.setHeader('Cache-Control', 'no-store');
    next();
  });

  const ctx = consoleContext(r, deps);
  const { adminTenants, actorFor, render } = ctx;

  /** The start: the operator's paged list of every tenant, a tenant admin's organizations, or the sign-in form. */
  r.get(
    '/console',
    route({ query: idListQuery }, async ({ query, req, res }) => {
      if (req.session.globalAdmin) {
        const { rows, nextCursor } = await deps.tenants.list(query.limit, query.cursor);
        await render(req, res, { title: 'Organizations', body: tenantsView(rows) + pager('/console', { limit: String(query.limit) }, nextCursor) });
      } else if (req.session.userId) {
        const ids = (await adminTenants(req.session.userId)).map((m) => m.tenantId);
        await render(req, res, { title: 'Organizations', body: tenantsView(await deps.tenants.byIds(ids)) });
      } else {
        await render(req, res, { title: 'Admin console', body: signInView(csrfToken(req)) });
      }
    }),
  );

  /** SSO for tenant admins: the tenant's SAML login, coming back to its approvals page. */
  r.get(
    '/console/login',
    route({ query: tenantParams }, async ({ query, res }) => {
      const slug = query.tenant;
      const tenant = await deps.tenants.bySlug(slug);
      const back = encodeURIComponent(`/console/t/${slug}/approvals`);
      const sso = await deps.connections.signInConnection(tenant._id);
      if (!sso) throw notFound(`a single sign-on connection of "${slug}"`);
      res.redirect(303, sso.kind === 'saml' ? `/sso/saml/${sso.id}/login?RelayState=${back}` : `/sso/oidc/${sso.id}/login?returnTo=${back}`);
    }),
  );

  const sameSite = async ({ req }: { req: Request }) => checkCsrf(req, deps.publicUrl);

  r.post(
    '/console/login/token',
    route({ guard: sameSite, body: tokenForm }, async ({ body, req, res }) => {
      if (!secretsMatch(body.token, deps.adminToken)) throw new OnrampError('unauthorized', 'that is not the admin token', { status: 401 });
      await establishSession(req, { globalAdmin: true });
      res.redirect(303, '/console');
    }),
  );

  r.post(
    '/console/logout',
    route({ guard: sameSite }, async ({ req, res }) => {
      await new Promise<void>((resolve) => req.session.destroy(() => resolve()));
      res.redirect(303, '/console');
    }),
  );

  ctx.tenantPage('approvals', 'approvals', { query: keyListQuery }, async ({ tenant, query, csrf }) => {
    const { data, nextCursor } = await deps.approvals.listPending(tenant._id, {}, query.limit, query.cursor);
    return {
      title: 'Pending approvals',
      body: approvalsView(tenant.slug, data, csrf) + pager(`/console/t/${tenant.slug}/approvals`, { limit: String(query.limit) }, nextCursor),
    };
  });

  for (const verb of ['approve', 'reject'] as const) {
    const guard = async ({ params, req }: { params: { tenant: string }; req: Request }) => {
      checkCsrf(req, deps.publicUrl);
      const tenant = await deps.tenants.bySlug(params.tenant);
      return { tenant, actor: await actorFor(req, String(tenant._id)) };
    };
    r.post(
      `/console/t/:tenant/approvals/:requestId/${verb}`,
      route({ params: approvalParams, guard, body: decisionForm }, async ({ params, auth, body, req, res }) => {
        const { tenant, actor } = auth;
        const requestId = params.requestId;
        const reason = body.reason?.trim().slice(0, 500) || null;
        try {
          if (verb === 'reject' && !reason) throw new OnrampError('validation_failed', 'say why you reject this sign-in', { status: 400 });
          await deps.approvals.decide(tenant._id, requestId, { approve: verb === 'approve', reason }, actor);
          req.session.flash = verb === 'approve' ? 'Approved: the person can sign in now.' : 'Rejected.';
        } catch (err) {
          if (!(err instanceof OnrampError) || !err.expose) throw err;
          req.session.flash = `!${err.message}`;
        }
        await saveSession(req);
        res.redirect(303, `/console/t/${tenant.slug}/approvals`);
      }),
    );
  }

  memberPages(r, deps, ctx);
  invitationPages(r, deps, ctx);
  auditPages(deps, ctx);
  connectionPages(r, deps, ctx);
  domainPages(r, deps, ctx);
  directoryPages(r, deps, ctx);
  webhookPages(r, deps, ctx);
  groupPages(r, deps, ctx);
  importPages(r, deps, ctx);
  return r;
}
