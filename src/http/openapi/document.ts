/**
 * The admin API's OpenAPI 3.1 document, built from the routes themselves:
 * the router's registrations give each operation's method and path, and the
 * zod schemas the route validates with give its parameters, body and
 * answer (converted by zod's own `z.toJSONSchema`). There is no second copy.
 *
 * What a new admin route must do to be described: be registered with
 * `route(spec, handler)` on the admin router or on a sub-router it mounts
 * (src/http/admin/routes.ts) — its params, query, body, response and status
 * are read from the spec — and carry in the spec:
 *   - `summary: '…'`, one line (test/unit/openapi.test.ts fails without it);
 *   - `errors: [409, 422]` when it may refuse with statuses beyond the ones
 *     every route is given (400 bad input, 401 no token, 404 on paths with
 *     parameters, 413 with a body, 503 try again);
 *   - `alsoStatus: [200]` when the handler sets other statuses on `res`
 *     for the same answer, or `answers` (and `rawBody`) when it answers, or
 *     reads its body, by itself (a CSV file, a stream, several shapes).
 * A route registered with a plain handler is not described, and the unit
 * test fails; the schemathesis run (test/integration/admin-openapi.test.ts)
 * checks the answers against the document.
 */
import type { Router } from 'express';
import { errorResponseName, errorResponses, errorSchema, type ErrorStatus } from './errorResponses';
import { bodyOptional, jsonSchemaOf, type JsonSchema } from './jsonSchema';
import { registeredRoutes } from './routeTable';
import { routeDocOf, type RouteDoc, type SuccessStatus } from '../routeDoc';

export interface OpenApiInfo {
  title: string;
  version: string;
  description: string;
  /** Where the API is served (the admin router's mount point). */
  serverUrl: string;
}

type Json = Record<string, unknown>;

export type OpenApiDocument = {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  servers: Array<{ url: string }>;
  security: Array<Record<string, string[]>>;
  tags: Array<{ name: string }>;
  paths: Record<string, Record<string, Json>>;
  components: Json;
};

/** `/tenants/:tenant/members` → `/tenants/{tenant}/members`. */
export const openApiPath = (expressPath: string): string => expressPath.replace(/:(\w+)/g, '{$1}');

const pathKeysOf = (path: string): string[] => [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '');

/** `GET /tenants/{tenant}/members/{userId}` → `getTenantsTenantMembersUserId`. */
const operationId = (method: string, path: string): string =>
  [
    method.toLowerCase(),
    ...path
      .split(/[^A-Za-z0-9]+/)
      .filter(Boolean)
      .map((w) => w.charAt(0).toUpperCase() + w.slice(1)),
  ].join('');

/** What the operation is grouped under: the collection after `/tenants/{tenant}/`, else the first segment. */
const tagOf = (path: string): string => {
  const segments = path.split('/').filter((s) => s && !s.startsWith('{'));
  return (segments[0] === 'tenants' ? segments[1] : segments[0]) ?? 'tenants';
};

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const SUCCESS: Record<SuccessStatus, string> = { 200: 'OK', 201: 'Created', 202: 'Accepted: carried on in the background', 204: 'Done; no body' };

function parameters(doc: RouteDoc, path: string): Json[] {
  const keys = pathKeysOf(path);
  const params = doc.params ? jsonSchemaOf(doc.params, 'input') : null;
  for (const name of Object.keys(params?.properties ?? {})) {
    if (!keys.includes(name)) throw new Error(`${path}: the params schema names "${name}", which is not in the path`);
  }
  const inPath = keys.map((name) => ({ name, in: 'path', required: true, schema: params?.properties?.[name] ?? { type: 'string' } }));
  const query = doc.query ? jsonSchemaOf(doc.query, 'input') : null;
  const inQuery = Object.entries(query?.properties ?? {}).map(([name, schema]) => ({
    name,
    in: 'query',
    required: query?.required?.includes(name) ?? false,
    schema,
  }));
  return [...inPath, ...inQuery];
}

function requestBody(doc: RouteDoc): Json | null {
  if (doc.body) return { required: !bodyOptional(doc.body), content: { 'application/json': { schema: jsonSchemaOf(doc.body, 'input') } } };
  if (doc.rawBody) return { required: true, content: Object.fromEntries(doc.rawBody.map((type) => [type, { schema: { type: 'string' } }])) };
  return null;
}

function successResponses(doc: RouteDoc): Record<string, Json> {
  const out: Record<string, Json> = {};
  if (doc.answers) {
    for (const [status, answer] of Object.entries(doc.answers)) {
      out[status] = {
        description: SUCCESS[Number(status) as SuccessStatus],
        content: { [answer.contentType]: { schema: jsonSchemaOf(answer.schema, 'output') } },
      };
    }
    return out;
  }
  const schema: JsonSchema = doc.response ? jsonSchemaOf(doc.response, 'output') : {};
  for (const status of [doc.status ?? 200, ...(doc.alsoStatus ?? [])]) {
    out[status] = status === 204 ? { description: SUCCESS[204] } : { description: SUCCESS[status], content: { 'application/json': { schema } } };
  }
  return out;
}

/** The refusals every route is given by what it declares, and the ones it names. */
function errorStatuses(method: string, doc: RouteDoc, path: string): ErrorStatus[] {
  const statuses = new Set<ErrorStatus>([401, 503, ...(doc.errors ?? [])]);
  if (doc.params || doc.query || doc.body || doc.rawBody || WRITES.has(method)) statuses.add(400);
  if (pathKeysOf(path).length > 0) statuses.add(404);
  if (doc.body || doc.rawBody) statuses.add(413);
  return [...statuses].sort((a, b) => a - b);
}

function operation(method: string, path: string, doc: RouteDoc): Json {
  const body = requestBody(doc);
  const params = parameters(doc, path);
  const errors = Object.fromEntries(errorStatuses(method, doc, path).map((s) => [String(s), { $ref: `#/components/responses/${errorResponseName(s)}` }]));
  return {
    operationId: operationId(method, path),
    ...(doc.summary ? { summary: doc.summary } : {}),
    tags: [tagOf(path)],
    ...(params.length > 0 ? { parameters: params } : {}),
    ...(body ? { requestBody: body } : {}),
    responses: { ...successResponses(doc), ...errors },
  };
}

/** The document of every route built by route() on `router` and the routers it mounts. */
export function openApiDocument(router: Router, info: OpenApiInfo): OpenApiDocument {
  const paths: Record<string, Record<string, Json>> = {};
  for (const registered of registeredRoutes(router)) {
    const doc = registered.handlers.map(routeDocOf).find((d) => d !== undefined);
    if (!doc) continue;
    const path = openApiPath(registered.path);
    (paths[path] ??= {})[registered.method.toLowerCase()] = operation(registered.method, path, doc);
  }
  const tags = [...new Set(Object.values(paths).flatMap((ops) => Object.values(ops).flatMap((op) => op.tags as string[])))].sort();
  return {
    openapi: '3.1.0',
    info: { title: info.title, version: info.version, description: info.description },
    servers: [{ url: info.serverUrl }],
    security: [{ adminToken: [] }],
    tags: tags.map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: { adminToken: { type: 'http', scheme: 'bearer', description: 'The admin token (ONRAMP_ADMIN_TOKEN), compared in constant time.' } },
      schemas: { Error: errorSchema },
      responses: errorResponses(),
    },
  };
}
