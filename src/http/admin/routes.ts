import { Router, type Request } from 'express';
import type { Models } from '../../db/models';
import { z } from 'zod';
import type { createAuditLibrary } from '../../library/auditLog';
import type { createApprovalLibrary } from '../../library/approvals';
import type { createConflictLibrary } from '../../library/conflicts';
import type { createConnectionLibrary } from '../../library/connections';
import type { createDomainLibrary } from '../../library/domains';
import type { createOidcConnectionLibrary } from '../../library/oidcConnections';
import type { OidcClients } from '../oidc/client';
import type { createGroupLibrary } from '../../library/groups';
import type { createIdentityLibrary } from '../../library/identities';
import type { createMemberLibrary } from '../../library/members';
import type { createSamlConnectionLibrary } from '../../library/samlConnections';
import type { createTenantPolicyLibrary } from '../../library/tenantPolicies';
import type { createTenantLibrary } from '../../library/tenants';
import { requireAdminToken } from '../adminAuth';
import { connectionRouter } from './connectionRoutes';
import { domainRouter } from './domainRoutes';
import { groupRouter } from './groupRoutes';
import { decodeCursor } from '../../library/pagination';
import { notFound } from '../../errors';
import { createOidcConnectionBody, createSamlConnectionBody, oidcConnectionOut, samlConnectionOut, samlSettingsBody } from './connectionSchemas';
import { parseInput } from '../validate';
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
  listQuery,
  memberDetailOut,
  memberOut,
  spKeyParams,
  tenantOut,
  tenantParams,
} from './schemas';

export interface AdminRouterDeps {
  adminToken: string;
  models: Models;
  publicUrl: string;
  allowHttpIdpUrls: boolean;
  tenants: ReturnType<typeof createTenantLibrary>;
  samlConnections: ReturnType<typeof createSamlConnectionLibrary>;
  members: ReturnType<typeof createMemberLibrary>;
  audit: ReturnType<typeof createAuditLibrary>;
  policies: ReturnType<typeof createTenantPolicyLibrary>;
  identities: ReturnType<typeof createIdentityLibrary>;
  conflicts: ReturnType<typeof createConflictLibrary>;
  approvals: ReturnType<typeof createApprovalLibrary>;
  groups: ReturnType<typeof createGroupLibrary>;
  domains: ReturnType<typeof createDomainLibrary>;
  oidcConnections: ReturnType<typeof createOidcConnectionLibrary>;
  oidcClients: OidcClients;
  connections: ReturnType<typeof createConnectionLibrary>;
}

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
  r.use(groupRouter({ tenants: deps.tenants, groups: deps.groups, actor: ADMIN }));
  r.use(domainRouter({ tenants: deps.tenants, domains: deps.domains, actor: ADMIN }));
  r.use(connectionRouter({ models: deps.models, tenants: deps.tenants, connections: deps.connections, actor: ADMIN }));
  const tenantOf = async (req: Request) => deps.tenants.bySlug(parseInput(tenantParams, req.params, 'params').tenant);

  r.post('/tenants', async (req, res) => {
    const body = parseInput(createTenantBody, req.body, 'body');
    const tenant = await deps.tenants.create(body, ADMIN);
    res.status(201).json(presentTenant(tenant));
  });

  r.get('/tenants', async (req, res) => {
    const q = parseInput(listQuery, req.query, 'query');
    const { rows, nextCursor } = await deps.tenants.list(q.limit, decodeCursor(q.cursor));
    res.json({ data: rows.map(presentTenant), nextCursor });
  });

  r.get('/tenants/:tenant', async (req, res) => {
    res.json(presentTenant(await tenantOf(req)));
  });

  r.post('/tenants/:tenant/connections/saml', async (req, res) => {
    const tenant = await tenantOf(req);
    const body = parseInput(createSamlConnectionBody(deps.allowHttpIdpUrls), req.body, 'body');
    const conn = await deps.samlConnections.create(tenant._id, body, ADMIN);
    res.status(201).json(samlConnectionOut.parse(conn));
  });

  r.get('/tenants/:tenant/connections/saml/:connectionId', async (req, res) => {
    const tenant = await tenantOf(req);
    const { connectionId } = parseInput(connectionParams, req.params, 'params');
    res.json(samlConnectionOut.parse(await deps.samlConnections.get(tenant._id, connectionId)));
  });

  r.patch('/tenants/:tenant/connections/saml/:connectionId', async (req, res) => {
    const tenant = await tenantOf(req);
    const { connectionId } = parseInput(connectionParams, req.params, 'params');
    const body = parseInput(samlSettingsBody, req.body, 'body');
    res.json(samlConnectionOut.parse(await deps.samlConnections.updateSettings(tenant._id, connectionId, body, ADMIN)));
  });

  r.post('/tenants/:tenant/connections/saml/:connectionId/sp-keys', async (req, res) => {
    const tenant = await tenantOf(req);
    const { connectionId } = parseInput(connectionParams, req.params, 'params');
    res.status(201).json(samlConnectionOut.parse(await deps.samlConnections.addSpKey(tenant._id, connectionId, ADMIN)));
  });

  r.post('/tenants/:tenant/connections/saml/:connectionId/sp-keys/:keyId/activate', async (req, res) => {
    const tenant = await tenantOf(req);
    const { connectionId, keyId } = parseInput(spKeyParams, req.params, 'params');
    res.json(samlConnectionOut.parse(await deps.samlConnections.activateSpKey(tenant._id, connectionId, keyId, ADMIN)));
  });

  r.delete('/tenants/:tenant/connections/saml/:connectionId/sp-keys/:keyId', async (req, res) => {
    const tenant = await tenantOf(req);
    const { connectionId, keyId } = parseInput(spKeyParams, req.params, 'params');
    res.json(samlConnectionOut.parse(await deps.samlConnections.retireSpKey(tenant._id, connectionId, keyId, ADMIN)));
  });

  r.post('/tenants/:tenant/connections/oidc', async (req, res) => {
    const tenant = await tenantOf(req);
    const body = parseInput(createOidcConnectionBody(deps.allowHttpIdpUrls), req.body, 'body');
    const conn = await deps.oidcConnections.create(tenant._id, body, ADMIN);
    // Prove the issuer answers discovery now, not at someone's first sign-in.
    const doc = await deps.oidcConnections.byId(conn.id);
    const discovered = doc ? await deps.oidcClients.config(doc).then(() => true, () => false) : false;
    res.status(201).json({ ...oidcConnectionOut.parse(conn), discovery: discovered ? 'ok' : 'failed' });
  });

  r.put('/tenants/:tenant/domains', async (req, res) => {
    const tenant = await tenantOf(req);
    const body = parseInput(domainsBody, req.body, 'body');
    await deps.policies.setDomains(tenant._id, body.domains, ADMIN);
    res.json(presentTenant(await deps.tenants.bySlug(tenant.slug)));
  });

  r.put('/tenants/:tenant/link-policy', async (req, res) => {
    const tenant = await tenantOf(req);
    const body = parseInput(linkPolicyBody, req.body, 'body');
    await deps.policies.setLinkPolicy(tenant._id, body, ADMIN);
    res.json(presentTenant(await deps.tenants.bySlug(tenant.slug)));
  });

  r.put('/tenants/:tenant/conflict-policy', async (req, res) => {
    const tenant = await tenantOf(req);
    const { policy } = parseInput(conflictPolicyBody, req.body, 'body');
    await deps.policies.setConflictPolicy(tenant._id, policy, ADMIN);
    res.json({ policy });
  });

  r.put('/tenants/:tenant/connections/:connectionId/attribute-sync', async (req, res) => {
    const tenant = await tenantOf(req);
    const { connectionId } = parseInput(connectionParams, req.params, 'params');
    const { mode } = parseInput(attributeSyncBody, req.body, 'body');
    await deps.policies.setAttributeSync(tenant._id, connectionId, mode, ADMIN);
    res.json({ mode });
  });

  r.get('/tenants/:tenant/conflicts', async (req, res) => {
    const tenant = await tenantOf(req);
    res.json({ data: z.array(conflictOut).parse(await deps.conflicts.listOpen(tenant._id)) });
  });

  r.post('/tenants/:tenant/conflicts/:conflictId/resolve', async (req, res) => {
    const tenant = await tenantOf(req);
    const { conflictId } = parseInput(conflictParams, req.params, 'params');
    const { resolution } = parseInput(resolveConflictBody, req.body, 'body');
    await deps.conflicts.resolve(tenant._id, conflictId, resolution, ADMIN);
    res.status(204).end();
  });

  r.get('/tenants/:tenant/approvals', async (req, res) => {
    const tenant = await tenantOf(req);
    const q = parseInput(approvalQuery, req.query, 'query');
    const result = await deps.approvals.listPending(tenant._id, q, q.limit, decodeCursor(q.cursor));
    res.json({ data: z.array(approvalOut).parse(result.data), nextCursor: result.nextCursor });
  });

  r.post('/tenants/:tenant/approvals/:requestId/approve', async (req, res) => {
    const tenant = await tenantOf(req);
    const { requestId } = parseInput(approvalParams, req.params, 'params');
    const body = parseInput(approveBody, req.body ?? {}, 'body');
    res.json({ id: requestId, ...(await deps.approvals.decide(tenant._id, requestId, { approve: true, ...body }, TOKEN_DECIDER)) });
  });

  r.post('/tenants/:tenant/approvals/:requestId/reject', async (req, res) => {
    const tenant = await tenantOf(req);
    const { requestId } = parseInput(approvalParams, req.params, 'params');
    const { reason } = parseInput(rejectBody, req.body ?? {}, 'body');
    res.json({ id: requestId, ...(await deps.approvals.decide(tenant._id, requestId, { approve: false, reason }, TOKEN_DECIDER)) });
  });

  r.put('/tenants/:tenant/approval-policy', async (req, res) => {
    const tenant = await tenantOf(req);
    const body = parseInput(approvalPolicyBody, req.body, 'body');
    await deps.policies.setApprovalPolicy(tenant._id, body, ADMIN);
    res.json(body);
  });

  r.get('/tenants/:tenant/members/:userId/identities', async (req, res) => {
    const tenant = await tenantOf(req);
    const { userId } = parseInput(memberParams, req.params, 'params');
    const result = await deps.identities.listForMember(tenant._id, userId);
    res.json({ data: z.array(identityOut).parse(result.data), linkedElsewhere: result.linkedElsewhere });
  });

  r.delete('/tenants/:tenant/members/:userId/identities/:identityId', async (req, res) => {
    const tenant = await tenantOf(req);
    const { userId, identityId } = parseInput(identityParams, req.params, 'params');
    await deps.identities.unlink(tenant._id, userId, identityId, ADMIN);
    res.status(204).end();
  });

  r.get('/tenants/:tenant/members/:userId', async (req, res) => {
    const tenant = await tenantOf(req);
    const { userId } = parseInput(memberParams, req.params, 'params');
    const member = await deps.members.getForTenant(tenant._id, userId);
    if (!member) throw notFound('member of this tenant');
    res.json(memberDetailOut.parse(member));
  });

  r.get('/tenants/:tenant/members', async (req, res) => {
    const tenant = await tenantOf(req);
    const q = parseInput(listQuery, req.query, 'query');
    const result = await deps.members.listForTenant(tenant._id, q.limit, decodeCursor(q.cursor));
    res.json({ data: z.array(memberOut).parse(result.data), nextCursor: result.nextCursor });
  });

  r.get('/tenants/:tenant/audit-events', async (req, res) => {
    const tenant = await tenantOf(req);
    const q = parseInput(auditQuery, req.query, 'query');
    const result = await deps.audit.listForTenant(tenant._id, q, q.limit, decodeCursor(q.cursor));
    res.json({ data: z.array(auditEventOut).parse(result.data), nextCursor: result.nextCursor });
  });

  return r;
}
