import type { Request, RequestHandler, Response } from 'express';
import type { z } from 'zod';
import { parseInput } from './validate';
import { describeRoute, type RouteDocFields, type SuccessStatus } from './routeDoc';

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

/**
 * What a route declares (as Logto's guards do): its inputs' schemas, who may
 * call it, its answer's schema and status — and, for the API document
 * (src/http/openapi/), a summary and the refusals it may answer with.
 */
export interface RouteSpec<P, Q, B, R, G> extends RouteDocFields {
  params?: P;
  /**
   * Who may call: runs after the path parameters are read and before the
   * query and body are, so a caller who may not act is refused (401/403)
   * before anything they sent is looked at. Its result reaches the handler as `auth`.
   */
  guard?: (input: { params: Parsed<P>; req: Request }) => Promise<G>;
  query?: Q;
  body?: B;
  /** The answer is parsed with it: whatever the handler returns beyond the declared shape is stripped (no secret leaks). */
  response?: R;
  /** 200 by default (a handler may set another on `res`); 204 sends no body. */
  status?: SuccessStatus;
}

export interface RouteInput<P, Q, B, G> {
  params: Parsed<P>;
  query: Parsed<Q>;
  body: Parsed<B>;
  auth: G;
  req: Request;
  res: Response;
}

/**
 * A handler with declared inputs and answer: params are validated, the guard
 * decides, then query and body are validated (a 400 naming the field) before
 * the handler runs; what it returns is parsed with the response schema and
 * sent with the declared status. A handler that answers by itself (a page, a
 * redirect) declares no response and returns nothing.
 */
export function route<
  P extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
  R extends z.ZodType | undefined = undefined,
  G = undefined,
>(spec: RouteSpec<P, Q, B, R, G>, handler: (input: RouteInput<P, Q, B, G>) => Promise<R extends z.ZodType ? z.input<R> : unknown>): RequestHandler {
  const handle: RequestHandler = async (req, res) => {
    const parse = <S extends z.ZodType | undefined>(schema: S, value: unknown, where: 'params' | 'query' | 'body'): Parsed<S> =>
      (schema ? parseInput(schema, value, where) : undefined) as Parsed<S>;
    const params = parse(spec.params as P, req.params, 'params');
    const auth = (spec.guard ? await spec.guard({ params, req }) : undefined) as G;
    const input: RouteInput<P, Q, B, G> = {
      params,
      query: parse(spec.query as Q, req.query, 'query'),
      body: parse(spec.body as B, req.body ?? {}, 'body'),
      auth,
      req,
      res,
    };
    const result = await handler(input);
    if (res.headersSent) return;
    if (spec.status === 204) {
      res.status(204).end();
      return;
    }
    if (spec.status) res.status(spec.status);
    res.json(spec.response ? spec.response.parse(result) : result);
  };
  const { guard: _guard, ...doc } = spec;
  describeRoute(handle, doc);
  return handle;
}
