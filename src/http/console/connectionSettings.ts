import { z } from 'zod';
import express, { type Router } from 'express';
import type { GroupSyncSettings } from '../../domain/groups';
import { GROUP_SYNC_MODES } from '../../domain/groups';
import { OnrampError } from '../../errors';
import { samlSettingsBody } from '../admin/connectionSchemas';
import { groupSyncBody } from '../admin/groupSchemas';
import { connectionParams } from '../admin/schemas';
import { escapeHtml as e } from '../pages';
import { route } from '../route';
import { blankAsAbsent, formRefused, type ConsoleContext, type ConsoleDeps } from './context';
import { hiddenCsrf, select } from './layout';

/** Blank rows the group-mapping table offers for new mappings (a row left blank is ignored; clearing a row's IdP value removes it). */
const NEW_MAPPING_ROWS = 3;

/** The group-sync form's path, for SAML and OIDC connections alike. */
export const GROUP_SYNC_FORM_PATH = '/console/t/:tenant/connections/:kind/:connectionId/group-sync';

/**
 * The group-sync form's body: larger than the console's other forms, as its
 * mapping table may hold as many rows as the API takes (1,000 mappings, three
 * fields each, and an allow-list of 1,000 groups). Registered before the
 * console's shared form parser, which then leaves the parsed body alone.
 */
export const groupSyncFormBody = express.urlencoded({ extended: false, limit: '256kb', parameterLimit: 3100 });

/** A repeated form field: one value arrives as a string, several as an array. */
const repeated = z.preprocess((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]), z.array(z.string().max(2000)).max(1100));

/** The mapping form (besides its CSRF field): the attributes carrying email, name and groups, custom ones one a line, the link policy. */
const mappingForm = z.object({
  email: z.string().max(256).default(''),
  name: z.string().max(256).default(''),
  groups: z.string().max(256).default(''),
  custom: z.string().max(20_000).default(''),
  linkPolicy: z.preprocess(blankAsAbsent, z.enum(['auto', 'approval', 'deny']).optional()),
});

/** The group-sync form: mode and policies, the allow-list one group a line, and the mapping rows. */
const groupSyncForm = z.object({
  mode: z.string().max(20).default(''),
  whenAbsent: z.string().max(20).default(''),
  unmapped: z.string().max(20).default(''),
  allowList: z.string().max(300_000).default(''),
  mappingValue: repeated,
  mappingGroup: repeated,
  mappingRoles: repeated,
});

const lines = (text: string) =>
  text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);

/** `app_name = IdP attribute` lines as the API's custom mapping; a line without `=` is refused, naming it. */
function customMapping(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [i, line] of lines(text).entries()) {
    const at = line.indexOf('=');
    if (at < 1)
      throw new OnrampError('validation_failed', `The form was refused: custom attributes line ${i + 1}: write app_name = IdP attribute name.`, {
        status: 400,
      });
    out[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return out;
}

type Mapping = { email: string; name: string; groups: string; custom: Record<string, string> };

/** The attribute mapping and link policy of a SAML connection, as an editable form. */
export function mappingSection(base: string, c: { attributeMapping: Mapping; linkPolicy: string | null }, csrf: string): string {
  const m = c.attributeMapping;
  const field = (name: keyof Omit<Mapping, 'custom'>, label: string) =>
    `<p><label>${e(label)} <input name="${name}" value="${e(m[name])}" required maxlength="256" size="40"></label></p>`;
  const custom = Object.entries(m.custom)
    .map(([app, idp]) => `${app} = ${idp}`)
    .join('\n');
  return `<h2>Attributes and linking</h2><form method="post" action="${base}/settings">${hiddenCsrf(csrf)}
<fieldset><legend>Which IdP attribute carries…</legend>${field('email', 'Email')}${field('name', 'Name')}${field('groups', 'Groups')}
<p><label for="custom">Custom attributes, one a line: <code>app_name = IdP attribute name</code></label><br><textarea id="custom" name="custom" rows="4" cols="70">${e(custom)}</textarea></p></fieldset>
<p>${select(
    'linkPolicy',
    'Linking to an existing account',
    [
      ['', "the organization's policy"],
      ['auto', 'link automatically (verified domains)'],
      ['approval', 'ask an admin to approve'],
      ['deny', 'never link'],
    ],
    c.linkPolicy ?? '',
  )}</p>
<p><button type="submit">Save attributes and linking</button></p></form>`;
}

/** How a connection's asserted groups are synced: mode, policies and the IdP group → tenant group (and roles) mappings. */
export function groupSyncSection(base: string, sync: GroupSyncSettings, csrf: string): string {
  const row = (m: { value: string; group: string | null; roles: string[] }, i: number) =>
    `<tr data-mapping="${e(m.value)}"><td><input name="mappingValue" value="${e(m.value)}" maxlength="256" size="28" aria-label="IdP group value, row ${i + 1}"></td>
<td><input name="mappingGroup" value="${e(m.group ?? '')}" maxlength="256" size="22" aria-label="Tenant group, row ${i + 1}"></td>
<td><input name="mappingRoles" value="${e(m.roles.join(', '))}" maxlength="500" size="22" aria-label="Roles, row ${i + 1}"></td></tr>`;
  const blank = { value: '', group: null, roles: [] };
  const rows = [...sync.mappings, ...Array.from({ length: NEW_MAPPING_ROWS }, () => blank)].map(row).join('');
  return `<h2>Groups from the IdP</h2><form method="post" action="${base}/group-sync">${hiddenCsrf(csrf)}
<p>${select(
    'mode',
    'Group sync',
    GROUP_SYNC_MODES.map(
      (mode) =>
        [mode, { off: 'off (groups ignored)', 'add-only': 'add only (never revoke)', full: 'full (revoke what the IdP no longer sends)' }[mode]] as const,
    ),
    sync.mode,
  )}
${select(
  'whenAbsent',
  'When a sign-in carries no groups attribute',
  [
    ['keep', 'keep every grant'],
    ['revoke', 'revoke as if empty'],
  ],
  sync.whenAbsent,
)}
${select(
  'unmapped',
  'An IdP group without a mapping',
  [
    ['ignore', 'ignore it'],
    ['create-group', 'create a group of that name'],
  ],
  sync.unmapped,
)}</p>
<table><caption>Mappings: an IdP group value (exactly as asserted) grants a tenant group, roles, or both. Clear a row's IdP value to remove it.</caption>
<thead><tr><th scope="col">IdP group value</th><th scope="col">Tenant group</th><th scope="col">Roles (comma-separated)</th></tr></thead><tbody>${rows}</tbody></table>
<p><label for="allowList">Only these IdP groups (one a line; empty: all)</label><br><textarea id="allowList" name="allowList" rows="3" cols="50">${e((sync.allowList ?? []).join('\n'))}</textarea></p>
<p><button type="submit">Save group sync</button></p></form>`;
}

/**
 * A SAML connection's mappings and policies from its page: the attribute
 * mapping and link policy through the same update as the admin API's PATCH,
 * group sync and mappings through the same one as its PUT …/group-sync; each
 * form is checked with the admin API's own schema. Group sync is on an OIDC
 * connection's page too (its groups claim).
 */
export function connectionSettingForms(r: Router, deps: ConsoleDeps, ctx: ConsoleContext) {
  const back = (slug: string, id: string) => `/console/t/${slug}/connections/saml/${id}`;

  r.post(
    '/console/t/:tenant/connections/saml/:connectionId/settings',
    route({ params: connectionParams, guard: ctx.formGuard, body: mappingForm }, async ({ params, auth, body, req, res }) =>
      ctx.attempt(req, res, auth.tenant, 'connections', 'The settings were not saved', async () => {
        const parsed = samlSettingsBody.safeParse({
          attributeMapping: { email: body.email.trim(), name: body.name.trim(), groups: body.groups.trim(), custom: customMapping(body.custom) },
          linkPolicy: body.linkPolicy ?? null,
        });
        if (!parsed.success) throw formRefused(parsed.error);
        const conn = await deps.samlConnections.updateSettings(auth.tenant._id, params.connectionId, parsed.data, auth.actor);
        await ctx.flashAndGo(req, res, back(auth.tenant.slug, conn.id), 'Attributes and linking saved: the next sign-ins use them.');
      }),
    ),
  );

  for (const kind of ['saml', 'oidc'] as const)
    r.post(
      `/console/t/:tenant/connections/${kind}/:connectionId/group-sync`,
      route({ params: connectionParams, guard: ctx.formGuard, body: groupSyncForm }, async ({ params, auth, body, req, res }) =>
        ctx.attempt(req, res, auth.tenant, 'connections', 'Group sync was not saved', async () => {
          const mappings = body.mappingValue
            .map((value, i) => ({
              value: value.trim(),
              group: body.mappingGroup[i]?.trim() || null,
              roles: (body.mappingRoles[i] ?? '')
                .split(',')
                .map((role) => role.trim())
                .filter((role) => role.length > 0),
            }))
            .filter((m) => m.value.length > 0);
          const allowList = lines(body.allowList);
          const parsed = groupSyncBody.safeParse({
            mode: body.mode,
            whenAbsent: body.whenAbsent,
            unmapped: body.unmapped,
            allowList: allowList.length > 0 ? allowList : null,
            mappings,
          });
          if (!parsed.success) throw formRefused(parsed.error);
          // A connection of this kind and tenant, or 404.
          await (kind === 'saml' ? deps.samlConnections : deps.oidcConnections).get(auth.tenant._id, params.connectionId);
          await deps.groups.setGroupSync(auth.tenant._id, params.connectionId, parsed.data, auth.actor);
          await ctx.flashAndGo(
            req,
            res,
            `/console/t/${auth.tenant.slug}/connections/${kind}/${params.connectionId}`,
            'Group sync saved: the next sign-ins use it.',
          );
        }),
      ),
    );
}
