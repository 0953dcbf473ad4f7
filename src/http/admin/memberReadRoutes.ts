import { Router } from 'express';
import { z } from 'zod';
import { route } from '../route';
import type { Libraries } from '../../library';
import { notFound } from '../../errors';
import { pageOf } from './pageOf';
import { auditEventOut, auditQuery, identityOut, identityParams, keyListQuery, memberDetailOut, memberOut, memberParams, tenantParams } from './schemas';

export type MemberReadRouterDeps = Pick<Libraries, 'tenants' | 'members' | 'identities' | 'audit'> & {
  actor: { type: 'admin'; id: string | null };
};

/** Reading members: the list, one member with their attributes, their linked identities (and unlinking one), the audit log. */
export function memberReadRouter(deps: MemberReadRouterDeps): Router {
  const r = Router();
  const tenantOf = (params: { tenant: string }) => deps.tenants.bySlug(params.tenant);
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
      await deps.identities.unlink((await tenantOf(params))._id, params.userId, params.identityId, deps.actor);
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
    route({ summary: 'List members (paged)', params: tenantParams, query: keyListQuery, response: pageOf(memberOut) }, async ({ params, query }) =>
      deps.members.listForTenant((await tenantOf(params))._id, query.limit, query.cursor),
    ),
  );

  r.get(
    '/tenants/:tenant/audit-events',
    route(
      { summary: 'Read the audit log (paged, newest first)', params: tenantParams, query: auditQuery, response: pageOf(auditEventOut) },
      async ({ params, query }) => deps.audit.listForTenant((await tenantOf(params))._id, query, query.limit, query.cursor),
    ),
  );

  return r;
}
