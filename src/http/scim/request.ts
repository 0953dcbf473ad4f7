import type { Request, Response } from 'express';
import { z } from 'zod';
import { unauthorized } from '../../errors';
import { MAX_PAGE_SIZE } from '../../scim/discovery';
import { attributeList } from '../../scim/projection';
import { SEARCH_SCHEMA } from '../../scim/schemas';
import { SCIM_CONTENT_TYPE } from './errors';

/** The directory a request is for, proven by its bearer token (set by the router's first middleware). */
export interface Caller {
  directoryId: string;
  tenantId: string;
  base: string;
}
const callers = new WeakMap<Request, Caller>();
export const setCaller = (req: Request, caller: Caller): void => void callers.set(req, caller);
/** route()'s guard for every SCIM endpoint. */
export const callerOf = async ({ req }: { req: Request }): Promise<Caller> => {
  const c = callers.get(req);
  if (!c) throw unauthorized('a bearer token of this directory is required');
  return c;
};

/** An endpoint of a directory's SCIM server. */
export const at = (path: string): string => `/scim/v2/:directoryId${path}`;

export const directoryPath = z.object({ directoryId: z.string().max(64) });
export const resourcePath = directoryPath.extend({ id: z.string().min(1).max(128) });
/** `startIndex` below 1 counts as 1 and `count` above the page size as the page size (RFC 7644 §3.4.2.4). */
const pageQuery = {
  filter: z.string().max(4000).optional(),
  startIndex: z.coerce
    .number()
    .int()
    .optional()
    .transform((n) => Math.max(1, n ?? 1)),
  count: z.coerce
    .number()
    .int()
    .optional()
    .transform((n) => Math.min(MAX_PAGE_SIZE, Math.max(0, n ?? MAX_PAGE_SIZE))),
};
const projectionQuery = { attributes: z.string().max(2000).optional(), excludedAttributes: z.string().max(2000).optional() };
export const listQuery = z.object({ ...pageQuery, ...projectionQuery });
export const oneQuery = z.object(projectionQuery);
export const searchBody = z.object({
  schemas: z.array(z.string()).refine((s) => s.includes(SEARCH_SCHEMA), `must include "${SEARCH_SCHEMA}"`),
  filter: z.string().max(4000).optional(),
  startIndex: z
    .number()
    .int()
    .optional()
    .transform((n) => Math.max(1, n ?? 1)),
  count: z
    .number()
    .int()
    .optional()
    .transform((n) => Math.min(MAX_PAGE_SIZE, Math.max(0, n ?? MAX_PAGE_SIZE))),
  attributes: z.array(z.string()).max(100).optional(),
  excludedAttributes: z.array(z.string()).max(100).optional(),
});

/** A page asked for by a query or a search body. */
export interface PageQuery {
  filter?: string | undefined;
  startIndex: number;
  count: number;
}

export interface Projection {
  attributes: string[];
  excludedAttributes: string[];
}
/** `attributes`/`excludedAttributes` of a query string. */
export const projectionOf = (q: { attributes?: string | undefined; excludedAttributes?: string | undefined }): Projection => ({
  attributes: attributeList(q.attributes),
  excludedAttributes: attributeList(q.excludedAttributes),
});
/** `attributes`/`excludedAttributes` of a search body. */
export const searchProjection = (body: { attributes?: string[] | undefined; excludedAttributes?: string[] | undefined }): Projection => ({
  attributes: body.attributes ?? [],
  excludedAttributes: body.excludedAttributes ?? [],
});

/** A SCIM answer; a resource's ETag is its `meta.version` (RFC 7644 §3.14), not a hash of the body. */
export const send = (res: Response, status: number, body: unknown, location?: string): void => {
  res.status(status);
  if (location) res.setHeader('Location', location);
  const version = (body as { meta?: { version?: unknown } }).meta?.version;
  if (typeof version === 'string') res.setHeader('ETag', version);
  res.type(SCIM_CONTENT_TYPE).send(JSON.stringify(body));
};
