import { randomUUID } from 'node:crypto';
import type { Response, Router } from 'express';
import { notFound } from '../../errors';
import type { ScimGroupLibrary, ScimGroupWriteInput } from '../../library/scimGroups';
import type { ScimResource } from '../../scim/canonical';
import { groupDocument, listResponse } from '../../scim/discovery';
import { parseFilter } from '../../scim/filter';
import { groupChangeFromPatch, groupFromBody } from '../../scim/groups';
import type { ScimGroupWriteResult, StoredScimGroup } from '../../scim/groupWrites';
import { project } from '../../scim/projection';
import { GROUP_SHAPE } from '../../scim/schemas';
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
 * `/Groups` of a directory's SCIM server: reads here (members read apart,
 * only when the projection wants them), every write an update to the
 * group's run (workflows/directoryGroup.ts). Returns the list function the
 * root `/.search` shares.
 */
export function groupRoutes(r: Router, groups: ScimGroupLibrary) {
  // Groups: reads; members are read unless the projection leaves them out.
  const isMembers = (a: string) => /^(urn:ietf:params:scim:schemas:core:2\.0:group:)?members(\.|$)/i.test(a);
  const wantsMembers = (p: Projection) => (p.attributes.length > 0 ? p.attributes.some(isMembers) : !p.excludedAttributes.some(isMembers));
  const shownGroup = async (auth: Caller, group: StoredScimGroup, p: Projection) =>
    project(groupDocument(auth.base, group, wantsMembers(p) ? await groups.members(auth.directoryId, group.id) : null), p, GROUP_SHAPE);
  const page = async (auth: Caller, q: PageQuery, p: Projection): Promise<ScimResource> => {
    const filter = q.filter ? parseFilter(q.filter) : null;
    const { total, page: found } = await groups.list(auth.directoryId, { filter, startIndex: q.startIndex, count: q.count });
    const shown: ScimResource[] = [];
    for (const g of found) shown.push(await shownGroup(auth, g, p));
    return listResponse(shown, total, q.startIndex);
  };
  r.get(
    at('/Groups'),
    route({ params: directoryPath, guard: callerOf, query: listQuery }, async ({ auth, query, res }) =>
      send(res, 200, await page(auth, query, projectionOf(query))),
    ),
  );
  r.post(
    at('/Groups/.search'),
    route({ params: directoryPath, guard: callerOf, body: searchBody }, async ({ auth, body, res }) =>
      send(res, 200, await page(auth, body, searchProjection(body))),
    ),
  );
  r.get(
    at('/Groups/:id'),
    route({ params: resourcePath, guard: callerOf, query: oneQuery }, async ({ auth, params, query, res }) => {
      const group = await groups.get(auth.directoryId, params.id);
      if (!group) throw notFound('Group');
      send(res, 200, await shownGroup(auth, group, projectionOf(query)));
    }),
  );

  // Groups: writes, each through the group's run. A member id that names no User of this directory is kept
  // (scim-sanity adds "fake-member-id" and expects 200; peers accept it) and grants nothing.
  /** Send a write to the group's run and answer with the group as projected (`null`: 204 No Content). */
  const writeGroup = async (res: Response, auth: Caller, scimId: string, w: ScimGroupWriteInput, p: Projection | null) => {
    const result: ScimGroupWriteResult = await groups.write({ directoryId: auth.directoryId, tenantId: auth.tenantId, scimId }, w);
    if (!result.ok) return send(res, result.error.status, refusalBody(result.error));
    if (result.status === 204 || !result.group || !p) return void res.status(204).end();
    const doc = await shownGroup(auth, result.group, p);
    send(res, result.status, doc, result.status === 201 ? `${auth.base}/Groups/${result.group.id}` : undefined);
  };
  r.post(
    at('/Groups'),
    route({ params: directoryPath, guard: callerOf, query: oneQuery }, async ({ auth, query, req, res }) => {
      const { attributes, members } = groupFromBody(req.body);
      await writeGroup(
        res,
        auth,
        randomUUID(),
        { id: randomUUID(), kind: 'create', attributes, members: [{ op: 'replace', values: members }] },
        projectionOf(query),
      );
    }),
  );
  r.put(
    at('/Groups/:id'),
    route({ params: resourcePath, guard: callerOf, query: oneQuery }, async ({ auth, params, query, req, res }) => {
      const { attributes, members } = groupFromBody(req.body);
      await writeGroup(
        res,
        auth,
        params.id,
        { id: randomUUID(), kind: 'replace', attributes, members: [{ op: 'replace', values: members }] },
        projectionOf(query),
      );
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

  return { page };
}
