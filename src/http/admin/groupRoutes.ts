import { Router } from 'express';
import { z } from 'zod';
import type { createGroupLibrary } from '../../library/groups';
import type { createTenantLibrary } from '../../library/tenants';
import { route } from '../route';
import {
  createGroupBody,
  groupMemberOut,
  groupOut,
  groupParams,
  groupRolesBody,
  groupRolesOut,
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
  const tenantOf = (params: { tenant: string }) => tenants.bySlug(params.tenant);

  r.get(
    '/tenants/:tenant/roles',
    route({ summary: "Read the tenant's roles", params: tenantParams, response: roleSettingsOut }, async ({ params }) =>
      groups.roleSettings((await tenantOf(params))._id),
    ),
  );

  r.put(
    '/tenants/:tenant/roles',
    route(
      { summary: 'Set the custom roles, and whether an IdP may grant owner', params: tenantParams, body: roleSettingsBody, response: roleSettingsOut },
      async ({ params, body }) => groups.setRoleSettings((await tenantOf(params))._id, body, actor),
    ),
  );

  r.get(
    '/tenants/:tenant/groups',
    route({ summary: "List the tenant's groups", params: tenantParams, response: z.object({ data: z.array(groupOut) }) }, async ({ params }) => ({
      data: await groups.list((await tenantOf(params))._id),
    })),
  );

  r.post(
    '/tenants/:tenant/groups',
    route(
      { summary: 'Create a group', params: tenantParams, body: createGroupBody, response: groupOut, status: 201, errors: [409] },
      async ({ params, body }) => groups.create((await tenantOf(params))._id, body, actor),
    ),
  );

  r.put(
    '/tenants/:tenant/groups/:group/roles',
    route({ summary: 'Set the roles a group grants', params: groupParams, body: groupRolesBody, response: groupRolesOut }, async ({ params, body }) =>
      groups.setRoles((await tenantOf(params))._id, params.group, body.roles, actor),
    ),
  );

  r.get(
    '/tenants/:tenant/groups/:group/members',
    route(
      { summary: 'List the members holding a group, with every source of it', params: groupParams, response: z.object({ data: z.array(groupMemberOut) }) },
      async ({ params }) => ({
        data: await groups.members((await tenantOf(params))._id, params.group),
      }),
    ),
  );

  r.get(
    '/tenants/:tenant/members/:userId/access',
    route({ summary: "Read a member's groups and effective roles, with their sources", params: memberParams, response: memberAccessOut }, async ({ params }) =>
      groups.access((await tenantOf(params))._id, params.userId),
    ),
  );

  /** 201 when the grant is new, 200 when the member already held it from an admin. */
  r.put(
    '/tenants/:tenant/members/:userId/groups/:group',
    route(
      { summary: 'Grant a group to a member (201 new, 200 held already)', params: memberGroupParams, response: memberAccessOut, alsoStatus: [201] },
      async ({ params, res }) => {
        const tenant = await tenantOf(params);
        const { created } = await groups.grant(tenant._id, params.userId, params.group, actor);
        if (created) res.status(201);
        return groups.access(tenant._id, params.userId);
      },
    ),
  );

  r.delete(
    '/tenants/:tenant/members/:userId/groups/:group',
    route({ summary: "Revoke an admin's grant of a group", params: memberGroupParams, status: 204 }, async ({ params }) => {
      await groups.revoke((await tenantOf(params))._id, params.userId, params.group, actor);
    }),
  );

  r.get(
    '/tenants/:tenant/connections/:connectionId/group-sync',
    route({ summary: "Read how a connection's asserted groups are synced", params: connectionParams, response: groupSyncOut }, async ({ params }) =>
      groups.groupSync((await tenantOf(params))._id, params.connectionId),
    ),
  );

  r.put(
    '/tenants/:tenant/connections/:connectionId/group-sync',
    route(
      { summary: "Set how a connection's asserted groups map to groups and roles", params: connectionParams, body: groupSyncBody, response: groupSyncOut },
      async ({ params, body }) => groups.setGroupSync((await tenantOf(params))._id, params.connectionId, body, actor),
    ),
  );

  return r;
}
