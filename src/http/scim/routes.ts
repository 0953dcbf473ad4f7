import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { notFound, OnrampError, unauthorized } from '../../errors';
import type { ScimDirectoryLibrary } from '../../library/scimDirectories';
import { scimBaseUrl } from '../../library/scimDirectories';
import type { ScimGroupLibrary } from '../../library/scimGroups';
import type { ScimUserLibrary } from '../../library/scimUsers';
import type { Logger } from '../../logger';
import { methodLabel, scimResourceOf } from '../../metrics/labels';
import { countScim } from '../../metrics/registry';
import type { ScimResource } from '../../scim/canonical';
import { listResponse, MAX_PAGE_SIZE, resourceTypes, schemaDocument, servedSchemas, serviceProviderConfig } from '../../scim/discovery';
import { scimError } from '../../scim/errors';
import { nulPath } from '../validate';
import { route } from '../route';
import { scimErrorHandler } from './errors';
import { groupRoutes } from './groupRoutes';
import { createTokenBuckets } from './rateLimit';
import { at, callerOf, directoryPath, resourcePath, searchBody, searchProjection, send, setCaller } from './request';
import { userRoutes } from './userRoutes';

export interface ScimRouterDeps {
  logger: Logger;
  publicUrl: string;
  ratePerSecond: number;
  directories: ScimDirectoryLibrary;
  users: ScimUserLibrary;
  groups: ScimGroupLibrary;
}

/** The longest body a directory may send (Groups of thousands of members fit; more is refused before it is read). */
const MAX_BODY = '1mb';

/**
 * The SCIM 2.0 server of each directory (RFC 7643/7644), at
 * `/scim/v2/<directoryId>`: discovery, and Users whose every write is a run
 * of the provisioning core (workflows/directoryUser.ts). Bearer token first
 * (401 before anything is read), then the directory's rate budget (429),
 * then the body (JSON or SCIM JSON, at most 1 MB). Every error is an RFC
 * error body.
 */
export function scimRouter(deps: ScimRouterDeps): Router {
  const buckets = createTokenBuckets(deps.ratePerSecond);
  const r = Router({ mergeParams: true });

  r.use('/scim/v2/:directoryId', async (req: Request, res: Response, next: NextFunction) => {
    const directoryId = String(req.params.directoryId);
    // Every answer is counted once, under the directory only when the token proved it (else the URL could mint series).
    let directory = 'unauthenticated';
    res.once('finish', () => countScim(directory, scimResourceOf(req.originalUrl.split('?')[0] ?? ''), methodLabel(req.method), res.statusCode));
    const header = req.headers.authorization ?? '';
    const bearer = /^Bearer\s+(\S+)$/i.exec(header)?.[1] ?? '';
    const found = await deps.directories.authenticate(directoryId, bearer);
    if (!found) throw unauthorized('a bearer token of this directory is required');
    directory = directoryId;
    if (!found.enabled) throw new OnrampError('directory_disabled', 'This SCIM directory is disabled; enable it in onramp to sync again.', { status: 403 });
    const slot = buckets.take(directoryId);
    if (!slot.ok)
      throw new OnrampError('rate_limited', `Too many requests for this directory; retry in ${slot.retryAfterSeconds} s.`, {
        status: 429,
        details: { retryAfterSeconds: slot.retryAfterSeconds },
      });
    setCaller(req, { directoryId, tenantId: found.tenantId, base: scimBaseUrl(deps.publicUrl, directoryId) });
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  r.use('/scim/v2/:directoryId', express.json({ type: ['application/json', 'application/scim+json'], limit: MAX_BODY, strict: false }));
  // No SCIM attribute takes a NUL character and the PostgreSQL-backed store cannot hold one: refused as input.
  r.use('/scim/v2/:directoryId', (req, _res, next) => {
    const at = nulPath(req.body, 'body');
    if (at) throw scimError('invalidValue', `${at} may not contain NUL characters`);
    next();
  });

  const readOnly = (req: Request) => {
    throw new OnrampError('method_not_allowed', `${req.method} is not supported on ${req.path.split('/').slice(4).join('/')}`, { status: 405 });
  };

  // Discovery (RFC 7644 §4).
  r.get(
    at('/ServiceProviderConfig'),
    route({ params: directoryPath, guard: callerOf }, async ({ auth, res }) => send(res, 200, serviceProviderConfig(auth.base))),
  );
  r.get(
    at('/ResourceTypes'),
    route({ params: directoryPath, guard: callerOf }, async ({ auth, res }) => {
      const all = resourceTypes(auth.base);
      send(res, 200, listResponse(all, all.length, 1));
    }),
  );
  r.get(
    at('/ResourceTypes/:id'),
    route({ params: resourcePath, guard: callerOf }, async ({ auth, params, res }) => {
      const found = resourceTypes(auth.base).find((t) => t.id === params.id);
      if (!found) throw notFound('resource type');
      send(res, 200, found);
    }),
  );
  r.get(
    at('/Schemas'),
    route({ params: directoryPath, guard: callerOf }, async ({ auth, res }) => {
      const all = servedSchemas().map((s) => schemaDocument(auth.base, s));
      send(res, 200, listResponse(all, all.length, 1));
    }),
  );
  r.get(
    at('/Schemas/:id'),
    route({ params: resourcePath, guard: callerOf }, async ({ auth, params, res }) => {
      const found = servedSchemas().find((s) => s.id === params.id);
      if (!found) throw notFound('schema');
      send(res, 200, schemaDocument(auth.base, found));
    }),
  );
  for (const path of ['/ServiceProviderConfig', '/ResourceTypes', '/ResourceTypes/:id', '/Schemas', '/Schemas/:id']) {
    r.post(at(path), readOnly);
    r.put(at(path), readOnly);
    r.patch(at(path), readOnly);
    r.delete(at(path), readOnly);
  }

  const users = userRoutes(r, deps.users);
  const groups = groupRoutes(r, deps.groups);

  // A search at the root (RFC 7644 §3.4.3) spans every resource type: Users first, then Groups, paged as one list.
  // A filter on an attribute one type lacks matches none of that type; one that is invalid for both is refused.
  r.post(
    at('/.search'),
    route({ params: directoryPath, guard: callerOf, body: searchBody }, async ({ auth, body, res }) => {
      const p = searchProjection(body);
      const [userList, groupList] = await Promise.allSettled([
        users.page(auth, body, p),
        groups.page(auth, { ...body, count: MAX_PAGE_SIZE, startIndex: 1 }, p),
      ]);
      if (userList.status === 'rejected' && groupList.status === 'rejected') throw userList.reason;
      const listed = (r: PromiseSettledResult<ScimResource>) => (r.status === 'fulfilled' ? r.value : { totalResults: 0, Resources: [] });
      const u = listed(userList);
      const g = listed(groupList);
      // Users were paged by the query; Groups (the first 200 that match) fill what the page has room for after them.
      const userTotal = Number(u.totalResults);
      const groupSkip = Math.max(0, body.startIndex - 1 - userTotal);
      const room = Math.max(0, body.count - (u.Resources as ScimResource[]).length);
      const shown = [...(u.Resources as ScimResource[]), ...(g.Resources as ScimResource[]).slice(groupSkip, groupSkip + room)];
      send(res, 200, listResponse(shown, userTotal + Number(g.totalResults), body.startIndex));
    }),
  );

  r.all(at('/Bulk'), () => {
    throw new OnrampError('not_implemented', 'Bulk operations are not supported (ServiceProviderConfig: bulk.supported is false).', { status: 501 });
  });
  r.use('/scim/v2/:directoryId', (req: Request) => {
    throw scimError('invalidPath', `no SCIM endpoint ${req.method} ${req.path}`, 404);
  });
  r.use('/scim/v2/:directoryId', scimErrorHandler(deps.logger));
  return r;
}
