import { z } from 'zod';
import type { Types } from 'mongoose';
import express, { Router, type Request, type Response } from 'express';
import type { Models } from '../../db/models';
import type { Libraries } from '../../library';
import { notFound, OnrampError } from '../../errors';
import { isOwner } from '../../domain/roles';
import { secretsMatch } from '../adminAuth';
import { approvalParams, tenantParams } from '../admin/schemas';
import { establishSession, saveSession } from '../session';
import { createTenantAdminGuard } from '../tenantAdmin';
import { route } from '../route';
import { checkCsrf, csrfToken } from '../csrf';
import { approvalsView, flashBox, layout, membersView, signInView, tenantsView } from './views';
import { memberParams } from '../admin/schemas';

/** The operator's sign-in form (besides its CSRF field). */
const tokenForm = z.object({ token: z.string().max(1000).default('') });
/** The console's approve/reject form (besides its CSRF field). */
const decisionForm = z.object({ reason: z.string().max(2000).optional() });
/** The console's invitation form (besides its CSRF field): roles and groups as `;`- or `,`-separated text. */
const inviteForm = z.object({ email: z.string().max(320).default(''), roles: z.string().max(500).default(''), groups: z.string().max(2000).default('') });
const listOf = (text: string) =>
  text
    .split(/[;,]/)
    .map((v) => v.trim())
    .filter(Boolean);

export type ConsoleDeps = Pick<Libraries, 'tenants' | 'approvals' | 'members' | 'connections' | 'lifecycle' | 'invitations'> & {
  models: Models;
  publicUrl: string;
  adminToken: string;
};

/**
 * The admin console: server-rendered pages over the same libraries as the
 * API. Who may act on a tenant: the operator signed in with the admin token,
 * or a member whose effective roles there include admin or owner (their SSO
 * session). Anyone else gets 403, audited. Every form carries a CSRF token.
 */
export function consoleRouter(deps: ConsoleDeps): Router {
  const { models } = deps;
  const r = Router();
  r.use('/console', express.urlencoded({ extended: false, limit: '16kb' }), (_req, res, next) => {
    res.setHeader('Referrer-Policy', 'same-origin'); // so our own forms carry our Origin (csrf.ts)
    res.setHeader('Cache-Control', 'no-store');
    next();
  });

  const { adminTenants, actorFor } = createTenantAdminGuard(models);

  const who = async (req: Request): Promise<string | null> => {
    if (req.session.globalAdmin) return 'operator (admin token)';
    if (!req.session.userId) return null;
    const me = await deps.members.me(req.session.userId);
    return me?.user.email ?? me?.user.id ?? null;
  };

  const render = async (req: Request, res: Response, title: string, body: string, status = 200) => {
    const flash = req.session.flash;
    if (flash) delete req.session.flash;
    res
      .status(status)
      .type('html')
      .send(layout(title, await who(req), flashBox(flash) + body, csrfToken(req)));
  };

  r.get('/console', async (req, res) => {
    if (req.session.globalAdmin) {
      const { rows } = await deps.tenants.list(200, null);
      await render(req, res, 'Organizations', tenantsView(rows));
    } else if (req.session.userId) {
      const ids = (await adminTenants(req.session.userId)).map((m) => m.tenantId);
      const tenants = await deps.tenants.byIds(ids);
      await render(req, res, 'Organizations', tenantsView(tenants));
    } else {
      await render(req, res, 'Admin console', signInView(csrfToken(req)));
    }
  });

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

  /** A page of one tenant, for its admins (or the operator); anyone not signed in goes to the console's start. */
  const tenantPage = (page: string, title: string, view: (tenant: { _id: Types.ObjectId; slug: string }, csrf: string) => Promise<string>) =>
    r.get(
      `/console/t/:tenant/${page}`,
      route({ params: tenantParams }, async ({ params, req, res }) => {
        if (!req.session.globalAdmin && !req.session.userId) {
          res.redirect(303, '/console');
          return;
        }
        const tenant = await deps.tenants.bySlug(params.tenant);
        await actorFor(req, String(tenant._id));
        await render(req, res, `${title} · ${tenant.name}`, await view(tenant, csrfToken(req)));
      }),
    );

  tenantPage('approvals', 'Pending approvals', async (tenant, csrf) =>
    approvalsView(tenant.slug, (await deps.approvals.listPending(tenant._id, {}, 200, null)).data, csrf),
  );
  tenantPage('members', 'Members', async (tenant, csrf) => membersView(tenant.slug, (await deps.members.listForTenant(tenant._id, 200, null)).data, csrf));

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

  /** The tenant and who acts, for a console form: CSRF checked, an admin of the tenant (or the operator). */
  const formGuard = async ({ params, req }: { params: { tenant: string }; req: Request }) => {
    checkCsrf(req, deps.publicUrl);
    const tenant = await deps.tenants.bySlug(params.tenant);
    const actor = await actorFor(req, String(tenant._id));
    return { tenant, actor: { type: 'admin' as const, id: actor.id }, mayActOnOwners: actor.mayGrantOwner };
  };
  /** Only an owner (or the operator) gives the owner role or acts on an owner, as with approvals. */
  const ownersOnly = () => new OnrampError('forbidden', 'only an owner of the organization may do this to an owner, or give the owner role', { status: 403 });
  /** Run a console action; its refusal (last owner, unknown role…) becomes the flash, and back to the members page. */
  const act = async (req: Request, res: Response, slug: string, work: () => Promise<string>) => {
    try {
      req.session.flash = await work();
    } catch (err) {
      if (!(err instanceof OnrampError) || !err.expose) throw err;
      req.session.flash = `!${err.message}`;
    }
    await saveSession(req);
    res.redirect(303, `/console/t/${slug}/members`);
  };

  for (const verb of ['suspend', 'reactivate', 'remove'] as const) {
    r.post(
      `/console/t/:tenant/members/:userId/${verb}`,
      route({ params: memberParams, guard: formGuard }, async ({ params, auth, req, res }) =>
        act(req, res, auth.tenant.slug, async () => {
          if (!auth.mayActOnOwners && isOwner((await deps.members.getForTenant(auth.tenant._id, params.userId))?.roles ?? [])) throw ownersOnly();
          const done = await deps.lifecycle.change(auth.tenant._id, params.userId, verb, auth.actor);
          return done.changed ? `Done: the member is ${done.status}.` : `Nothing to do: the member is ${done.status} already.`;
        }),
      ),
    );
  }

  r.post(
    '/console/t/:tenant/invitations',
    route({ params: tenantParams, guard: formGuard, body: inviteForm }, async ({ auth, body, req, res }) =>
      act(req, res, auth.tenant.slug, async () => {
        const input = { email: body.email, roles: listOf(body.roles), groups: listOf(body.groups), allowAnyEmail: false, expiresInSeconds: null };
        const { invitation } = await deps.invitations.create(auth.tenant._id, input, auth.actor, { mayGrantOwner: auth.mayActOnOwners });
        return `Invitation sent to ${invitation.email}; it expires on ${invitation.expiresAt.toISOString()}.`;
      }),
    ),
  );

  return r;
}
