import { z } from 'zod';
import type { Router } from 'express';
import { keyListQuery, tenantParams } from '../admin/schemas';
import { INVITATION_STATUSES, invitationParams } from '../admin/invitationRoutes';
import { escapeHtml as e } from '../pages';
import { route } from '../route';
import { blankAsAbsent, type ConsoleContext, type ConsoleDeps } from './context';
import { dateTime, hiddenCsrf, pager, select } from './layout';

const STATUSES = INVITATION_STATUSES;
const invitationQuery = keyListQuery.extend({ status: z.preprocess(blankAsAbsent, z.enum(STATUSES).optional()) });

/** The invitation form (besides its CSRF field): roles and groups as `;`- or `,`-separated text. */
const inviteForm = z.object({ email: z.string().max(320).default(''), roles: z.string().max(500).default(''), groups: z.string().max(2000).default('') });
const listOf = (text: string) =>
  text
    .split(/[;,]/)
    .map((v) => v.trim())
    .filter(Boolean);

/** Invitations: the list by status (paged), the invitation form, resend and revoke — through the invitation library, as the admin API. */
export function invitationPages(r: Router, deps: ConsoleDeps, ctx: ConsoleContext) {
  ctx.tenantPage('invitations', 'invitations', { query: invitationQuery }, async ({ tenant, query, csrf }) => {
    const { data, nextCursor } = await deps.invitations.listPage(tenant._id, query.status ?? null, query.limit, query.cursor);
    const base = `/console/t/${e(tenant.slug)}/invitations`;
    const button = (i: { id: string; email: string }, verb: 'resend' | 'revoke', label: string) =>
      `<form class="inline" method="post" action="${base}/${e(i.id)}/${verb}">${hiddenCsrf(csrf)}<button type="submit" aria-label="${e(`${label} the invitation to ${i.email}`)}">${e(label)}</button></form>`;
    const filter = `<form method="get" action="${base}"><p>${select('status', 'Status', [['', 'any'], ...STATUSES.map((s) => [s, s] as const)], query.status)}
<button type="submit">Show</button></p></form>`;
    const table = data.length
      ? `<table><thead><tr><th scope="col">Email</th><th scope="col">Roles</th><th scope="col">Groups</th><th scope="col">Status</th><th scope="col">Expires</th><th scope="col">Sent</th><th scope="col">Actions</th></tr></thead><tbody>${data
          .map(
            (i) =>
              `<tr data-invitation="${e(i.id)}"><th scope="row">${e(i.email)}</th><td>${e(i.roles.join(', '))}</td><td>${e(i.groups.join(', '))}</td><td>${e(i.status)}</td>
<td>${dateTime(i.expiresAt)}</td><td>${i.sentCount}</td><td>${i.status === 'pending' || i.status === 'expired' ? `${button(i, 'resend', 'Resend')} ${button(i, 'revoke', 'Revoke')}` : ''}</td></tr>`,
          )
          .join('')}</tbody></table>`
      : '<p>No invitations.</p>';
    const invite = `<h2>Invite someone</h2><form method="post" action="${base}">${hiddenCsrf(csrf)}
<p><label>Email <input name="email" type="email" required size="28"></label> <label>Roles <input name="roles" placeholder="member" size="14"></label>
<label>Groups <input name="groups" placeholder="Eng; Ops" size="14"></label> <button type="submit">Send invitation</button></p></form>`;
    return { title: 'Invitations', body: filter + table + pager(base, { status: query.status, limit: String(query.limit) }, nextCursor) + invite };
  });

  r.post(
    '/console/t/:tenant/invitations',
    route({ params: tenantParams, guard: ctx.formGuard, body: inviteForm }, async ({ auth, body, req, res }) =>
      ctx.act(req, res, `/console/t/${auth.tenant.slug}/invitations`, async () => {
        const input = { email: body.email, roles: listOf(body.roles), groups: listOf(body.groups), allowAnyEmail: false, expiresInSeconds: null };
        const { invitation } = await deps.invitations.create(auth.tenant._id, input, auth.actor, { mayGrantOwner: auth.mayActOnOwners });
        return `Invitation sent to ${invitation.email}; it expires on ${invitation.expiresAt.toISOString()}.`;
      }),
    ),
  );

  r.post(
    '/console/t/:tenant/invitations/:invitationId/resend',
    route({ params: invitationParams, guard: ctx.formGuard }, async ({ params, auth, req, res }) =>
      ctx.act(req, res, `/console/t/${auth.tenant.slug}/invitations`, async () => {
        const { invitation } = await deps.invitations.resend(auth.tenant._id, params.invitationId, auth.actor);
        return `Invitation sent again to ${invitation.email}; the earlier link no longer works.`;
      }),
    ),
  );

  r.post(
    '/console/t/:tenant/invitations/:invitationId/revoke',
    route({ params: invitationParams, guard: ctx.formGuard }, async ({ params, auth, req, res }) =>
      ctx.act(req, res, `/console/t/${auth.tenant.slug}/invitations`, async () => {
        const invitation = await deps.invitations.revoke(auth.tenant._id, params.invitationId, auth.actor);
        return `Invitation to ${invitation.email} revoked: its link no longer works.`;
      }),
    ),
  );
}
