import type { Router, Request, RequestHandler, Response } from 'express';
import type { z } from 'zod';
import type { Libraries } from '../../library';
import { OnrampError, validationError } from '../../errors';
import { tenantParams } from '../admin/schemas';
import { checkCsrf, csrfToken } from '../csrf';
import { route } from '../route';
import { saveSession } from '../session';
import { createTenantAdminGuard, type TenantActor } from '../tenantAdmin';
import { escapeHtml as e } from '../pages';
import { layout, type Section } from './layout';
import type { OidcClients } from '../oidc/client';

export type ConsoleDeps = Pick<
  Libraries,
  | 'tenants'
  | 'approvals'
  | 'members'
  | 'connections'
  | 'lifecycle'
  | 'invitations'
  | 'audit'
  | 'identities'
  | 'samlConnections'
  | 'samlMetadata'
  | 'domains'
  | 'scimDirectories'
  | 'webhooks'
  | 'imports'
  | 'groups'
  | 'oidcConnections'
> & {
  models: Parameters<typeof createTenantAdminGuard>[0];
  publicUrl: string;
  adminToken: string;
  /** OIDC discovery and clients, as the admin API proves a new connection's issuer with them. */
  oidcClients: OidcClients;
  /** Outside production an IdP may be reached over http (a local test IdP), as in the admin API. */
  allowHttpIdpUrls: boolean;
  /** Where a run's history is shown: the Temporal Web UI's address (null: run ids shown without links) and the namespace. */
  temporalUi: { url: string | null; namespace: string };
};

export type ConsoleTenant = Awaited<ReturnType<ConsoleDeps['tenants']['bySlug']>>;

/** What a page handler returns: its title and body; the layout adds navigation, flash and the sign-out form. */
export interface PageOut {
  title: string;
  body: string;
  /** Reload every so many seconds (a page following something that runs). */
  refreshSeconds?: number;
}

/**
 * The machinery every console page and form shares: rendering in the one
 * layout, the tenant-admin check (exactly the admin API's: the operator
 * session, or effective admin/owner roles in that tenant; anyone else 403,
 * audited), CSRF on every POST, and the flash-and-redirect of an action.
 */
export function consoleContext(r: Router, deps: ConsoleDeps) {
  const { adminTenants, actorFor } = createTenantAdminGuard(deps.models);

  const who = async (req: Request): Promise<string | null> => {
    if (req.session.globalAdmin) return 'operator (admin token)';
    if (!req.session.userId) return null;
    const me = await deps.members.me(req.session.userId);
    return me?.user.email ?? me?.user.id ?? null;
  };

  const render = async (req: Request, res: Response, page: PageOut & { tenant?: ConsoleTenant; current?: Section }, status = 200) => {
    const flash = req.session.flash;
    if (flash) delete req.session.flash;
    res
      .status(status)
      .type('html')
      .send(layout({ ...page, who: await who(req), csrf: csrfToken(req), flash }));
  };

  /**
   * A GET page of one tenant's section, for its admins (or the operator);
   * anyone not signed in goes to the console's start. `path` is below
   * `/console/t/:tenant/`; `params` may add path parameters, `query` declares the filters.
   */
  const tenantPage = <P extends z.ZodType<{ tenant: string }>, Q extends z.ZodType | undefined = undefined>(
    path: string,
    current: Section,
    spec: { params?: P; query?: Q },
    view: (input: {
      tenant: ConsoleTenant;
      actor: TenantActor;
      params: z.output<P>;
      query: Q extends z.ZodType ? z.output<Q> : undefined;
      csrf: string;
    }) => Promise<PageOut>,
  ) =>
    r.get(
      `/console/t/:tenant/${path}`,
      route(
        {
          params: spec.params ?? (tenantParams as unknown as P),
          // Signed-out visitors go to the start before anything else is read.
          guard: async ({ req }) => Boolean(req.session.globalAdmin || req.session.userId),
          ...(spec.query ? { query: spec.query } : {}),
        },
        async ({ params, query, auth, req, res }) => {
          if (!auth) {
            res.redirect(303, '/console');
            return;
          }
          const tenant = await deps.tenants.bySlug((params as { tenant: string }).tenant);
          const actor = await actorFor(req, String(tenant._id));
          const page = await view({
            tenant,
            actor,
            params: params as z.output<P>,
            query: query as Q extends z.ZodType ? z.output<Q> : undefined,
            csrf: csrfToken(req),
          });
          await render(req, res, { ...page, tenant, current });
        },
      ),
    );

  /** The tenant and who acts, for a console form: CSRF checked, an admin of the tenant (or the operator). */
  const formGuard = async ({ params, req }: { params: { tenant: string }; req: Request }) => {
    checkCsrf(req, deps.publicUrl);
    const tenant = await deps.tenants.bySlug(params.tenant);
    const actor = await actorFor(req, String(tenant._id));
    return { tenant, actor: { type: 'admin' as const, id: actor.id }, mayActOnOwners: actor.mayGrantOwner, decider: actor };
  };

  /**
   * For a form whose body is read by its own parser (a multipart upload): the
   * tenant-admin check before any of the body is read, so a caller who may not
   * act is refused (403, audited) before their upload is taken in. The form's
   * guard (CSRF, then the same check) still runs once the body is read.
   */
  const adminBeforeBody: RequestHandler = (req, _res, next) => {
    const slug = tenantParams.safeParse(req.params);
    // A malformed tenant is refused too, before anything is read (else a signed-out sender could make the server buffer an upload).
    if (!slug.success) return next(validationError('tenant', 'is not a tenant slug'));
    deps.tenants
      .bySlug(slug.data.tenant)
      .then((tenant) => actorFor(req, String(tenant._id)))
      .then(() => next(), next);
  };

  /** Run a console action; its refusal (last owner, unknown role…) becomes the flash; then back to `back`. */
  const act = async (req: Request, res: Response, back: string, work: () => Promise<string>) => {
    try {
      req.session.flash = await work();
    } catch (err) {
      if (!(err instanceof OnrampError) || !err.expose) throw err;
      req.session.flash = `!${err.message}`;
    }
    await saveSession(req);
    res.redirect(303, back);
  };

  /**
   * Run a console action whose refusal deserves its own page (a metadata document
   * refused, a domain not yet verifiable): the refusal is shown with its error code
   * and HTTP status; success goes on as `done` says.
   */
  const attempt = async (req: Request, res: Response, tenant: ConsoleTenant, current: Section, title: string, work: () => Promise<void>) => {
    try {
      await work();
    } catch (err) {
      if (!(err instanceof OnrampError) || !err.expose) throw err;
      await render(req, res, { title, tenant, current, body: errorView(err, `/console/t/${tenant.slug}/${current}`) }, err.status);
    }
  };

  /** After a successful action: the flash, then on to `to`. */
  const flashAndGo = async (req: Request, res: Response, to: string, flash: string) => {
    req.session.flash = flash;
    await saveSession(req);
    res.redirect(303, to);
  };

  /**
   * A create form sent again (library/formKeys.ts): nothing new was made; go to what the first sending made,
   * saying its secret was shown that once. False for any other error.
   */
  const sentAgain = async (err: unknown, req: Request, res: Response, to: (id: string) => string, secret: string): Promise<boolean> => {
    if (!(err instanceof OnrampError) || err.code !== 'form_already_sent') return false;
    await flashAndGo(
      req,
      res,
      to(String(err.details?.id)),
      `This form was already sent and made this; its ${secret} was shown on that answer only (rotate it if it was not copied).`,
    );
    return true;
  };

  return { adminTenants, actorFor, render, tenantPage, formGuard, adminBeforeBody, act, attempt, flashAndGo, sentAgain };
}

export type ConsoleContext = ReturnType<typeof consoleContext>;

/** A form the admin API's schema refuses, as the API's own refusal (400 validation_failed, naming the fields). */
export function formRefused(error: z.ZodError): OnrampError {
  const why = error.issues.map((i) => `${i.path.length ? i.path.join('.') : 'form'}: ${i.message}`).join('; ');
  return new OnrampError('validation_failed', `The form was refused: ${why}.`, { status: 400 });
}

/** A refusal as a readable page: what went wrong, its error code, and a way back. */
export function errorView(err: OnrampError, back: string): string {
  return `<div class="flash error" role="alert"><p>${e(err.message)}</p><p>Error code: <code>${e(err.code)}</code> (HTTP ${err.status})</p></div>
<p><a href="${e(back)}">Back</a></p>`;
}

/** A form or query field: an empty value counts as absent (a filter form sends its blank fields). */
export const blankAsAbsent = (v: unknown) => (v === '' ? undefined : v);
