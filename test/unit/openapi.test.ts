import { Validator } from '@seriousme/openapi-schema-validator';
import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { adminRouter, type AdminRouterDeps } from '../../src/http/admin/routes';
import { openApiDocument, type OpenApiDocument } from '../../src/http/openapi/document';
import { route } from '../../src/http/route';

/**
 * The admin router as the app builds it, for inspection: only its routes are
 * built, no library is called, so every dependency but the token and the
 * URL settings is an inert stand-in.
 */
function inspectedAdminRouter(): Router {
  const given: Record<string, unknown> = { adminToken: 'inspection-only', publicUrl: 'https://onramp.test', allowHttpIdpUrls: false };
  const deps = new Proxy(given, { get: (target, key) => (typeof key === 'string' && key in target ? target[key] : {}) });
  return adminRouter(deps as unknown as AdminRouterDeps);
}

const INFO = { title: 'onramp admin API', version: 'test', description: 'test', serverUrl: 'https://onramp.test/api/admin' };

interface StackLayer {
  route?: { path: string; stack: Array<{ method?: string }> };
  handle: { stack?: StackLayer[] };
}

/**
 * What Express routes to, read from the router's stack by the test itself
 * (not by the generator's walker): `METHOD /path` with `{param}` paths.
 */
function expressRoutes(stack: StackLayer[]): string[] {
  return stack.flatMap((layer) => {
    if (layer.route) {
      const path = layer.route.path.replace(/:(\w+)/g, '{$1}');
      return [...new Set(layer.route.stack.flatMap((l) => (l.method ? [`${l.method.toUpperCase()} ${path}`] : [])))];
    }
    return Array.isArray(layer.handle.stack) ? expressRoutes(layer.handle.stack) : [];
  });
}

const documented = (doc: OpenApiDocument): string[] =>
  Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));

/** Routes Express has that the document lacks, and operations the document has that Express does not route. */
function coverageGaps(router: Router, doc: OpenApiDocument): { undocumented: string[]; unrouted: string[] } {
  const routed = expressRoutes(router.stack as unknown as StackLayer[]);
  const ops = documented(doc);
  return { undocumented: routed.filter((r) => !ops.includes(r)).sort(), unrouted: ops.filter((o) => !routed.includes(o)).sort() };
}

type Operation = {
  summary?: string;
  parameters?: Array<{ name: string; in: string; required: boolean }>;
  requestBody?: { required: boolean; content: Record<string, { schema: Record<string, unknown> }> };
  responses: Record<string, { $ref?: string; content?: Record<string, { schema: Record<string, unknown> }> }>;
};
const op = (doc: OpenApiDocument, method: string, path: string): Operation => {
  const found = doc.paths[path]?.[method];
  if (!found) throw new Error(`${method} ${path} is not in the document`);
  return found as Operation;
};

describe('the admin API OpenAPI document', () => {
  const router = inspectedAdminRouter();
  const doc = openApiDocument(router, INFO);

  it('describes every route the admin router registers, and nothing else', () => {
    const routed = expressRoutes(router.stack as unknown as StackLayer[]);
    expect(routed.length).toBeGreaterThan(60);
    expect(routed).toEqual(
      expect.arrayContaining(['POST /tenants', 'GET /tenants/{tenant}/members', 'GET /tenants/{tenant}/imports/{importId}/results', 'GET /openapi.json']),
    );
    expect(coverageGaps(router, doc)).toEqual({ undocumented: [], unrouted: [] });
  });

  it('would catch a route registered without route(), and an operation no route answers', () => {
    const r = Router();
    r.get(
      '/described',
      route({ summary: 'Described', response: z.object({ ok: z.boolean() }) }, async () => ({ ok: true })),
    );
    const plain: RequestHandler = (_req, res) => {
      res.json({ ok: true });
    };
    r.post('/plain', plain);
    const partial = openApiDocument(r, INFO);
    expect(coverageGaps(r, partial).undocumented).toEqual(['POST /plain']);
    const extra = { ...partial, paths: { ...partial.paths, '/ghost': { get: {} } } };
    expect(coverageGaps(r, extra).unrouted).toEqual(['GET /ghost']);
  });

  it('gives every operation a summary and a declared answer', () => {
    const missing: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, raw] of Object.entries(ops)) {
        const o = raw as Operation;
        if (!o.summary) missing.push(`${method.toUpperCase()} ${path}: no summary`);
        const success = Object.entries(o.responses).filter(([s]) => s.startsWith('2') && s !== '204');
        if (Object.keys(o.responses).every((s) => !s.startsWith('2'))) missing.push(`${method.toUpperCase()} ${path}: no success answer`);
        for (const [status, r] of success) {
          const schemas = Object.values(r.content ?? {}).map((c) => c.schema);
          if (schemas.length === 0 || schemas.some((s) => Object.keys(s).length === 0))
            missing.push(`${method.toUpperCase()} ${path}: ${status} has no declared response schema`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(JSON.parse(JSON.stringify(doc)) as Record<string, unknown>);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    const ids = Object.values(doc.paths).flatMap((ops) => Object.values(ops).map((o) => (o as { operationId: string }).operationId));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('reads parameters, bodies and answers from the routes’ zod schemas', () => {
    const create = op(doc, 'post', '/tenants/{tenant}/members');
    expect(create.parameters).toEqual([expect.objectContaining({ name: 'tenant', in: 'path', required: true })]);
    const body = create.requestBody?.content['application/json']?.schema;
    expect(create.requestBody?.required).toBe(true);
    expect(body).toMatchObject({ type: 'object', required: ['email'], additionalProperties: false });
    expect(Object.keys(create.responses).sort()).toEqual(['200', '201', '202', '400', '401', '404', '409', '413', '422', '503']);

    const list = op(doc, 'get', '/tenants/{tenant}/members');
    expect(list.parameters?.map((p) => [p.in, p.name, p.required])).toEqual([
      ['path', 'tenant', true],
      ['query', 'limit', false],
      ['query', 'cursor', false],
    ]);
    const member = (
      list.responses['200']?.content?.['application/json']?.schema as { properties: { data: { items: { properties: Record<string, unknown> } } } }
    ).properties.data.items;
    expect(member.properties.createdAt).toEqual({ type: 'string', format: 'date-time' });

    // A body whose every field is optional may be left out (route() reads it as {}).
    expect(op(doc, 'post', '/tenants/{tenant}/directories/{directoryId}/tokens').requestBody?.required).toBe(false);
    expect(Object.keys(op(doc, 'get', '/tenants').responses)).toEqual(['200', '400', '401', '503']);
  });

  it('describes answers a handler sends by itself with their media types', () => {
    const results = op(doc, 'get', '/tenants/{tenant}/imports/{importId}/results');
    expect(Object.keys(results.responses['200']?.content ?? {})).toEqual(['text/csv']);
    expect(results.responses['409']).toEqual({ $ref: '#/components/responses/Conflict' });
    const upload = op(doc, 'post', '/tenants/{tenant}/imports');
    expect(Object.keys(upload.requestBody?.content ?? {})).toEqual(['text/csv', 'application/x-ndjson', 'application/jsonl']);
    expect(Object.keys(upload.responses).filter((s) => s.startsWith('2'))).toEqual(['200', '202']);
  });

  it('leaves unset unknown fields optional in answers (JSON drops undefined)', () => {
    const audit = op(doc, 'get', '/tenants/{tenant}/audit-events').responses['200']?.content?.['application/json']?.schema as {
      properties: { data: { items: { required: string[] } } };
    };
    expect(audit.properties.data.items.required).not.toContain('before');
    expect(audit.properties.data.items.required).toContain('action');
  });

  it('names the bearer token as the security scheme of every operation, and one error body', () => {
    expect(doc.security).toEqual([{ adminToken: [] }]);
    expect(doc.components).toMatchObject({ securitySchemes: { adminToken: { type: 'http', scheme: 'bearer' } } });
    expect(op(doc, 'get', '/openapi.json').responses['401']).toEqual({ $ref: '#/components/responses/Unauthorized' });
  });
});
