import { Router, type Request } from 'express';
import { z } from 'zod';
import type { createGroupLibrary } from '../../library/groups';
import type { createTenantLibrary } from '../../library/tenants';
import { parseInput } from '../validate';
import {
  createGroupBody,
  groupMemberOut,
  groupOut,
  groupParams,
  groupRolesBody,
  groupSyncBody,
  groupSyncOut,
  memberAccessOut,
  memberGroupParams,
  roleSettingsBody,
  roleSettingsOut,
} from './groupSchemas';
import { connectionParams, memberParams, tenantParams } from './schemas';

export interface GroupRouterDeps {
  tenants: ReturnType<typeof createTenantLibrary>;
  groups: ReturnType<typeof createGroupLibrary>;
  actor: { type: 'admin'; id: string | null };
}

/** Tenant roles, groups, group grants and connections' group mappings (mounted inside the admin router). */
export function groupRouter({ tenants, groups, actor }: GroupRouterDeps): Router {
  const r = Router();
  const tenantOf = async (req: Request) => tenants.bySlug(parseInput(tenantParams, req.params, 'params').tenant);

  r.get('/tenants/:tenant/roles', async (req, res) => {
    res.json(roleSettingsOut.parse(await groups.roleSettings((await tenantOf(req))._id)));
  });

  r.put('/tenants/:tenant/roles', async (req, res) => {
    const tenant = await tenantOf(req);
    const body = parseInput(roleSettingsBody, req.body, 'body');
    res.json(roleSettingsOut.parse(await groups.setRoleSettings(tenant._id, body, actor)));
  });

  r.get('/tenants/:tenant/groups', async (req, res) => {
    res.json({ data: z.array(groupOut).parse(await groups.list((await tenantOf(req))._id)) });
  });

  r.post('/tenants/:tenant/groups', async (req, res) => {
    const tenant = await tenantOf(req);
    const body = parseInput(createGroupBody, req.body, 'body');
    res.status(201).json(groupOut.parse(await groups.create(tenant._id, body, actor)));
  });

  r.put('/tenants/:tenant/groups/:group/roles', async (req, res) => {
    const tenant = await tenantOf(req);
    const { group } = parseInput(groupParams, req.params, 'params');
    const { roles } = parseInput(groupRolesBody, req.body, 'body');
    res.json(await groups.setRoles(tenant._id, group, roles, actor));
  });

  r.get('/tenants/:tenant/groups/:group/members', async (req, res) => {
    const tenant = await tenantOf(req);
    const { group } = parseInput(groupParams, req.params, 'params');
    res.json({ data: z.array(groupMemberOut).parse(await groups.members(tenant._id, group)) });
  });

  r.get('/tenants/:tenant/members/:userId/access', async (req, res) => {
    const tenant = await tenantOf(req);
    const { userId } = parseInput(memberParams, req.params, 'params');
    res.json(memberAccessOut.parse(await groups.access(tenant._id, userId)));
  });

  r.put('/tenants/:tenant/members/:userId/groups/:group', async (req, res) => {
    const tenant = await tenantOf(req);
    const { userId, group } = parseInput(memberGroupParams, req.params, 'params');
    const { created } = await groups.grant(tenant._id, userId, group, actor);
    res.status(created ? 201 : 200).json(memberAccessOut.parse(await groups.access(tenant._id, userId)));
  });

  r.delete('/tenants/:tenant/members/:userId/groups/:group', async (req, res) => {
    const tenant = await tenantOf(req);
    const { userId, group } = parseInput(memberGroupParams, req.params, 'params');
    await groups.revoke(tenant._id, userId, group, actor);
    res.status(204).end();
  });

  r.get('/tenants/:tenant/connections/:connectionId/group-sync', async (req, res) => {
    const tenant = await tenantOf(req);
    const { connectionId } = parseInput(connectionParams, req.params, 'params');
    res.json(groupSyncOut.parse(await groups.groupSync(tenant._id, connectionId)));
  });

  r.put('/tenants/:tenant/connections/:connectionId/group-sync', async (req, res) => {
    const tenant = await tenantOf(req);
    const { connectionId } = parseInput(connectionParams, req.params, 'params');
    const body = parseInput(groupSyncBody, req.body, 'body');
    res.json(groupSyncOut.parse(await groups.setGroupSync(tenant._id, connectionId, body, actor)));
  });

  return r;
}
