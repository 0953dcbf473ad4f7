import { Router } from 'express';
import type { Libraries } from '../../library';
import type { Models } from '../../store/models';
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
import { approvalRouter } from './approvalRoutes';
import { conflictRouter } from './conflictRoutes';
import { memberReadRouter } from './memberReadRoutes';
import { tenantRouter } from './tenantRoutes';

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

  r.use(tenantRouter({ tenants: deps.tenants, policies: deps.policies, actor: ADMIN }));
  r.use(conflictRouter({ tenants: deps.tenants, conflicts: deps.conflicts, actor: ADMIN }));
  r.use(approvalRouter({ tenants: deps.tenants, approvals: deps.approvals, decider: TOKEN_DECIDER }));
  r.use(memberReadRouter({ tenants: deps.tenants, members: deps.members, identities: deps.identities, audit: deps.audit, actor: ADMIN }));
  return r;
}
