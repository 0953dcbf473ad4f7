import { Router } from 'express';
import { route } from '../route';
import type { Libraries } from '../../library';
import { pageOf } from './pageOf';
import {
  approvalPolicyBody,
  approvalPolicyOut,
  attributeSyncBody,
  conflictPolicyBody,
  connectionParams,
  createTenantBody,
  domainsBody,
  idListQuery,
  linkPolicyBody,
  tenantOut,
  tenantParams,
} from './schemas';

interface TenantRow {
  _id: unknown;
  slug: string;
  name: string;
  jit?: { enabled: boolean; defaultRoles: string[] } | null;
  domains?: Array<{ domain: string; verified: boolean }> | null;
  linking?: { policy: string; fallback: string; excludedUserIds: unknown[] } | null;
  createdAt?: Date;
}

const presentTenant = (t: TenantRow) =>
  tenantOut.parse({
    id: String(t._id),
    slug: t.slug,
    name: t.name,
    jit: { enabled: t.jit?.enabled ?? false, defaultRoles: t.jit?.defaultRoles ?? [] },
    domains: (t.domains ?? []).map((d) => ({ domain: d.domain, verified: d.verified })),
    linking: {
      policy: t.linking?.policy ?? 'approval',
      fallback: t.linking?.fallback ?? 'deny',
      excludedUserIds: (t.linking?.excludedUserIds ?? []).map(String),
    },
    createdAt: t.createdAt ?? new Date(0),
  });

export type TenantRouterDeps = Pick<Libraries, 'tenants' | 'policies'> & {
  actor: { type: 'admin'; id: string | null };
};

/** Tenants and their policies: create, list, read; domains, linking, conflicts, attribute sync and approvals policy. */
export function tenantRouter(deps: TenantRouterDeps): Router {
  const r = Router();
  const tenantOf = (params: { tenant: string }) => deps.tenants.bySlug(params.tenant);
  r.post(
    '/tenants',
    route({ summary: 'Create a tenant', body: createTenantBody, response: tenantOut, status: 201, errors: [409] }, async ({ body }) =>
      presentTenant(await deps.tenants.create(body, deps.actor)),
    ),
  );

  r.get(
    '/tenants',
    route({ summary: 'List tenants (paged)', query: idListQuery, response: pageOf(tenantOut) }, async ({ query }) => {
      const { rows, nextCursor } = await deps.tenants.list(query.limit, query.cursor);
      return { data: rows.map(presentTenant), nextCursor };
    }),
  );

  r.get(
    '/tenants/:tenant',
    route({ summary: 'Read a tenant', params: tenantParams, response: tenantOut }, async ({ params }) => presentTenant(await tenantOf(params))),
  );

  r.put(
    '/tenants/:tenant/domains',
    route(
      {
        summary: "Replace the tenant's domain list (without DNS proof; see /domains)",
        params: tenantParams,
        body: domainsBody,
        response: tenantOut,
        errors: [409],
      },
      async ({ params, body }) => {
        const tenant = await tenantOf(params);
        await deps.policies.setDomains(tenant._id, body.domains, deps.actor);
        return presentTenant(await deps.tenants.bySlug(tenant.slug));
      },
    ),
  );

  r.put(
    '/tenants/:tenant/link-policy',
    route({ summary: 'Set the account-linking policy', params: tenantParams, body: linkPolicyBody, response: tenantOut }, async ({ params, body }) => {
      const tenant = await tenantOf(params);
      await deps.policies.setLinkPolicy(tenant._id, body, deps.actor);
      return presentTenant(await deps.tenants.bySlug(tenant.slug));
    }),
  );

  r.put(
    '/tenants/:tenant/conflict-policy',
    route(
      { summary: 'Set how attribute conflicts with the IdP are resolved', params: tenantParams, body: conflictPolicyBody, response: conflictPolicyBody },
      async ({ params, body }) => {
        await deps.policies.setConflictPolicy((await tenantOf(params))._id, body.policy, deps.actor);
        return body;
      },
    ),
  );

  r.put(
    '/tenants/:tenant/connections/:connectionId/attribute-sync',
    route(
      { summary: "Set when a connection's sign-ins sync attributes", params: connectionParams, body: attributeSyncBody, response: attributeSyncBody },
      async ({ params, body }) => {
        await deps.policies.setAttributeSync((await tenantOf(params))._id, params.connectionId, body.mode, deps.actor);
        return body;
      },
    ),
  );

  r.put(
    '/tenants/:tenant/approval-policy',
    route(
      { summary: 'Set when sign-ins wait for an approval', params: tenantParams, body: approvalPolicyBody, response: approvalPolicyOut },
      async ({ params, body }) => {
        await deps.policies.setApprovalPolicy((await tenantOf(params))._id, body, deps.actor);
        return body;
      },
    ),
  );

  return r;
}
