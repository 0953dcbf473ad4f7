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

const STYLE = `body{font-family:system-ui,sans-serif;max-width:64rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.5rem;text-align:left;vertical-align:top}
.muted{color:#666}.flash{background:#eef6ee;border:1px solid #9c9;padding:.5rem 1rem}.error{background:#fbeeee;border-color:#c99}
form.inline{display:inline-block;margin:0 .5rem .25rem 0}button{padding:.3rem .8rem}input{padding:.25rem}
header{display:flex;justify-content:space-between;align-items:baseline}`;

export function layout(title: string, who: string | null, body: string, csrf: string): string {
  const signOut = who
    ? `<span class="muted">${e(who)}</span> <form class="inline" method="post" action="/console/logout"><input type="hidden" name="_csrf" value="${e(csrf)}"><button>Sign out</button></form>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${e(title)} · onramp console</title><style>${STYLE}</style></head>
<body><header><h1>${e(title)}</h1><div>${signOut}</div></header>${body}</body></html>`;
}

export function flashBox(flash: string | undefined): string {
  if (!flash) return '';
  const isError = flash.startsWith('!');
  return `<p class="flash${isError ? ' error' : ''}" role="status">${e(isError ? flash.slice(1) : flash)}</p>`;
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
  return `<ul>${tenants
    .map(
      (t) =>
        `<li>${e(t.name)} <span class="muted">(${e(t.slug)})</span> · <a href="/console/t/${e(t.slug)}/approvals">approvals</a> · <a href="/console/t/${e(t.slug)}/members">members</a></li>`,
    )
    .join('')}</ul>`;
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
      return `<tr data-request="${e(r.id)}"><td><strong>${e(r.name ?? '')}</strong><br>${e(r.email ?? '(no email)')}</td>
<td>${e(r.kind)}<br><span class="muted">${e(r.reasons.join(', '))}</span></td><td>${e(planned)}</td>
<td class="muted">${e(r.requestedAt?.toISOString() ?? '')}<br>expires ${e(r.expiresAt.toISOString())}</td>
<td><form class="inline" method="post" action="${action(r.id, 'approve')}"><input type="hidden" name="_csrf" value="${e(csrf)}">
<button type="submit" name="decision" value="approve">Approve</button></form>
<form class="inline" method="post" action="${action(r.id, 'reject')}"><input type="hidden" name="_csrf" value="${e(csrf)}">
<input name="reason" placeholder="reason" required maxlength="500" size="14"> <button type="submit">Reject</button></form></td></tr>`;
    })
    .join('');
  return `<table><thead><tr><th>Who</th><th>Why</th><th>If approved</th><th>When</th><th></th></tr></thead><tbody>${body}</tbody></table>`;
}

export interface MemberRow {
  userId: string;
  email: string | null;
  name: string | null;
  roles: string[];
  status: string;
}

/** A tenant's members with their lifecycle actions, and the invitation form. */
export function membersView(slug: string, rows: MemberRow[], csrf: string): string {
  const hidden = `<input type="hidden" name="_csrf" value="${e(csrf)}">`;
  const button = (userId: string, verb: string, label: string) =>
    `<form class="inline" method="post" action="/console/t/${e(slug)}/members/${e(userId)}/${verb}">${hidden}<button type="submit">${label}</button></form>`;
  const invite = `<h2>Invite someone</h2><form method="post" action="/console/t/${e(slug)}/invitations">${hidden}
<p><label>Email <input name="email" type="email" required size="28"></label> <label>Roles <input name="roles" placeholder="member" size="14"></label>
<label>Groups <input name="groups" placeholder="Eng; Ops" size="14"></label> <button type="submit">Send invitation</button></p></form>`;
  if (rows.length === 0) return `<p>No members yet.</p>${invite}`;
  const body = rows
    .map(
      (
        m,
      ) => `<tr data-member="${e(m.userId)}"><td><strong>${e(m.name ?? '')}</strong><br>${e(m.email ?? '(no email)')}</td><td>${e(m.roles.join(', '))}</td><td>${e(m.status)}</td>
<td>${m.status === 'active' ? button(m.userId, 'suspend', 'Suspend') : button(m.userId, 'reactivate', 'Reactivate')} ${button(m.userId, 'remove', 'Remove')}</td></tr>`,
    )
    .join('');
  return `<table><thead><tr><th>Who</th><th>Roles</th><th>Status</th><th></th></tr></thead><tbody>${body}</tbody></table>${invite}`;
}
