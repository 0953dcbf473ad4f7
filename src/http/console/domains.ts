import { z } from 'zod';
import type { Router } from 'express';
import { domainName, tenantParams } from '../admin/schemas';
import { escapeHtml as e } from '../pages';
import { route } from '../route';
import { formRefused, type ConsoleContext, type ConsoleDeps } from './context';
import { dateTime, hiddenCsrf } from './layout';

const domainParams = tenantParams.extend({ domain: domainName });
/** The "add a domain" form (besides its CSRF field). */
const addForm = z.object({ domain: z.string().max(300).default('') });

/** Email domains: the list with the TXT record each unverified one needs, add, verify and remove (the domain library, as the admin API). */
export function domainPages(r: Router, deps: ConsoleDeps, ctx: ConsoleContext) {
  ctx.tenantPage('domains', 'domains', {}, async ({ tenant, csrf }) => {
    const base = `/console/t/${e(tenant.slug)}/domains`;
    const rows = await deps.domains.list(tenant._id);
    const table = rows.length
      ? `<table><thead><tr><th scope="col">Domain</th><th scope="col">Status</th><th scope="col">TXT record to publish</th><th scope="col">Actions</th></tr></thead><tbody>${rows
          .map(
            (d) =>
              `<tr data-domain="${e(d.domain)}"><th scope="row">${e(d.domain)}</th><td>${d.verified ? `verified ${dateTime(d.verifiedAt)}` : 'not verified'}</td>
<td>${d.txtRecord ? `<dl><dt>Name</dt><dd><code data-txt="name">${e(d.txtRecord.name)}</code></dd><dt>Value</dt><dd><code data-txt="value">${e(d.txtRecord.value)}</code></dd></dl>` : ''}</td>
<td>${d.verified ? '' : `<form class="inline" method="post" action="${base}/${e(d.domain)}/verify">${hiddenCsrf(csrf)}<button type="submit" aria-label="${e(`Verify ${d.domain}`)}">Verify</button></form>`}
<form class="inline" method="post" action="${base}/${e(d.domain)}/remove">${hiddenCsrf(csrf)}<button type="submit" aria-label="${e(`Remove ${d.domain}`)}">Remove</button></form></td></tr>`,
          )
          .join('')}</tbody></table>`
      : '<p>No domains yet.</p>';
    const add = `<h2>Add a domain</h2><form method="post" action="${base}">${hiddenCsrf(csrf)}
<p><label>Domain <input name="domain" required maxlength="253" size="30" placeholder="example.com"></label> <button type="submit">Add domain</button></p></form>`;
    return { title: 'Domains', body: table + add };
  });

  r.post(
    '/console/t/:tenant/domains',
    route({ params: tenantParams, guard: ctx.formGuard, body: addForm }, async ({ auth, body, req, res }) =>
      ctx.attempt(req, res, auth.tenant, 'domains', 'The domain was not added', async () => {
        const parsed = domainName.safeParse(body.domain);
        if (!parsed.success) throw formRefused(parsed.error);
        const d = await deps.domains.add(auth.tenant._id, parsed.data, auth.actor);
        const txt = d.txtRecord ? ` Publish a TXT record at ${d.txtRecord.name} with the value ${d.txtRecord.value}, then verify.` : '';
        await ctx.flashAndGo(req, res, `/console/t/${auth.tenant.slug}/domains`, `Domain ${d.domain} added.${txt}`);
      }),
    ),
  );

  r.post(
    '/console/t/:tenant/domains/:domain/verify',
    route({ params: domainParams, guard: ctx.formGuard }, async ({ params, auth, req, res }) =>
      ctx.attempt(req, res, auth.tenant, 'domains', 'The domain is not verified yet', async () => {
        const d = await deps.domains.verify(auth.tenant._id, params.domain, auth.actor);
        await ctx.flashAndGo(req, res, `/console/t/${auth.tenant.slug}/domains`, `Domain ${d.domain} verified.`);
      }),
    ),
  );

  r.post(
    '/console/t/:tenant/domains/:domain/remove',
    route({ params: domainParams, guard: ctx.formGuard }, async ({ params, auth, req, res }) =>
      ctx.attempt(req, res, auth.tenant, 'domains', 'The domain was not removed', async () => {
        await deps.domains.remove(auth.tenant._id, params.domain, auth.actor);
        await ctx.flashAndGo(
          req,
          res,
          `/console/t/${auth.tenant.slug}/domains`,
          `Domain ${params.domain} removed: its emails no longer count as this organization's.`,
        );
      }),
    ),
  );
}
