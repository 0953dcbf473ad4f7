import { randomUUID } from 'node:crypto';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { notFound, OnrampError, unauthorized } from '../../errors';
import type { ScimDirectoryLibrary } from '../../library/scimDirectories';
import { scimBaseUrl } from '../../library/scimDirectories';
import type { ScimGroupLibrary, ScimGroupWriteInput } from '../../library/scimGroups';
import type { ScimUserLibrary } from '../../library/scimUsers';
import type { Logger } from '../../logger';
import type { ScimResource } from '../../scim/canonical';
import { groupDocument, listResponse, MAX_PAGE_SIZE, resourceTypes, schemaDocument, servedSchemas, serviceProviderConfig, userDocument } from '../../scim/discovery';
import { scimError } from '../../scim/errors';
import { parseFilter } from '../../scim/filter';
import { normalizePatch } from '../../scim/patch';
import { attributeList, project } from '../../scim/projection';
import { groupChangeFromPatch, groupFromBody } from '../../scim/groups';
import type { ScimGroupWriteResult, StoredScimGroup } from '../../scim/groupWrites';
import { GROUP_SHAPE, SEARCH_SCHEMA, USER_SHAPE } from '../../scim/schemas';
import { userFacts, userFromBody } from '../../scim/users';
import type { ScimUserWrite, ScimWriteResult } from '../../scim/userWrites';
import { route } from '../route';
import { refusalBody, SCIM_CONTENT_TYPE, scimErrorHandler } from './errors';
import { createTokenBuckets } from './rateLimit';

export interface ScimRouterDeps {
  logger: Logger;
  publicUrl: string;
  ratePerSecond: number;
  directories: ScimDirectoryLibrary;
  users: ScimUserLibrary;
  groups: ScimGroupLibrary;
}

/** The directory a request is for, proven by its bearer token (set by the first middleware). */
interface Caller {
  directoryId: string;
  tenantId: string;
  base: string;
}
const callers = new WeakMap<Request, Caller>();
const callerOf = async ({ req }: { req: Request }): Promise<Caller> => {
  const c = callers.get(req);
  if (!c) throw unauthorized('a bearer token of this directory is required');
  return c;
};

/** The longest body a directory may send (Groups of thousands of members fit; more is refused before it is read). */
const MAX_BODY = '1mb';

const directoryPath = z.object({ directoryId: z.string().max(64) });
const resourcePath = directoryPath.extend({ id: z.string().min(1).max(128) });
/** `startIndex` below 1 counts as 1 and `count` above the page size as the page size (RFC 7644 §3.4.2.4). */
const pageQuery = {
  filter: z.string().max(4000).optional(),
  startIndex: z.coerce.number().int().optional().transform((n) => Math.max(1, n ?? 1)),
  count: z.coerce.number().int().optional().transform((n) => Math.min(MAX_PAGE_SIZE, Math.max(0, n ?? MAX_PAGE_SIZE))),
};
const projectionQuery = { attributes: z.string().max(2000).optional(), excludedAttributes: z.string().max(2000).optional() };
const listQuery = z.object({ ...pageQuery, ...projectionQuery });
const oneQuery = z.object(projectionQuery);
const searchBody = z.object({
  schemas: z.array(z.string()).refine((s) => s.includes(SEARCH_SCHEMA), `must include "${SEARCH_SCHEMA}"`),
  filter: z.string().max(4000).optional(),
  startIndex: z.number().int().optional().transform((n) => Math.max(1, n ?? 1)),
  count: z.number().int().optional().transform((n) => Math.min(MAX_PAGE_SIZE, Math.max(0, n ?? MAX_PAGE_SIZE))),
  attributes: z.array(z.string()).max(100).optional(),
  excludedAttributes: z.array(z.string()).max(100).optional(),
});

/** A SCIM answer; a resource's ETag is its `meta.version` (RFC 7644 §3.14), not a hash of the body. */
const send = (res: Response, status: number, body: unknown, location?: string) => {
  res.status(status);
  if (location) res.setHeader('Location', location);
  const version = (body as { meta?: { version?: unknown } }).meta?.version;
  if (typeof version === 'string') res.setHeader('ETag', version);
  res.type(SCIM_CONTENT_TYPE).send(JSON.stringify(body));
};

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
    const header = req.headers.authorization ?? '';
    const bearer = /^Bearer\s+(\S+)$/i.exec(header)?.[1] ?? '';
    const found = await deps.directories.authenticate(directoryId, bearer);
    if (!found) throw unauthorized('a bearer token of this directory is required');
    if (!found.enabled) throw new OnrampError('directory_disabled', 'This SCIM directory is disabled; enable it in onramp to sync again.', { status: 403 });
    const slot = buckets.take(directoryId);
    if (!slot.ok) throw new OnrampError('rate_limited', `Too many requests for this directory; retry in ${slot.retryAfterSeconds} s.`, { status: 429, details: { retryAfterSeconds: slot.retryAfterSeconds } });
    callers.set(req, { directoryId, tenantId: found.tenantId, base: scimBaseUrl(deps.publicUrl, directoryId) });
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  r.use('/scim/v2/:directoryId', express.json({ type: ['application/json', 'application/scim+json'], limit: MAX_BODY, strict: false }));

  const at = (path: string) => `/scim/v2/:directoryId${path}`;
  const readOnly = (req: Request) => {
    throw new OnrampError('method_not_allowed', `${req.method} is not supported on ${req.path.split('/').slice(4).join('/')}`, { status: 405 });
  };

  // Discovery (RFC 7644 §4).
  r.get(at('/ServiceProviderConfig'), route({ params: directoryPath, guard: callerOf }, async ({ auth, res }) => send(res, 200, serviceProviderConfig(auth.base))));
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

  // Users: reads.
  const page = async (auth: Caller, q: { filter?: string | undefined; startIndex: number; count: number }, projection: { attributes: string[]; excludedAttributes: string[] }) => {
    const filter = q.filter ? parseFilter(q.filter) : null;
    const { total, page: users } = await deps.users.list(auth.directoryId, { filter, startIndex: q.startIndex, count: q.count });
    return listResponse(users.map((u) => project(userDocument(auth.base, u), projection, USER_SHAPE)), total, q.startIndex);
  };
  r.get(
    at('/Users'),
    route({ params: directoryPath, guard: callerOf, query: listQuery }, async ({ auth, query, res }) => {
      send(res, 200, await page(auth, query, { attributes: attributeList(query.attributes), excludedAttributes: attributeList(query.excludedAttributes) }));
    }),
  );
  // A search by POST (RFC 7644 §3.4.3), on Users or at the root (which searches Users: no provider searches across types).
  const search = route({ params: directoryPath, guard: callerOf, body: searchBody }, async ({ auth, body, res }) => {
    send(res, 200, await page(auth, body, { attributes: body.attributes ?? [], excludedAttributes: body.excludedAttributes ?? [] }));
  });
  r.post(at('/Users/.search'), search);
  r.get(
    at('/Users/:id'),
    route({ params: resourcePath, guard: callerOf, query: oneQuery }, async ({ auth, params, query, res }) => {
      const user = await deps.users.get(auth.directoryId, params.id);
      if (!user) throw notFound('User');
      send(res, 200, project(userDocument(auth.base, user), { attributes: attributeList(query.attributes), excludedAttributes: attributeList(query.excludedAttributes) }, USER_SHAPE));
    }),
  );

  // Users: writes, each through the resource's run.
  const answer = (res: Response, auth: Caller, result: ScimWriteResult, projection: { attributes?: string | undefined; excludedAttributes?: string | undefined }) => {
    if (!result.ok) return send(res, result.error.status, refusalBody(result.error));
    if (result.status === 204 || !result.user) return void res.status(204).end();
    const doc = userDocument(auth.base, result.user);
    const shown: ScimResource = project(doc, { attributes: attributeList(projection.attributes), excludedAttributes: attributeList(projection.excludedAttributes) }, USER_SHAPE);
    send(res, result.status, shown, result.status === 201 ? String((doc.meta as { location: string }).location) : undefined);
  };
  const write = (auth: Caller, scimId: string, w: ScimUserWrite, email: string | null) =>
    deps.users.write({ directoryId: auth.directoryId, tenantId: auth.tenantId, scimId }, w, email);

  r.post(
    at('/Users'),
    route({ params: directoryPath, guard: callerOf, query: oneQuery }, async ({ auth, query, req, res }) => {
      const resource = userFromBody(req.body);
      const facts = userFacts(resource);
      // Okta creates again (POST) a user it deactivated earlier: that is its reactivation, not a conflict.
      const existing = (await deps.users.byUserName(auth.directoryId, facts.userName)) ?? (facts.externalId ? await deps.users.byExternalId(auth.directoryId, facts.externalId) : null);
      const reactivation = existing && existing.resource.active === false && (!facts.externalId || existing.resource.externalId === undefined || existing.resource.externalId === facts.externalId);
      const scimId = reactivation ? existing.id : randomUUID();
      const result = await write(auth, scimId, { id: randomUUID(), kind: reactivation ? 'replace' : 'create', resource }, facts.email);
      answer(res, auth, result.ok && reactivation ? { ...result, status: 201 } : result, query);
    }),
  );
  r.put(
    at('/Users/:id'),
    route({ params: resourcePath, guard: callerOf, query: oneQuery }, async ({ auth, params, query, req, res }) => {
      const resource = userFromBody(req.body);
      answer(res, auth, await write(auth, params.id, { id: randomUUID(), kind: 'replace', resource }, userFacts(resource).email), query);
    }),
  );
  r.patch(
    at('/Users/:id'),
    route({ params: resourcePath, guard: callerOf, query: oneQuery }, async ({ auth, params, query, req, res }) => {
      const ops = normalizePatch(req.body, USER_SHAPE);
      answer(res, auth, await write(auth, params.id, { id: randomUUID(), kind: 'patch', ops }, null), query);
    }),
  );
  r.delete(
    at('/Users/:id'),
    route({ params: resourcePath, guard: callerOf }, async ({ auth, params, res }) => {
      answer(res, auth, await write(auth, params.id, { id: randomUUID(), kind: 'delete' }, null), {});
    }),
  );

  // Groups: reads; members are read unless the projection leaves them out.
  type Projection = { attributes: string[]; excludedAttributes: string[] };
  const projectionOf = (q: { attributes?: string | undefined; excludedAttributes?: string | undefined }): Projection => ({
    attributes: attributeList(q.attributes),
    excludedAttributes: attributeList(q.excludedAttributes),
  });
  const isMembers = (a: string) => /^(urn:ietf:params:scim:schemas:core:2\.0:group:)?members(\.|$)/i.test(a);
  const wantsMembers = (p: Projection) => (p.attributes.length > 0 ? p.attributes.some(isMembers) : !p.excludedAttributes.some(isMembers));
  const shownGroup = async (auth: Caller, group: StoredScimGroup, p: Projection) =>
    project(groupDocument(auth.base, group, wantsMembers(p) ? await deps.groups.members(auth.directoryId, group.id) : null), p, GROUP_SHAPE);
  const groupPage = async (auth: Caller, q: { filter?: string | undefined; startIndex: number; count: number }, p: Projection) => {
    const filter = q.filter ? parseFilter(q.filter) : null;
    const { total, page: groups } = await deps.groups.list(auth.directoryId, { filter, startIndex: q.startIndex, count: q.count });
    const shown: ScimResource[] = [];
    for (const g of groups) shown.push(await shownGroup(auth, g, p));
    return listResponse(shown, total, q.startIndex);
  };
  r.get(
    at('/Groups'),
    route({ params: directoryPath, guard: callerOf, query: listQuery }, async ({ auth, query, res }) => send(res, 200, await groupPage(auth, query, projectionOf(query)))),
  );
  r.post(
    at('/Groups/.search'),
    route({ params: directoryPath, guard: callerOf, body: searchBody }, async ({ auth, body, res }) =>
      send(res, 200, await groupPage(auth, body, { attributes: body.attributes ?? [], excludedAttributes: body.excludedAttributes ?? [] })),
    ),
  );
  r.get(
    at('/Groups/:id'),
    route({ params: resourcePath, guard: callerOf, query: oneQuery }, async ({ auth, params, query, res }) => {
      const group = await deps.groups.get(auth.directoryId, params.id);
      if (!group) throw notFound('Group');
      send(res, 200, await shownGroup(auth, group, projectionOf(query)));
    }),
  );

  // Groups: writes, each through the group's run. A member id that names no User of this directory is kept
  // (scim-sanity adds "fake-member-id" and expects 200; peers accept it) and grants nothing.
  /** Send a write to the group's run and answer with the group as projected (`null`: 204 No Content). */
  const writeGroup = async (res: Response, auth: Caller, scimId: string, w: ScimGroupWriteInput, p: Projection | null) => {
    const result: ScimGroupWriteResult = await deps.groups.write({ directoryId: auth.directoryId, tenantId: auth.tenantId, scimId }, w);
    if (!result.ok) return send(res, result.error.status, refusalBody(result.error));
    if (result.status === 204 || !result.group || !p) return void res.status(204).end();
    const doc = await shownGroup(auth, result.group, p);
    send(res, result.status, doc, result.status === 201 ? `${auth.base}/Groups/${result.group.id}` : undefined);
  };
  r.post(
    at('/Groups'),
    route({ params: directoryPath, guard: callerOf, query: oneQuery }, async ({ auth, query, req, res }) => {
      const { attributes, members } = groupFromBody(req.body);
      await writeGroup(res, auth, randomUUID(), { id: randomUUID(), kind: 'create', attributes, members: [{ op: 'replace', values: members }] }, projectionOf(query));
    }),
  );
  r.put(
    at('/Groups/:id'),
    route({ params: resourcePath, guard: callerOf, query: oneQuery }, async ({ auth, params, query, req, res }) => {
      const { attributes, members } = groupFromBody(req.body);
      await writeGroup(res, auth, params.id, { id: randomUUID(), kind: 'replace', attributes, members: [{ op: 'replace', values: members }] }, projectionOf(query));
    }),
  );
  r.patch(
    at('/Groups/:id'),
    route({ params: resourcePath, guard: callerOf, query: oneQuery }, async ({ auth, params, query, req, res }) => {
      const change = groupChangeFromPatch(req.body);
      // RFC 7644 §3.5.2: 200 with the entire resource as projected (scim2-tester compares the members it answers).
      await writeGroup(res, auth, params.id, { id: randomUUID(), kind: 'patch', attributes: change.attributes, members: change.members }, projectionOf(query));
    }),
  );
  r.delete(
    at('/Groups/:id'),
    route({ params: resourcePath, guard: callerOf }, async ({ auth, params, res }) => {
      await writeGroup(res, auth, params.id, { id: randomUUID(), kind: 'delete' }, null);
    }),
  );

  // A search at the root (RFC 7644 §3.4.3) spans every resource type: Users first, then Groups, paged as one list.
  // A filter on an attribute one type lacks matches none of that type; one that is invalid for both is refused.
  r.post(
    at('/.search'),
    route({ params: directoryPath, guard: callerOf, body: searchBody }, async ({ auth, body, res }) => {
      const p = { attributes: body.attributes ?? [], excludedAttributes: body.excludedAttributes ?? [] };
      const [users, groups] = await Promise.allSettled([page(auth, body, p), groupPage(auth, { ...body, count: MAX_PAGE_SIZE, startIndex: 1 }, p)]);
      if (users.status === 'rejected' && groups.status === 'rejected') throw users.reason;
      const listed = (r: PromiseSettledResult<ScimResource>) => (r.status === 'fulfilled' ? r.value : { totalResults: 0, Resources: [] });
      const u = listed(users);
      const g = listed(groups);
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
