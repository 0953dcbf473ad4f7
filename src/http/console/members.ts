import { z } from 'zod';
import type { Router } from 'express';
import { tenantRoles } from '../../domain/groups';
import { isOwner, ROLE_PATTERN } from '../../domain/roles';
import { notFound, OnrampError } from '../../errors';
import { keyListQuery, memberParams } from '../admin/schemas';
import { groupName } from '../admin/groupSchemas';
import { escapeHtml as e } from '../pages';
import { route } from '../route';
import { blankAsAbsent, type ConsoleContext, type ConsoleDeps } from './context';
import { dateTime, hiddenCsrf, pager, select } from './layout';

/** The members list's filters: an email or name prefix, a status, an effective role, a group. */
const memberQuery = keyListQuery.extend({
  q: z.preprocess(blankAsAbsent, z.string().trim().max(100).optional()),
  status: z.preprocess(blankAsAbsent, z.enum(['active', 'suspended']).optional()),
  role: z.preprocess(blankAsAbsent, z.string().regex(ROLE_PATTERN, 'must be a role name').optional()),
  group: z.preprocess(blankAsAbsent, groupName.optional()),
});

interface ListedMember {
  userId: string;
  email: string | null;
  name: string | null;
  roles: string[];
  groups: string[];
  status: string;
}

/** A lifecycle button; its accessible name says whom it acts on (a list has one per row). */
const lifecycleButton = (slug: string, m: { userId: string; who: string }, verb: 'suspend' | 'reactivate' | 'remove', label: string, csrf: string) =>
  `<form class="inline" method="post" action="/console/t/${e(slug)}/members/${e(m.userId)}/${verb}">${hiddenCsrf(csrf)}<button type="submit" aria-label="${e(`${label} ${m.who}`)}">${e(label)}</button></form>`;

const lifecycleButtons = (slug: string, m: { userId: string; status: string; email: string | null; name: string | null }, csrf: string) => {
  const target = { userId: m.userId, who: m.name ?? m.email ?? m.userId };
  return `${m.status === 'active' ? lifecycleButton(slug, target, 'suspend', 'Suspend', csrf) : lifecycleButton(slug, target, 'reactivate', 'Reactivate', csrf)} ${lifecycleButton(slug, target, 'remove', 'Remove', csrf)}`;
};

function membersList(slug: string, rows: ListedMember[], query: z.output<typeof memberQuery>, roles: string[], nextCursor: string | null, csrf: string) {
  const base = `/console/t/${e(slug)}/members`;
  const form = `<form method="get" action="${base}" role="search" aria-label="Find members"><fieldset><legend>Find members</legend>
<label>Email or name starts with <input name="q" type="search" value="${e(query.q ?? '')}" maxlength="100"></label>
${select(
  'status',
  'Status',
  [
    ['', 'any'],
    ['active', 'active'],
    ['suspended', 'suspended'],
  ],
  query.status,
)}
${select('role', 'Role', [['', 'any'], ...roles.map((r) => [r, r] as const)], query.role)}
<label>Group <input name="group" value="${e(query.group ?? '')}" size="14"></label>
<button type="submit">Search</button></fieldset></form>`;
  const table = rows.length
    ? `<table><caption class="muted">Members${query.q || query.status || query.role || query.group ? ' matching the filters' : ''}</caption>
<thead><tr><th scope="col">Who</th><th scope="col">Roles</th><th scope="col">Groups</th><th scope="col">Status</th><th scope="col">Actions</th></tr></thead><tbody>${rows
        .map(
          (m) =>
            `<tr data-member="${e(m.userId)}"><th scope="row"><a href="${base}/${e(m.userId)}">${e(m.name ?? m.email ?? m.userId)}</a><br><span class="muted">${e(m.email ?? '(no email)')}</span></th>
<td>${e(m.roles.join(', '))}</td><td>${e(m.groups.join(', '))}</td><td>${e(m.status)}</td><td>${lifecycleButtons(slug, m, csrf)}</td></tr>`,
        )
        .join('')}</tbody></table>`
    : `<p>${nextCursor ? 'No matches in this stretch of the directory; continue with the next page.' : 'No members match.'}</p>`;
  return form + table + pager(base, { q: query.q, status: query.status, role: query.role, group: query.group, limit: String(query.limit) }, nextCursor);
}

/** The members list with search and the member page: identities, groups and roles with their sources, memberships, audit, runs. */
export function memberPages(r: Router, deps: ConsoleDeps, ctx: ConsoleContext) {
  ctx.tenantPage('members', 'members', { query: memberQuery }, async ({ tenant, query, csrf }) => {
    const found = await deps.members.searchForTenant(tenant._id, query, query.limit, query.cursor);
    return { title: 'Members', body: membersList(tenant.slug, found.data, query, tenantRoles(tenant.roles?.custom ?? []), found.nextCursor, csrf) };
  });

  ctx.tenantPage('members/:userId', 'members', { params: memberParams }, async ({ tenant, params, actor, csrf }) => {
    const member = await deps.members.getForTenant(tenant._id, params.userId);
    if (!member) throw notFound('member of this tenant');
    const [access, identities, audit, everywhere] = await Promise.all([
      deps.members.accessDetail(tenant._id, params.userId),
      deps.identities.listForMember(tenant._id, params.userId),
      deps.audit.listForTenant(tenant._id, { user: params.userId }, 20, null),
      // Another tenant's memberships are the operator's to see, not this tenant's admin's.
      actor.id === 'admin-token' ? deps.members.me(params.userId) : Promise.resolve(null),
    ]);
    const sources = (role: string) =>
      [
        access?.directRoles.includes(role) ? 'direct' : null,
        ...(access?.grants ?? []).filter((g) => g.kind === 'role' && g.value === role).map((g) => `granted by ${g.source}`),
        ...(access?.grants ?? []).filter((g) => g.kind === 'group' && g.groupRoles.includes(role)).map((g) => `group ${g.value} (${g.source})`),
      ].filter((s): s is string => s !== null);
    const rolesTable = `<h2>Roles</h2><table><thead><tr><th scope="col">Role</th><th scope="col">From</th></tr></thead><tbody>${member.roles
      .map((role) => `<tr><th scope="row">${e(role)}</th><td>${e(sources(role).join('; ') || 'tenant default')}</td></tr>`)
      .join('')}</tbody></table>`;
    const groupGrants = (access?.grants ?? []).filter((g) => g.kind === 'group');
    const groupsTable = `<h2>Groups</h2>${
      groupGrants.length
        ? `<table><thead><tr><th scope="col">Group</th><th scope="col">Source</th><th scope="col">Roles it carries</th><th scope="col">Since</th></tr></thead><tbody>${groupGrants
            .map(
              (g) =>
                `<tr><th scope="row">${e(g.value)}</th><td>${e(g.source)}</td><td>${e(g.groupRoles.join(', '))}</td><td>${dateTime(g.grantedAt)}</td></tr>`,
            )
            .join('')}</tbody></table>`
        : '<p>In no group.</p>'
    }`;
    const identitiesTable = `<h2>Identities</h2>${
      identities.data.length
        ? `<table><thead><tr><th scope="col">Protocol</th><th scope="col">Subject</th><th scope="col">Connection</th><th scope="col">Linked</th></tr></thead><tbody>${identities.data
            .map((i) => `<tr><td>${e(i.protocol)}</td><th scope="row">${e(i.subject)}</th><td>${e(i.connectionId)}</td><td>${dateTime(i.linkedAt)}</td></tr>`)
            .join('')}</tbody></table>`
        : '<p>No identity linked at this organization’s connections.</p>'
    }${identities.linkedElsewhere ? `<p class="muted">${identities.linkedElsewhere} more identities at other organizations.</p>` : ''}`;
    const memberships = `<h2>Memberships</h2><table><thead><tr><th scope="col">Organization</th><th scope="col">Status</th><th scope="col">Roles</th></tr></thead><tbody>${
      everywhere
        ? everywhere.memberships
            .map((m) => `<tr><th scope="row">${e(m.tenantSlug ?? m.tenantId)}</th><td>${e(m.status)}</td><td>${e(m.roles.join(', '))}</td></tr>`)
            .join('')
        : `<tr><th scope="row">${e(tenant.slug)}</th><td>${e(member.status)}${access?.suspendedBy ? ` <span class="muted">(by ${e(access.suspendedBy)})</span>` : ''}</td><td>${e(member.roles.join(', '))}</td></tr>`
    }</tbody></table>`;
    const runLink = (workflowId: string, runId: string) => {
      const ui = deps.temporalUi.url;
      const label = `${workflowId} / ${runId}`;
      return ui
        ? `<a href="${e(`${ui}/namespaces/${encodeURIComponent(deps.temporalUi.namespace)}/workflows/${encodeURIComponent(workflowId)}/${encodeURIComponent(runId)}/history`)}">${e(label)}</a>`
        : `<code>${e(label)}</code>`;
    };
    const runs = [...new Map(audit.data.filter((a) => a.workflowId && a.runId).map((a) => [`${a.workflowId}/${a.runId}`, a])).values()];
    const runsList = `<h2>Recent runs</h2>${
      runs.length
        ? `<ul>${runs.map((a) => `<li data-run="${e(a.runId ?? '')}">${runLink(a.workflowId ?? '', a.runId ?? '')} <span class="muted">${e(a.action)}</span></li>`).join('')}</ul>`
        : '<p>No runs recorded for this member.</p>'
    }`;
    const auditTable = `<h2>Recent audit events</h2>${
      audit.data.length
        ? `<table><thead><tr><th scope="col">When</th><th scope="col">Action</th><th scope="col">By</th><th scope="col">Reason</th></tr></thead><tbody>${audit.data
            .map(
              (a) =>
                `<tr><td>${dateTime(a.at)}</td><th scope="row">${e(a.action)}</th><td>${e(`${a.actor.type}${a.actor.id ? `:${a.actor.id}` : ''}`)}</td><td>${e(a.reason ?? '')}</td></tr>`,
            )
            .join('')}</tbody></table><p><a href="/console/t/${e(tenant.slug)}/audit?user=${e(params.userId)}">All of this member’s audit events</a></p>`
        : '<p>No audit events.</p>'
    }`;
    const summary = `<dl><dt>Email</dt><dd>${e(member.email ?? '(no email)')}</dd><dt>Status</dt><dd>${e(member.status)}</dd><dt>Member since</dt><dd>${dateTime(member.createdAt)}</dd></dl>
<p>${lifecycleButtons(tenant.slug, member, csrf)}</p>`;
    return {
      title: member.name ?? member.email ?? member.userId,
      body: `<p><a href="/console/t/${e(tenant.slug)}/members">← All members</a></p>${summary}${rolesTable}${groupsTable}${identitiesTable}${memberships}${runsList}${auditTable}`,
    };
  });

  /** Only an owner (or the operator) acts on an owner, as with approvals. */
  const ownersOnly = () => new OnrampError('forbidden', 'only an owner of the organization may do this to an owner, or give the owner role', { status: 403 });
  for (const verb of ['suspend', 'reactivate', 'remove'] as const) {
    r.post(
      `/console/t/:tenant/members/:userId/${verb}`,
      route({ params: memberParams, guard: ctx.formGuard }, async ({ params, auth, req, res }) =>
        ctx.act(req, res, `/console/t/${auth.tenant.slug}/members${verb === 'remove' ? '' : `/${params.userId}`}`, async () => {
          if (!auth.mayActOnOwners && isOwner((await deps.members.getForTenant(auth.tenant._id, params.userId))?.roles ?? [])) throw ownersOnly();
          const done = await deps.lifecycle.change(auth.tenant._id, params.userId, verb, auth.actor);
          return done.changed ? `Done: the member is ${done.status}.` : `Nothing to do: the member is ${done.status} already.`;
        }),
      ),
    );
  }
}
