/** The admin console's server-rendered views. Every interpolated value goes through escapeHtml. */
import { escapeHtml as e } from '../pages';

export interface PendingRow {
  id: string;
  kind: string;
  reasons: string[];
  email: string | null;
  name: string | null;
  planned: { roles: string[] | null; grants: string[]; newAccount: boolean } | null;
  requestedAt: Date | null;
  expiresAt: Date;
}

export function signInView(csrf: string): string {
  return `<p>Tenant administrators sign in through their organization's single sign-on.</p>
<form method="get" action="/console/login"><p><label>Organization (tenant slug) <input name="tenant" required pattern="[a-z0-9][a-z0-9-]{1,62}"></label>
<button type="submit">Continue with SSO</button></p></form>
<details><summary>Operator sign-in with the admin token</summary>
<form method="post" action="/console/login/token"><input type="hidden" name="_csrf" value="${e(csrf)}">
<p><label>Admin token <input name="token" type="password" required autocomplete="off"></label> <button type="submit">Sign in</button></p></form></details>`;
}

export function tenantsView(tenants: Array<{ slug: string; name: string }>): string {
  if (tenants.length === 0) return '<p>You are not an administrator of any organization.</p>';
  return `<table><thead><tr><th scope="col">Organization</th><th scope="col">Slug</th><th scope="col">Sections</th></tr></thead><tbody>${tenants
    .map(
      (t) =>
        `<tr data-tenant="${e(t.slug)}"><th scope="row"><a href="/console/t/${e(t.slug)}/members">${e(t.name)}</a></th><td>${e(t.slug)}</td>
<td><a href="/console/t/${e(t.slug)}/members">members</a> · <a href="/console/t/${e(t.slug)}/approvals">approvals</a> · <a href="/console/t/${e(t.slug)}/invitations">invitations</a> · <a href="/console/t/${e(t.slug)}/audit">audit log</a></td></tr>`,
    )
    .join('')}</tbody></table>`;
}

export function approvalsView(slug: string, rows: PendingRow[], csrf: string): string {
  if (rows.length === 0) return `<p>No sign-ins are waiting for approval in <strong>${e(slug)}</strong>.</p>`;
  const action = (id: string, verb: string) => `/console/t/${e(slug)}/approvals/${e(encodeURIComponent(id))}/${verb}`;
  const body = rows
    .map((r) => {
      const planned = r.planned
        ? [
            r.planned.newAccount ? 'new account' : null,
            r.planned.roles ? `roles: ${r.planned.roles.join(', ')}` : null,
            r.planned.grants.length ? `grants: ${r.planned.grants.join(', ')}` : null,
          ]
            .filter((x): x is string => x !== null)
            .join('; ')
        : '';
      return `<tr data-request="${e(r.id)}"><th scope="row"><strong>${e(r.name ?? '')}</strong><br>${e(r.email ?? '(no email)')}</th>
<td>${e(r.kind)}<br><span class="muted">${e(r.reasons.join(', '))}</span></td><td>${e(planned)}</td>
<td class="muted">${e(r.requestedAt?.toISOString() ?? '')}<br>expires ${e(r.expiresAt.toISOString())}</td>
<td><form class="inline" method="post" action="${action(r.id, 'approve')}"><input type="hidden" name="_csrf" value="${e(csrf)}">
<button type="submit" name="decision" value="approve">Approve</button></form>
<form class="inline" method="post" action="${action(r.id, 'reject')}"><input type="hidden" name="_csrf" value="${e(csrf)}">
<label>Reason <input name="reason" required maxlength="500" size="14"></label> <button type="submit">Reject</button></form></td></tr>`;
    })
    .join('');
  return `<table><thead><tr><th scope="col">Who</th><th scope="col">Why</th><th scope="col">If approved</th><th scope="col">When</th><th scope="col">Decision</th></tr></thead><tbody>${body}</tbody></table>`;
}
