import { randomUUID } from 'node:crypto';
import type { Response, Router } from 'express';
import { notFound } from '../../errors';
import type { ScimUserLibrary } from '../../library/scimUsers';
import type { ScimResource } from '../../scim/canonical';
import { listResponse, userDocument } from '../../scim/discovery';
import { parseFilter } from '../../scim/filter';
import { normalizePatch } from '../../scim/patch';
import { project } from '../../scim/projection';
import { USER_SHAPE } from '../../scim/schemas';
import { userFacts, userFromBody } from '../../scim/users';
import type { ScimUserWrite, ScimWriteResult } from '../../scim/userWrites';
import { route } from '../route';
import { refusalBody } from './errors';
import {
  at,
  callerOf,
  directoryPath,
  listQuery,
  oneQuery,
  projectionOf,
  resourcePath,
  searchBody,
  searchProjection,
  send,
  type Caller,
  type PageQuery,
  type Projection,
} from './request';

/**
 * `/Users` of a directory's SCIM server: reads here, every write an update
 * to the User's run (workflows/directoryUser.ts). Returns the list function
 * the root `/.search` shares.
 */
export function userRoutes(r: Router, users: ScimUserLibrary) {
  const page = async (auth: Caller, q: PageQuery, p: Projection): Promise<ScimResource> => {
    const filter = q.filter ? parseFilter(q.filter) : null;
    const { total, page: found } = await users.list(auth.directoryId, { filter, startIndex: q.startIndex, count: q.count });
    return listResponse(
      found.map((u) => project(userDocument(auth.base, u), p, USER_SHAPE)),
      total,
      q.startIndex,
    );
  };
  r.get(
    at('/Users'),
    route({ params: directoryPath, guard: callerOf, query: listQuery }, async ({ auth, query, res }) =>
      send(res, 200, await page(auth, query, projectionOf(query))),
    ),
  );
  // A search by POST (RFC 7644 §3.4.3).
  r.post(
    at('/Users/.search'),
    route({ params: directoryPath, guard: callerOf, body: searchBody }, async ({ auth, body, res }) =>
      send(res, 200, await page(auth, body, searchProjection(body))),
    ),
  );
  r.get(
    at('/Users/:id'),
    route({ params: resourcePath, guard: callerOf, query: oneQuery }, async ({ auth, params, query, res }) => {
      const user = await users.get(auth.directoryId, params.id);
      if (!user) throw notFound('User');
      send(res, 200, project(userDocument(auth.base, user), projectionOf(query), USER_SHAPE));
    }),
  );

  const answer = (res: Response, auth: Caller, result: ScimWriteResult, p: Projection) => {
    if (!result.ok) return send(res, result.error.status, refusalBody(result.error));
    if (result.status === 204 || !result.user) return void res.status(204).end();
    const doc = userDocument(auth.base, result.user);
    send(res, result.status, project(doc, p, USER_SHAPE), result.status === 201 ? String((doc.meta as { location: string }).location) : undefined);
  };
  const write = (auth: Caller, scimId: string, w: ScimUserWrite, email: string | null) =>
    users.write({ directoryId: auth.directoryId, tenantId: auth.tenantId, scimId }, w, email);

  r.post(
    at('/Users'),
    route({ params: directoryPath, guard: callerOf, query: oneQuery }, async ({ auth, query, req, res }) => {
      const resource = userFromBody(req.body);
      const facts = userFacts(resource);
      // Okta creates again (POST) a user it deactivated earlier: that is its reactivation, not a conflict.
      const existing =
        (await users.byUserName(auth.directoryId, facts.userName)) ?? (facts.externalId ? await users.byExternalId(auth.directoryId, facts.externalId) : null);
      const reactivation =
        existing &&
        existing.resource.active === false &&
        (!facts.externalId || existing.resource.externalId === undefined || existing.resource.externalId === facts.externalId);
      const scimId = reactivation ? existing.id : randomUUID();
      const result = await write(auth, scimId, { id: randomUUID(), kind: reactivation ? 'replace' : 'create', resource }, facts.email);
      answer(res, auth, result.ok && reactivation ? { ...result, status: 201 } : result, projectionOf(query));
    }),
  );
  r.put(
    at('/Users/:id'),
    route({ params: resourcePath, guard: callerOf, query: oneQuery }, async ({ auth, params, query, req, res }) => {
      const resource = userFromBody(req.body);
      answer(res, auth, await write(auth, params.id, { id: randomUUID(), kind: 'replace', resource }, userFacts(resource).email), projectionOf(query));
    }),
  );
  r.patch(
    at('/Users/:id'),
    route({ params: resourcePath, guard: callerOf, query: oneQuery }, async ({ auth, params, query, req, res }) => {
      const ops = normalizePatch(req.body, USER_SHAPE);
      answer(res, auth, await write(auth, params.id, { id: randomUUID(), kind: 'patch', ops }, null), projectionOf(query));
    }),
  );
  r.delete(
    at('/Users/:id'),
    route({ params: resourcePath, guard: callerOf }, async ({ auth, params, res }) =>
      answer(res, auth, await write(auth, params.id, { id: randomUUID(), kind: 'delete' }, null), projectionOf({})),
    ),
  );
  return { page };
}
