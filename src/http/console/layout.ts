import { randomBytes } from 'node:crypto';
/** The console's one layout: header, the tenant's navigation, the flash message, and shared bits (hidden CSRF field, pager). */
import { escapeHtml as e } from '../pages';

const STYLE = `body{font-family:system-ui,sans-serif;max-width:72rem;margin:1.5rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.5rem;text-align:left;vertical-align:top}
.muted{color:#666}.flash{background:#eef6ee;border:1px solid #9c9;padding:.5rem 1rem}.error{background:#fbeeee;border-color:#c99}
form.inline{display:inline-block;margin:0 .5rem .25rem 0}button{padding:.3rem .8rem}input,select{padding:.25rem}
header{display:flex;justify-content:space-between;align-items:baseline;flex-wrap:wrap}
nav ul{list-style:none;padding:0;margin:0 0 1rem;display:flex;gap:1rem;border-bottom:1px solid #ddd}
nav a{display:inline-block;padding:.4rem 0}nav a[aria-current=page]{font-weight:bold;border-bottom:3px solid #36c}
fieldset{border:1px solid #ddd;margin:0 0 1rem}dl{display:grid;grid-template-columns:max-content auto;gap:.25rem 1rem}dt{font-weight:bold}`;

/** The console's sections of one tenant, in navigation order. */
export const SECTIONS = [
  ['members', 'Members'],
  ['approvals', 'Approvals'],
  ['invitations', 'Invitations'],
  ['audit', 'Audit log'],
  ['connections', 'Connections'],
  ['domains', 'Domains'],
  ['directories', 'Directories'],
  ['groups', 'Groups'],
  ['imports', 'Imports'],
  ['webhooks', 'Webhooks'],
] as const;
export type Section = (typeof SECTIONS)[number][0];

export interface LayoutInput {
  title: string;
  /** Who is signed in (shown with the sign-out button), or null. */
  who: string | null;
  csrf: string;
  body: string;
  flash?: string | undefined;
  /** The tenant whose sections the navigation links, and the current one. */
  tenant?: { slug: string; name: string } | undefined;
  current?: Section | undefined;
  /** Reload the page every so many seconds (a running import's progress), without JavaScript. */
  refreshSeconds?: number | undefined;
}

export const hiddenCsrf = (csrf: string) => `<input type="hidden" name="_csrf" value="${e(csrf)}">`;
/** A form's own key (library/formKeys.ts): the same form sent twice creates one thing. */
export const hiddenFormKey = () => `<input type="hidden" name="key" value="${randomBytes(12).toString('hex')}">`;

export function flashBox(flash: string | undefined): string {
  if (!flash) return '';
  const isError = flash.startsWith('!');
  return `<p class="flash${isError ? ' error' : ''}" role="status">${e(isError ? flash.slice(1) : flash)}</p>`;
}

export function layout(input: LayoutInput): string {
  const { title, who, csrf, body, tenant, current } = input;
  const signOut = who
    ? `<span class="muted">${e(who)}</span> <form class="inline" method="post" action="/console/logout">${hiddenCsrf(csrf)}<button>Sign out</button></form>`
    : '';
  const nav = tenant
    ? `<nav aria-label="Console sections"><ul><li><a href="/console">Organizations</a></li>${SECTIONS.map(
        ([path, label]) => `<li><a href="/console/t/${e(tenant.slug)}/${path}"${current === path ? ' aria-current="page"' : ''}>${e(label)}</a></li>`,
      ).join('')}</ul></nav>`
    : '';
  const fullTitle = tenant ? `${title} · ${tenant.name}` : title;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
${input.refreshSeconds ? `<meta http-equiv="refresh" content="${Math.max(1, Math.floor(input.refreshSeconds))}">` : ''}<title>${e(fullTitle)} · onramp console</title><style>${STYLE}</style></head>
<body><header><p><strong>onramp console</strong>${tenant ? ` · ${e(tenant.name)} <span class="muted">(${e(tenant.slug)})</span>` : ''}</p><div>${signOut}</div></header>
${nav}<main><h1>${e(title)}</h1>${flashBox(input.flash)}${body}</main></body></html>`;
}

/** A "next page" link keeping the page's filters (empty ones left out), or nothing on the last page. */
export function pager(path: string, filters: Record<string, string | undefined>, nextCursor: string | null): string {
  if (!nextCursor) return '';
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v) query.set(k, v);
  query.set('cursor', nextCursor);
  return `<p><a rel="next" href="${e(`${path}?${query.toString()}`)}">Next page</a></p>`;
}

/** A `<select>` with a label; `value` marks the selected option. */
export function select(name: string, label: string, options: ReadonlyArray<readonly [string, string]>, value: string | undefined): string {
  return `<label>${e(label)} <select name="${e(name)}">${options
    .map(([v, text]) => `<option value="${e(v)}"${v === (value ?? '') ? ' selected' : ''}>${e(text)}</option>`)
    .join('')}</select></label>`;
}

export const dateTime = (d: Date | null | undefined) =>
  d ? `<time datetime="${e(d.toISOString())}">${e(d.toISOString().replace('T', ' ').slice(0, 19))}</time>` : '';
