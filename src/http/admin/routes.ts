import { Router } from 'express';
import type { Libraries } from '../../library';
import type { Models } from '../../db/models';
import { z } from 'zod';
import type { OidcClients } from '../oidc/client';
import { requireAdminToken } from '../adminAuth';
import { serveOpenApiDocument } from './openapiRoute';
import { connectionRouter } from './connectionRoutes';
import { directoryRouter } from './directoryRoutes';
import { domainRouter } from './domainRoutes';
import { groupRouter } from './groupRoutes';
import { memberRouter } from './memberRoutes';
import { importRouter } from './importRoutes';
import { invitationRouter } from './invitationRoutes';
import { webhookRouter } from './webhookRoutes';
import { notFound } from '../../errors';
import { route } from '../route';
import {
  auditEventOut,
  auditQuery,
  createTenantBody,
  approvalOut,
  approvalParams,
  approvalPolicyBody,
  approvalQuery,
  approveBody,
  rejectBody,
  approvalPolicyOut,
  attributeSyncBody,
  conflictOut,
  conflictParams,
  conflictPolicyBody,
  connectionParams,
  domainsBody,
  identityOut,
  resolveConflictBody,
  identityParams,
  linkPolicyBody,
  memberParams,
  idListQuery,
  keyListQuery,
  memberDetailOut,
  memberOut,
  tenantOut,
  tenantParams,
} from './schemas';

export type AdminRouterDeps = Pick<
  Libraries,
  | 'tenants'
  | 'samlConnections'
  | 'samlMetadata'
  | 'members'
  | 'audit'
  | 'policies'
  | 'identities'
  | 'conflicts'
  | 'approvals'
  | 'groups'
  | 'domains'
  | 'oidcConnections'
  | 'connections'
  | 'scimDirectories'
  | 'directoryContents'
  | 'lifecycle'
  | 'imports'
  | 'invitations'
  | 'webhooks'
  | 'events'
> & {
  adminToken: string;
  models: Models;
  publicUrl: string;
  allowHttpIdpUrls: boolean;
  oidcClients: OidcClients;
};

const ADMIN = { type: 'admin' as const, id: 'admin-token' };
const TOKEN_DECIDER = { id: ADMIN.id, mayGrantOwner: true };

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

/** The admin API: bearer token, every input validated, every answer stripped to its declared shape. */
export function adminRouter(deps: AdminRouterDeps): Router {
  const r = Router();
  r.use(requireAdminToken(deps.adminToken));
  serveOpenApiDocument(r, deps.publicUrl);
  r.use(groupRouter({ tenants: deps.tenants, groups: deps.groups, actor: ADMIN }));
  r.use(invitationRouter({ tenants: deps.tenants, invitations: deps.invitations, actor: ADMIN }));
  r.use(importRouter({ tenants: deps.tenants, imports: deps.imports, actor: ADMIN }));
  r.use(webhookRouter({ tenants: deps.tenants, webhooks: deps.webhooks, events: deps.events, actor: ADMIN }));
  r.use(memberRouter({ tenants: deps.tenants, lifecycle: deps.lifecycle, members: deps.members, invitations: deps.invitations, actor: ADMIN }));
  r.use(domainRouter({ tenants: deps.tenants, domains: deps.domains, actor: ADMIN }));
  r.use(
    directoryRouter({
      tenants: deps.tenants,
      scimDirectories: deps.scimDirectories,
      directoryContents: deps.directoryContents,
      audit: deps.audit,
      policies: deps.policies,
      actor: ADMIN,
    }),
  );
  r.use(
    connectionRouter({
      models: deps.models,
      tenants: deps.tenants,
      connections: deps.connections,
      samlConnections: deps.samlConnections,
      oidcConnections: deps.oidcConnections,
      samlMetadata: deps.samlMetadata,
      oidcClients: deps.oidcClients,
      allowHttpIdpUrls: deps.allowHttpIdpUrls,
      actor: ADMIN,
    }),
  );

  // Every tenant route names its tenant by slug; the schemas extend tenantParams.
  const tenantOf = (params: { tenant: string }) => deps.tenants.bySlug(params.tenant);
  const page = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item), nextCursor: z.string().nullable() });

  r.post(
    '/tenants',
    route({ summary: 'Create a tenant', body: createTenantBody, response: tenantOut, status: 201, errors: [409] }, async ({ body }) =>
      presentTenant(await deps.tenants.create(body, ADMIN)),
    ),
  );

  r.get(
    '/tenants',
    route({ summary: 'List tenants (paged)', query: idListQuery, response: page(tenantOut) }, async ({ query }) => {
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
        await deps.policies.setDomains(tenant._id, body.domains, ADMIN);
        return presentTenant(await deps.tenants.bySlug(tenant.slug));
      },
    ),
  );

  r.put(
    '/tenants/:tenant/link-policy',
    route({ summary: 'Set the account-linking policy', params: tenantParams, body: linkPolicyBody, response: tenantOut }, async ({ params, body }) => {
      const tenant = await tenantOf(params);
      await deps.policies.setLinkPolicy(tenant._id, body, ADMIN);
      return presentTenant(await deps.tenants.bySlug(tenant.slug));
    }),
  );

  r.put(
    '/tenants/:tenant/conflict-policy',
    route(
      { summary: 'Set how attribute conflicts with the IdP are resolved', params: tenantParams, body: conflictPolicyBody, response: conflictPolicyBody },
      async ({ params, body }) => {
        await deps.policies.setConflictPolicy((await tenantOf(params))._id, body.policy, ADMIN);
        return body;
      },
    ),
  );

  r.put(
    '/tenants/:tenant/connections/:connectionId/attribute-sync',
    route(
      { summary: "Set when a connection's sign-ins sync attributes", params: connectionParams, body: attributeSyncBody, response: attributeSyncBody },
      async ({ params, body }) => {
        await deps.policies.setAttributeSync((await tenantOf(params))._id, params.connectionId, body.mode, ADMIN);
        return body;
      },
    ),
  );

  r.get(
    '/tenants/:tenant/conflicts',
    route({ summary: 'List open attribute conflicts', params: tenantParams, response: z.object({ data: z.array(conflictOut) }) }, async ({ params }) => ({
      data: await deps.conflicts.listOpen((await tenantOf(params))._id),
    })),
  );

  r.post(
    '/tenants/:tenant/conflicts/:conflictId/resolve',
    route(
      { summary: 'Resolve an attribute conflict', params: conflictParams, body: resolveConflictBody, status: 204, errors: [409] },
      async ({ params, body }) => {
        await deps.conflicts.resolve((await tenantOf(params))._id, params.conflictId, body.resolution, ADMIN);
      },
    ),
  );

  r.get(
    '/tenants/:tenant/approvals',
    route(
      { summary: 'List pending approval requests (paged)', params: tenantParams, query: approvalQuery, response: page(approvalOut) },
      async ({ params, query }) => deps.approvals.listPending((await tenantOf(params))._id, query, query.limit, query.cursor),
    ),
  );

  const decision = z.object({ id: z.string(), status: z.enum(['approved', 'rejected']) });
  r.post(
    '/tenants/:tenant/approvals/:requestId/approve',
    route({ summary: 'Approve a pending request', params: approvalParams, body: approveBody, response: decision, errors: [409] }, async ({ params, body }) => ({
      id: params.requestId,
      ...(await deps.approvals.decide((await tenantOf(params))._id, params.requestId, { approve: true, ...body }, TOKEN_DECIDER)),
    })),
  );

  r.post(
    '/tenants/:tenant/approvals/:requestId/reject',
    route({ summary: 'Reject a pending request', params: approvalParams, body: rejectBody, response: decision, errors: [409] }, async ({ params, body }) => ({
      id: params.requestId,
      ...(await deps.approvals.decide((await tenantOf(params))._id, params.requestId, { approve: false, reason: body.reason }, TOKEN_DECIDER)),
    })),
  );

  r.put(
    '/tenants/:tenant/approval-policy',
    route(
      { summary: 'Set when sign-ins wait for an approval', params: tenantParams, body: approvalPolicyBody, response: approvalPolicyOut },
      async ({ params, body }) => {
        await deps.policies.setApprovalPolicy((await tenantOf(params))._id, body, ADMIN);
        return body;
      },
    ),
  );

  r.get(
    '/tenants/:tenant/members/:userId/identities',
    route(
      { summary: "List a member's linked identities", params: memberParams, response: z.object({ data: z.array(identityOut), linkedElsewhere: z.number() }) },
      async ({ params }) => deps.identities.listForMember((await tenantOf(params))._id, params.userId),
    ),
  );

  r.delete(
    '/tenants/:tenant/members/:userId/identities/:identityId',
    route({ summary: 'Unlink an identity from a member', params: identityParams, status: 204 }, async ({ params }) => {
      await deps.identities.unlink((await tenantOf(params))._id, params.userId, params.identityId, ADMIN);
    }),
  );

  r.get(
    '/tenants/:tenant/members/:userId',
    route({ summary: 'Read a member with their attributes', params: memberParams, response: memberDetailOut }, async ({ params }) => {
      const member = await deps.members.getForTenant((await tenantOf(params))._id, params.userId);
      if (!member) throw notFound('member of this tenant');
      return member;
    }),
  );

  r.get(
    '/tenants/:tenant/members',
    route({ summary: 'List members (paged)', params: tenantParams, query: keyListQuery, response: page(memberOut) }, async ({ params, query }) =>
      deps.members.listForTenant((await tenantOf(params))._id, query.limit, query.cursor),
    ),
  );

  r.get(
    '/tenants/:tenant/audit-events',
    route(
      { summary: 'Read the audit log (paged, newest first)', params: tenantParams, query: auditQuery, response: page(auditEventOut) },
      async ({ params, query }) => deps.audit.listForTenant((await tenantOf(params))._id, query, query.limit, query.cursor),
    ),
  );

  return r;
}
