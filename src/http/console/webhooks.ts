import { z } from 'zod';
import type { Router } from 'express';
import { tenantParams } from '../admin/schemas';
import { endpointId, resendBody } from '../admin/webhookSchemas';
import { escapeHtml as e } from '../pages';
import { route } from '../route';
import { formRefused, type ConsoleContext, type ConsoleDeps } from './context';
import { dateTime, hiddenCsrf } from './layout';

const endpointParams = tenantParams.extend({ endpointId });
/** The resend form (besides its CSRF field): which event. */
const resendForm = z.object({ eventId: z.string().max(100).default('') });
/** How many of an endpoint's delivery attempts its page shows, newest first. */
const RECENT_ATTEMPTS = 50;

/** Webhooks: the tenant's endpoints, an endpoint's recent deliveries, and resending one event (the webhook library, as the admin API). */
export function webhookPages(r: Router, deps: ConsoleDeps, ctx: ConsoleContext) {
  ctx.tenantPage('webhooks', 'webhooks', {}, async ({ tenant }) => {
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
      : '<p>No webhook endpoints. The admin API adds them (the signing secret is shown once, there).</p>';
    return { title: 'Webhooks', body: table };
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
    return { title: 'Webhook endpoint', body: `${facts}<h2>Recent deliveries</h2>${table}` };
  });

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
