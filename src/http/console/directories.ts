import { z } from 'zod';
import type { Router } from 'express';
import { createDirectoryBody } from '../admin/directoryRoutes';
import { MAX_TOKEN_OVERLAP_SECONDS } from '../../library/scimDirectories';
import { idempotencyKey, idListQuery, tenantParams } from '../admin/schemas';
import { escapeHtml as e } from '../pages';
import { route } from '../route';
import { blankAsAbsent, formRefused, type ConsoleContext, type ConsoleDeps } from './context';
import { dateTime, hiddenCsrf, hiddenFormKey, pager, select } from './layout';

const directoryParams = tenantParams.extend({ directoryId: z.string().regex(/^[0-9a-f]{24}$/, 'must be a directory id') });
/** The "new directory" form (besides its CSRF field): the admin API's body. */
const createForm = z.object({
  name: z.string().max(200).default(''),
  provider: z.string().max(40).default('generic'),
  key: z.preprocess(blankAsAbsent, idempotencyKey.optional()),
});
const PROVIDERS = createDirectoryBody.shape.provider.unwrap().options;
/** The "new token" form (besides its CSRF field): how long the current tokens keep working. */
const rotateForm = z.object({ overlapSeconds: z.string().max(10).default('86400') });
const overlapSeconds = z
  .string()
  .regex(/^\d{1,8}$/, 'must be a number of seconds')
  .transform(Number)
  .pipe(z.number().max(MAX_TOKEN_OVERLAP_SECONDS));
const OVERLAPS = [
  ['0', 'none: the current tokens stop now'],
  ['3600', '1 hour'],
  ['86400', '1 day'],
  ['604800', '7 days'],
] as const;
/** A token shown once: on the answer that made it, never again (it is stored hashed). */
const tokenShown = (
  what: string,
  d: { id: string; baseUrl: string; token: string },
  slug: string,
) => `<div class="flash" role="status"><p>${e(what)} Copy its token now: it is shown this once and never again.</p></div>
<dl><dt>SCIM base URL</dt><dd><code data-scim="baseUrl">${e(d.baseUrl)}</code></dd><dt>Bearer token</dt><dd><code data-scim="token">${e(d.token)}</code></dd></dl>
<p><a href="/console/t/${e(slug)}/directories/${e(d.id)}">Go to the directory</a></p>`;

/**
 * SCIM directories: the list, a new directory (its token shown once, on the
 * answer page, never again), and a directory's page with its recent operations
 * (the audit events it caused, as the admin API's directory operations).
 */
export function directoryPages(r: Router, deps: ConsoleDeps, ctx: ConsoleContext) {
  ctx.tenantPage('directories', 'directories', {}, async ({ tenant, csrf }) => {
    const base = `/console/t/${e(tenant.slug)}/directories`;
    const rows = await deps.scimDirectories.list(tenant._id);
    const table = rows.length
      ? `<table><thead><tr><th scope="col">Name</th><th scope="col">Provider</th><th scope="col">Status</th><th scope="col">SCIM base URL</th><th scope="col">Live tokens</th></tr></thead><tbody>${rows
          .map(
            (d) =>
              `<tr data-directory="${e(d.id)}"><th scope="row"><a href="${base}/${e(d.id)}">${e(d.name)}</a></th><td>${e(d.provider)}</td><td>${d.enabled ? 'enabled' : 'disabled'}</td><td><code>${e(d.baseUrl)}</code></td><td>${d.tokens.length}</td></tr>`,
          )
          .join('')}</tbody></table>`
      : '<p>No SCIM directories yet.</p>';
    const create = `<h2>New SCIM directory</h2><form method="post" action="${base}">${hiddenCsrf(csrf)}${hiddenFormKey()}
<p><label>Name <input name="name" required maxlength="200" size="30"></label> ${select(
      'provider',
      'Provider',
      PROVIDERS.map((p) => [p, p] as const),
      'generic',
    )} <button type="submit">Create directory</button></p></form>`;
    return { title: 'SCIM directories', body: table + create };
  });

  ctx.tenantPage('directories/:directoryId', 'directories', { params: directoryParams, query: idListQuery }, async ({ tenant, params, query, csrf }) => {
    const d = await deps.scimDirectories.get(tenant._id, params.directoryId);
    const base = `/console/t/${e(tenant.slug)}/directories/${e(d.id)}`;
    const { data, nextCursor } = await deps.audit.listForTenant(tenant._id, { actor: { type: 'directory', id: d.id } }, query.limit, query.cursor);
    const facts = `<dl><dt>Provider</dt><dd>${e(d.provider)}</dd><dt>Status</dt><dd>${d.enabled ? 'enabled' : 'disabled'}</dd>
<dt>SCIM base URL</dt><dd><code>${e(d.baseUrl)}</code></dd><dt>Live tokens</dt><dd>${d.tokens.map((t) => `<code>${e(t.id)}</code> (expires ${e(t.expiresAt ?? 'never')})`).join(', ')}</dd></dl>`;
    const ops = data.length
      ? `<table><thead><tr><th scope="col">When</th><th scope="col">Action</th><th scope="col">Target</th><th scope="col">Member</th><th scope="col">Reason</th></tr></thead><tbody>${data
          .map(
            (a) =>
              `<tr data-event="${e(a.id)}"><td>${dateTime(a.at)}</td><th scope="row">${e(a.action)}</th><td>${e(`${a.target.type}${a.target.id ? `:${a.target.id}` : ''}`)}</td>
<td>${a.userId ? `<a href="/console/t/${e(tenant.slug)}/members/${e(a.userId)}">${e(a.userId)}</a>` : ''}</td><td>${e(a.reason ?? '')}</td></tr>`,
          )
          .join('')}</tbody></table>`
      : '<p>This directory has done nothing yet.</p>';
    const rotate = `<h2>Token</h2><form method="post" action="${base}/tokens">${hiddenCsrf(csrf)}
<p>${select('overlapSeconds', 'The current tokens keep working for', OVERLAPS, '86400')} <button type="submit">Rotate token</button></p></form>`;
    return {
      title: `SCIM directory ${d.name}`,
      body: `${facts}${rotate}<h2>Recent operations</h2>${ops}${pager(base, { limit: String(query.limit) }, nextCursor)}`,
    };
  });

  r.post(
    '/console/t/:tenant/directories',
    route({ params: tenantParams, guard: ctx.formGuard, body: createForm }, async ({ auth, body: form, req, res }) =>
      ctx.attempt(req, res, auth.tenant, 'directories', 'The directory was not created', async () => {
        const parsed = createDirectoryBody.safeParse({ name: form.name, provider: form.provider });
        if (!parsed.success) throw formRefused(parsed.error);
        const d = await deps.scimDirectories.create(auth.tenant._id, parsed.data, auth.actor, { formKey: form.key ?? null }).catch(async (err: unknown) => {
          if (await ctx.sentAgain(err, req, res, (id) => `/console/t/${auth.tenant.slug}/directories/${id}`, 'token')) return null;
          throw err;
        });
        if (!d) return;
        // The token is in this answer only: it is stored hashed, and no page shows it again.
        const body = tokenShown(`Directory ${d.name} created.`, d, auth.tenant.slug);
        await ctx.render(req, res, { title: 'SCIM directory created', body, tenant: auth.tenant, current: 'directories' }, 201);
      }),
    ),
  );

  r.post(
    '/console/t/:tenant/directories/:directoryId/tokens',
    route({ params: directoryParams, guard: ctx.formGuard, body: rotateForm }, async ({ params, auth, body: form, req, res }) =>
      ctx.attempt(req, res, auth.tenant, 'directories', 'The token was not rotated', async () => {
        const parsed = overlapSeconds.safeParse(form.overlapSeconds);
        if (!parsed.success) throw formRefused(parsed.error);
        const d = await deps.scimDirectories.rotateToken(auth.tenant._id, params.directoryId, parsed.data, auth.actor);
        const body = tokenShown(`A new token for ${d.name}.`, d, auth.tenant.slug);
        await ctx.render(req, res, { title: 'SCIM directory token rotated', body, tenant: auth.tenant, current: 'directories' }, 201);
      }),
    ),
  );
}
