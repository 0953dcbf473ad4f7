import { Router } from 'express';
import { z } from 'zod';
import type { Libraries } from '../../library';
import { DIRECTORY_PROVIDERS } from '../../store/models/scimDirectory';
import { SUBJECT_MATCHES } from '../../domain/linking';
import { MAX_TOKEN_OVERLAP_SECONDS } from '../../library/scimDirectories';
import { route } from '../route';
import { pageOf } from './pageOf';
import { auditEventOut, idListQuery, keyListQuery, tenantParams } from './schemas';

export type DirectoryRouterDeps = Pick<Libraries, 'tenants' | 'scimDirectories' | 'directoryContents' | 'audit' | 'policies'> & {
  actor: { type: 'admin'; id: string | null };
};

const directoryParams = tenantParams.extend({ directoryId: z.string().regex(/^[0-9a-f]{24}$/, 'must be a directory id') });
const tokenParams = directoryParams.extend({ tokenId: z.string().regex(/^[0-9a-f]{12}$/, 'must be a token id') });
/** A new directory: its name and provider (the console's form too). */
export const createDirectoryBody = z.strictObject({ name: z.string().trim().min(1).max(200), provider: z.enum(DIRECTORY_PROVIDERS).default('generic') });
const rotateBody = z.strictObject({ overlapSeconds: z.number().int().min(0).max(MAX_TOKEN_OVERLAP_SECONDS).optional() });
const enabledBody = z.strictObject({ enabled: z.boolean() });
const directoryOut = z.object({
  id: z.string(),
  tenantId: z.string(),
  name: z.string(),
  provider: z.string(),
  enabled: z.boolean(),
  /** Give this and a token to the IdP's provisioning settings (the SCIM endpoint). */
  baseUrl: z.string(),
  /** The live tokens: ids and expiry only; a token itself is shown once, when it is made. */
  tokens: z.array(z.object({ id: z.string(), createdAt: z.string(), expiresAt: z.string().nullable() })),
  createdAt: z.string(),
});
const withToken = directoryOut.extend({ token: z.string() });
const directorySyncOut = z.strictObject({ authoritative: z.boolean(), deprovision: z.enum(['suspend', 'remove']), subjectMatch: z.enum(SUBJECT_MATCHES) });
/** `subjectMatch` left out keeps the tenant's rule (a client from before it existed does not turn it off). */
const directorySyncBody = directorySyncOut.extend({ subjectMatch: z.enum(SUBJECT_MATCHES).optional() });
const directoryUserOut = z.object({
  id: z.string(),
  userName: z.string(),
  externalId: z.string().nullable(),
  active: z.boolean(),
  /** The onramp account it provisioned (null while it has none: inactive from the start, or no email yet). */
  userId: z.string().nullable(),
  version: z.number(),
  lastModified: z.string(),
});
const directoryGroupOut = z.object({
  id: z.string(),
  displayName: z.string(),
  externalId: z.string().nullable(),
  tenantGroup: z.string(),
  version: z.number(),
  lastModified: z.string(),
});

/** A tenant's SCIM directories and their tokens (mounted inside the admin router). */
export function directoryRouter({ tenants, scimDirectories, directoryContents, audit, policies, actor }: DirectoryRouterDeps): Router {
  const r = Router();
  const tenantOf = (params: { tenant: string }) => tenants.bySlug(params.tenant);

  r.post(
    '/tenants/:tenant/directories',
    route(
      {
        summary: 'Create a SCIM directory (its first token is answered once)',
        params: tenantParams,
        body: createDirectoryBody,
        response: withToken,
        status: 201,
      },
      async ({ params, body }) => scimDirectories.create((await tenantOf(params))._id, body, actor),
    ),
  );
  r.get(
    '/tenants/:tenant/directories',
    route({ summary: "List the tenant's SCIM directories", params: tenantParams, response: z.object({ data: z.array(directoryOut) }) }, async ({ params }) => ({
      data: await scimDirectories.list((await tenantOf(params))._id),
    })),
  );
  r.get(
    '/tenants/:tenant/directories/:directoryId',
    route({ summary: 'Read a SCIM directory', params: directoryParams, response: directoryOut }, async ({ params }) =>
      scimDirectories.get((await tenantOf(params))._id, params.directoryId),
    ),
  );
  r.patch(
    '/tenants/:tenant/directories/:directoryId',
    route({ summary: 'Enable or disable a SCIM directory', params: directoryParams, body: enabledBody, response: directoryOut }, async ({ params, body }) =>
      scimDirectories.setEnabled((await tenantOf(params))._id, params.directoryId, body.enabled, actor),
    ),
  );
  r.delete(
    '/tenants/:tenant/directories/:directoryId',
    route({ summary: 'Delete a SCIM directory', params: directoryParams, status: 204 }, async ({ params }) => {
      await scimDirectories.remove((await tenantOf(params))._id, params.directoryId, actor);
    }),
  );
  r.post(
    '/tenants/:tenant/directories/:directoryId/tokens',
    route(
      {
        summary: 'Issue a new directory token (answered once; the old ones live on for the overlap)',
        params: directoryParams,
        body: rotateBody,
        response: withToken,
        status: 201,
        errors: [409],
      },
      async ({ params, body }) => scimDirectories.rotateToken((await tenantOf(params))._id, params.directoryId, body.overlapSeconds, actor),
    ),
  );
  r.delete(
    '/tenants/:tenant/directories/:directoryId/tokens/:tokenId',
    route({ summary: 'Revoke a directory token', params: tokenParams, response: directoryOut }, async ({ params }) =>
      scimDirectories.revokeToken((await tenantOf(params))._id, params.directoryId, params.tokenId, actor),
    ),
  );

  // How the tenant's directories govern membership.
  r.get(
    '/tenants/:tenant/directory-sync',
    route({ summary: "Read how the tenant's directories govern membership", params: tenantParams, response: directorySyncOut }, async ({ params }) =>
      policies.directorySync((await tenantOf(params))._id),
    ),
  );
  r.put(
    '/tenants/:tenant/directory-sync',
    route(
      { summary: "Set how the tenant's directories govern membership", params: tenantParams, body: directorySyncBody, response: directorySyncOut },
      async ({ params, body }) => {
        const tenantId = (await tenantOf(params))._id;
        const subjectMatch = body.subjectMatch ?? (await policies.directorySync(tenantId)).subjectMatch;
        return policies.setDirectorySync(tenantId, { ...body, subjectMatch }, actor);
      },
    ),
  );

  // What a directory pushed, and what it did (its audit trail, newest first).
  const ownDirectory = async (params: { tenant: string; directoryId: string }) => {
    const tenant = await tenantOf(params);
    await scimDirectories.get(tenant._id, params.directoryId);
    return tenant._id;
  };
  r.get(
    '/tenants/:tenant/directories/:directoryId/users',
    route(
      { summary: 'List the users a directory pushed (paged)', params: directoryParams, query: keyListQuery, response: pageOf(directoryUserOut) },
      async ({ params, query }) => directoryContents.users(await ownDirectory(params), params.directoryId, query.limit, query.cursor),
    ),
  );
  r.get(
    '/tenants/:tenant/directories/:directoryId/groups',
    route(
      { summary: 'List the groups a directory pushed (paged)', params: directoryParams, query: keyListQuery, response: pageOf(directoryGroupOut) },
      async ({ params, query }) => directoryContents.groups(await ownDirectory(params), params.directoryId, query.limit, query.cursor),
    ),
  );
  r.get(
    '/tenants/:tenant/directories/:directoryId/operations',
    route(
      {
        summary: 'Read what a directory did: its audit trail (paged, newest first)',
        params: directoryParams,
        query: idListQuery,
        response: pageOf(auditEventOut),
      },
      async ({ params, query }) =>
        audit.listForTenant(await ownDirectory(params), { actor: { type: 'directory', id: params.directoryId } }, query.limit, query.cursor),
    ),
  );
  return r;
}
