import { z } from 'zod';
import type { Router } from 'express';
import { createGroupBody, groupParams, groupRolesBody } from '../admin/groupSchemas';
import { keyListQuery, tenantParams } from '../admin/schemas';
import { escapeHtml as e } from '../pages';
import { route } from '../route';
import { formRefused, type ConsoleContext, type ConsoleDeps } from './context';
import { dateTime, hiddenCsrf, pager } from './layout';

/** Checked boxes of one name: absent, one value, or several (as a browser's form sends them). */
const checked = z
  .union([z.string().max(100), z.array(z.string().max(100)).max(50)])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]));
/** The "new group" form (besides its CSRF field). */
const createForm = z.object({ name: z.string().max(300).default(''), roles: checked });
/** The "set roles" form of one group (besides its CSRF field). */
const rolesForm = z.object({ roles: checked });

/** One checkbox a role, the ones held ticked; `id` keeps each form's labels apart. */
const roleBoxes = (id: string, roles: string[], held: string[]) =>
  roles
    .map(
      (role) =>
        `<label><input type="checkbox" name="roles" value="${e(role)}" id="${e(`${id}-${role}`)}"${held.includes(role) ? ' checked' : ''}> ${e(role)}</label>`,
    )
    .join(' ');

/** Groups and the roles each grants: the list (paged), a new group, and setting a group's roles — the group library, as the admin API. */
export function groupPages(r: Router, deps: ConsoleDeps, ctx: ConsoleContext) {
  ctx.tenantPage('groups', 'groups', { query: keyListQuery }, async ({ tenant, query, csrf }) => {
    const base = `/console/t/${e(tenant.slug)}/groups`;
    const [{ roles }, { data, nextCursor }] = await Promise.all([
      deps.groups.roleSettings(tenant._id),
      deps.groups.listPage(tenant._id, query.limit, query.cursor),
    ]);
    const table = data.length
      ? `<table><thead><tr><th scope="col">Group</th><th scope="col">Roles it grants</th><th scope="col">Members</th><th scope="col">Made by</th><th scope="col">Set its roles</th></tr></thead><tbody>${data
          .map(
            (g, i) =>
              `<tr data-group="${e(g.name)}"><th scope="row">${e(g.name)}</th><td data-roles>${e(g.roles.join(', ') || '—')}</td>
<td><a href="/console/t/${e(tenant.slug)}/members?group=${e(encodeURIComponent(g.name))}">${g.memberCount}</a></td><td>${e(g.createdFrom)} ${dateTime(g.createdAt)}</td>
<td><form class="inline" method="post" action="${base}/${e(encodeURIComponent(g.name))}/roles">${hiddenCsrf(csrf)}<fieldset><legend class="muted">Roles of ${e(g.name)}</legend>${roleBoxes(`g${i}`, roles, g.roles)}
<button type="submit" aria-label="${e(`Save the roles of ${g.name}`)}">Save roles</button></fieldset></form></td></tr>`,
          )
          .join('')}</tbody></table>`
      : '<p>No groups yet.</p>';
    const create = `<h2>New group</h2><form method="post" action="${base}">${hiddenCsrf(csrf)}
<p><label>Name <input name="name" required maxlength="256" size="24"></label></p><fieldset><legend>Roles it grants</legend>${roleBoxes('new', roles, [])}</fieldset>
<p><button type="submit">Create group</button></p></form>`;
    return { title: 'Groups', body: table + pager(base, { limit: String(query.limit) }, nextCursor) + create };
  });

  r.post(
    '/console/t/:tenant/groups',
    route({ params: tenantParams, guard: ctx.formGuard, body: createForm }, async ({ auth, body: form, req, res }) =>
      ctx.attempt(req, res, auth.tenant, 'groups', 'The group was not created', async () => {
        const parsed = createGroupBody.safeParse(form);
        if (!parsed.success) throw formRefused(parsed.error);
        const g = await deps.groups.create(auth.tenant._id, parsed.data, auth.actor, { mayGrantOwner: auth.mayActOnOwners });
        await ctx.flashAndGo(
          req,
          res,
          `/console/t/${auth.tenant.slug}/groups`,
          `Group ${g.name} created${g.roles.length ? `, granting ${g.roles.join(', ')}` : ''}.`,
        );
      }),
    ),
  );

  r.post(
    '/console/t/:tenant/groups/:group/roles',
    route({ params: groupParams, guard: ctx.formGuard, body: rolesForm }, async ({ params, auth, body: form, req, res }) =>
      ctx.attempt(req, res, auth.tenant, 'groups', "The group's roles were not changed", async () => {
        const parsed = groupRolesBody.safeParse(form);
        if (!parsed.success) throw formRefused(parsed.error);
        const g = await deps.groups.setRoles(auth.tenant._id, params.group, parsed.data.roles, auth.actor, { mayGrantOwner: auth.mayActOnOwners });
        await ctx.flashAndGo(req, res, `/console/t/${auth.tenant.slug}/groups`, `Group ${g.name} now grants ${g.roles.join(', ') || 'no role'}.`);
      }),
    ),
  );
}
