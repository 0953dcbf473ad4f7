import { z } from 'zod';
import type { Router } from 'express';
import { idempotencyKey, tenantParams } from '../admin/schemas';
import { createEndpointBody, endpointId, resendBody, rotateSecretBody } from '../admin/webhookSchemas';
import { escapeHtml as e } from '../pages';
import { route } from '../route';
import { blankAsAbsent, formRefused, type ConsoleContext, type ConsoleDeps } from './context';
import { dateTime, hiddenCsrf, hiddenFormKey, select } from './layout';

const endpointParams = tenantParams.extend({ endpointId });
/** The resend form (besides its CSRF field): which event. */
const resendForm = z.object({ eventId: z.string().max(100).default('') });
/** The "new endpoint" form (besides its CSRF field): event types as `,`- or space-separated text (none: every type). */
const createForm = z.object({
  url: z.string().max(2_100).default(''),
  description: z.string().max(600).default(''),
  types: z.string().max(3_000).default(''),
  key: z.preprocess(blankAsAbsent, idempotencyKey.optional()),
});
/** The "rotate secret" form (besides its CSRF field): how long the current secrets keep signing. */
const rotateForm = z.object({ overlapSeconds: z.string().max(10).default('86400') });
const OVERLAPS = [
  ['0', 'none: the current secret stops now'],
  ['3600', '1 hour'],
  ['86400', '1 day'],
  ['604800', '7 days'],
] as const;
/** A secret shown once: on the answer to its creation or rotation, never again. */
const secretShown = (
  what: string,
  secret: string,
  endpointPage: string,
) => `<div class="flash" role="status"><p>${e(what)} Copy its signing secret now: it is shown this once and never again.</p></div>
<dl><dt>Signing secret</dt><dd><code data-webhook="secret">${e(secret)}</code></dd></dl><p><a href="${e(endpointPage)}">Go to the endpoint</a></p>`;

/** How many of an endpoint's delivery attempts its page shows, newest first. */
const RECENT_ATTEMPTS = 50;

/** Webhooks: the tenant's endpoints, an endpoint's recent deliveries, and resending one event (the webhook library, as the admin API). */
export function webhookPages(r: Router, deps: ConsoleDeps, ctx: ConsoleContext) {
  ctx.tenantPage('webhooks', 'webhooks', {}, async ({ tenant, csrf }) => {
    const base = `/console/t/${e(tenant.slug)}/webhooks`;
    const rows = await deps.webhooks.list(String(tenant._id));
    const table = rows.length
      ? `<table><thead><tr><th scope="col">URL</th><th scope="col">Description</th><th scope="col">Event types</th><th scope="col">Status</th></tr></thead><tbody>${rows
          .map(
            (w) =>
              `<tr data-endpoint="${e(w.id)}"><th scope="row"><a href="${base}/${e(w.id)}">${e(w.url)}</a></th><td>${e(w.description)}</td><td>${e(w.types.join(', ') || 'all')}</td>
<td>${w.enabled ? 'enabled' : `disabled${w.disabledReason ? `: ${e(w.disabledReason)}` : ''}`}</td></tr>`,
          )
          .join('')}</tbody></table>`
      : '<p>No webhook endpoints yet.</p>';
    const create = `<h2>New endpoint</h2><form method="post" action="${base}">${hiddenCsrf(csrf)}${hiddenFormKey()}
<p><label>URL <input name="url" type="url" required maxlength="2048" size="40" placeholder="https://app.example.com/hooks/onramp"></label></p>
<p><label>Description <input name="description" maxlength="500" size="30"></label></p>
<p><label>Event types <input name="types" maxlength="2000" size="40" placeholder="user.created, group.*"></label> <span class="muted">(empty: every type)</span></p>
<p><button type="submit">Create endpoint</button></p></form>`;
    return { title: 'Webhooks', body: table + create };
  });

  ctx.tenantPage('webhooks/:endpointId', 'webhooks', { params: endpointParams }, async ({ tenant, params, csrf }) => {
    const scope = String(tenant._id);
    const w = await deps.webhooks.get(scope, params.endpointId);
    const attempts = await deps.webhooks.attempts(scope, w.id, { limit: RECENT_ATTEMPTS });
    const action = `/console/t/${e(tenant.slug)}/webhooks/${e(w.id)}/resend`;
    const facts = `<dl><dt>URL</dt><dd><code>${e(w.url)}</code></dd><dt>Event types</dt><dd>${e(w.types.join(', ') || 'all')}</dd>
<dt>Status</dt><dd>${w.enabled ? 'enabled' : `disabled${w.disabledReason ? `: ${e(w.disabledReason)}` : ''}`}</dd></dl>`;
    const table = attempts.length
      ? `<table><thead><tr><th scope="col">When</th><th scope="col">Event</th><th scope="col">Outcome</th><th scope="col">HTTP status</th><th scope="col">Error</th><th scope="col">Actions</th></tr></thead><tbody>${attempts
          .map(
            (a) =>
              `<tr data-attempt="${e(a.id)}" data-event-id="${e(a.eventId)}"><td>${dateTime(a.at)}</td><th scope="row">${e(a.eventType)} <span class="muted">${e(a.eventId)}</span></th><td>${e(a.outcome)}</td>
<td>${a.status ?? ''}</td><td>${e(a.error ?? '')}</td><td><form class="inline" method="post" action="${action}">${hiddenCsrf(csrf)}<input type="hidden" name="eventId" value="${e(a.eventId)}"><button type="submit" aria-label="${e(`Resend event ${a.eventId}`)}">Resend</button></form></td></tr>`,
          )
          .join('')}</tbody></table>`
      : '<p>No deliveries yet.</p>';
    const rotate = `<h2>Signing secret</h2><p>${w.secrets.length} live secret${w.secrets.length === 1 ? '' : 's'}.</p><form method="post" action="/console/t/${e(tenant.slug)}/webhooks/${e(w.id)}/rotate-secret">${hiddenCsrf(csrf)}
<p>${select('overlapSeconds', 'The current secret keeps signing for', OVERLAPS, '86400')} <button type="submit">Rotate secret</button></p></form>`;
    return { title: 'Webhook endpoint', body: `${facts}${rotate}<h2>Recent deliveries</h2>${table}` };
  });

  r.post(
    '/console/t/:tenant/webhooks',
    route({ params: tenantParams, guard: ctx.formGuard, body: createForm }, async ({ auth, body: form, req, res }) =>
      ctx.attempt(req, res, auth.tenant, 'webhooks', 'The endpoint was not created', async () => {
        const types = form.types.split(/[\s,]+/).filter(Boolean);
        const parsed = createEndpointBody.safeParse({
          url: form.url,
          ...(form.description ? { description: form.description } : {}),
          ...(types.length ? { types } : {}),
        });
        if (!parsed.success) throw formRefused(parsed.error);
        const created = await deps.webhooks
          .create(String(auth.tenant._id), parsed.data, auth.actor, { formKey: form.key ?? null })
          .catch(async (err: unknown) => {
            if (await ctx.sentAgain(err, req, res, (id) => `/console/t/${auth.tenant.slug}/webhooks/${id}`, 'signing secret')) return null;
            throw err;
          });
        if (!created) return;
        const { endpoint, secret } = created;
        const page = secretShown(`Endpoint ${endpoint.url} created.`, secret, `/console/t/${auth.tenant.slug}/webhooks/${endpoint.id}`);
        await ctx.render(req, res, { title: 'Webhook endpoint created', body: page, tenant: auth.tenant, current: 'webhooks' }, 201);
      }),
    ),
  );

  r.post(
    '/console/t/:tenant/webhooks/:endpointId/rotate-secret',
    route({ params: endpointParams, guard: ctx.formGuard, body: rotateForm }, async ({ params, auth, body: form, req, res }) =>
      ctx.attempt(req, res, auth.tenant, 'webhooks', 'The secret was not rotated', async () => {
        const parsed = rotateSecretBody.safeParse({ overlapSeconds: /^\d+$/.test(form.overlapSeconds) ? Number(form.overlapSeconds) : form.overlapSeconds });
        if (!parsed.success) throw formRefused(parsed.error);
        const { endpoint, secret } = await deps.webhooks.rotateSecret(String(auth.tenant._id), params.endpointId, parsed.data.overlapSeconds, auth.actor);
        const page = secretShown(`A new secret signs the deliveries to ${endpoint.url}.`, secret, `/console/t/${auth.tenant.slug}/webhooks/${endpoint.id}`);
        await ctx.render(req, res, { title: 'Webhook secret rotated', body: page, tenant: auth.tenant, current: 'webhooks' });
      }),
    ),
  );

  r.post(
    '/console/t/:tenant/webhooks/:endpointId/resend',
    route({ params: endpointParams, guard: ctx.formGuard, body: resendForm }, async ({ params, auth, body, req, res }) =>
      ctx.act(req, res, `/console/t/${auth.tenant.slug}/webhooks/${params.endpointId}`, async () => {
        const parsed = resendBody.safeParse(body);
        if (!parsed.success) throw formRefused(parsed.error);
        await deps.webhooks.resend(String(auth.tenant._id), params.endpointId, parsed.data.eventId, auth.actor);
        return `Event ${parsed.data.eventId} is being sent again.`;
      }),
    ),
  );
}
