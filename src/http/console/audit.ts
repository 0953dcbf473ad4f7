import { z } from 'zod';
import { idListQuery } from '../admin/schemas';
import { escapeHtml as e } from '../pages';
import { blankAsAbsent, type ConsoleContext, type ConsoleDeps } from './context';
import { dateTime, pager } from './layout';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date (YYYY-MM-DD)');
/** The audit log's filters as a browser's form sends them: blank fields absent, dates as calendar days (UTC). */
const auditPageQuery = idListQuery.extend({
  action: z.preprocess(
    blankAsAbsent,
    z
      .string()
      .regex(/^[a-z_.]{1,64}$/, 'must be an action name')
      .optional(),
  ),
  /** A member's user id, or their email (looked up among the tenant's members). */
  user: z.preprocess(blankAsAbsent, z.union([z.string().regex(/^[0-9a-f]{24}$/), z.email().max(320)], 'must be a user id or an email').optional()),
  from: z.preprocess(blankAsAbsent, day.optional()),
  to: z.preprocess(blankAsAbsent, day.optional()),
});

const startOf = (d: string | undefined) => (d ? new Date(`${d}T00:00:00.000Z`) : undefined);
const endOf = (d: string | undefined) => (d ? new Date(`${d}T23:59:59.999Z`) : undefined);

/** The tenant's audit log, newest first, filtered by action, member and date range, paged (the admin API's audit library). */
export function auditPages(deps: ConsoleDeps, ctx: ConsoleContext) {
  ctx.tenantPage('audit', 'audit', { query: auditPageQuery }, async ({ tenant, query }) => {
    const userId = query.user?.includes('@') ? await deps.members.idByEmail(tenant._id, query.user) : query.user;
    const filter = { action: query.action, user: userId ?? undefined, from: startOf(query.from), to: endOf(query.to) };
    const { data, nextCursor } =
      query.user && !userId ? { data: [], nextCursor: null } : await deps.audit.listForTenant(tenant._id, filter, query.limit, query.cursor);
    const base = `/console/t/${e(tenant.slug)}/audit`;
    const form = `<form method="get" action="${base}" aria-label="Filter the audit log"><fieldset><legend>Filter</legend>
<label>Action <input name="action" value="${e(query.action ?? '')}" placeholder="member.suspended" pattern="[a-z_.]{1,64}" size="22"></label>
<label>Member (email or user id) <input name="user" value="${e(query.user ?? '')}" maxlength="320" size="26"></label>
<label>From <input name="from" type="date" value="${e(query.from ?? '')}"></label>
<label>To <input name="to" type="date" value="${e(query.to ?? '')}"></label>
<button type="submit">Filter</button></fieldset></form>`;
    const table = data.length
      ? `<table><thead><tr><th scope="col">When</th><th scope="col">Action</th><th scope="col">By</th><th scope="col">Target</th><th scope="col">Member</th><th scope="col">Reason</th></tr></thead><tbody>${data
          .map(
            (a) =>
              `<tr data-event="${e(a.id)}"><td>${dateTime(a.at)}</td><th scope="row">${e(a.action)}</th><td>${e(`${a.actor.type}${a.actor.id ? `:${a.actor.id}` : ''}`)}</td>
<td>${e(`${a.target.type}${a.target.id ? `:${a.target.id}` : ''}`)}</td><td>${a.userId ? `<a href="/console/t/${e(tenant.slug)}/members/${e(a.userId)}">${e(a.userId)}</a>` : ''}</td><td>${e(a.reason ?? '')}</td></tr>`,
          )
          .join('')}</tbody></table>`
      : `<p>${query.user && !userId ? 'No member of this organization has that email.' : 'No audit events match.'}</p>`;
    return {
      title: 'Audit log',
      body: form + table + pager(base, { action: query.action, user: query.user, from: query.from, to: query.to, limit: String(query.limit) }, nextCursor),
    };
  });
}
