import type { Request, RequestHandler, Response } from 'express';
import type { z } from 'zod';
import { parseInput } from './validate';

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

/** What a route declares (as Logto's guards do): its inputs' schemas, its answer's schema and status. */
export interface RouteSpec<P, Q, B, R> {
  params?: P;
  query?: Q;
  body?: B;
  /** The answer is parsed with it: whatever the handler returns beyond the declared shape is stripped (no secret leaks). */
  response?: R;
  /** 200 by default (a handler may set another on `res`); 204 sends no body. */
  status?: 200 | 201 | 204;
}

export interface RouteInput<P, Q, B> {
  params: Parsed<P>;
  query: Parsed<Q>;
  body: Parsed<B>;
  req: Request;
  res: Response;
}

/**
 * A handler with declared inputs and answer: params, query and body are
 * validated (a 400 naming the field) before it runs, and what it returns is
 * parsed with the response schema and sent with the declared status.
 */
export function route<
  P extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
  R extends z.ZodType | undefined = undefined,
>(spec: RouteSpec<P, Q, B, R>, handler: (input: RouteInput<P, Q, B>) => Promise<R extends z.ZodType ? z.input<R> : unknown>): RequestHandler {
  return async (req, res) => {
    const parse = <S extends z.ZodType | undefined>(schema: S, value: unknown, where: 'params' | 'query' | 'body'): Parsed<S> =>
      (schema ? parseInput(schema, value, where) : undefined) as Parsed<S>;
    const input: RouteInput<P, Q, B> = {
      params: parse(spec.params as P, req.params, 'params'),
      query: parse(spec.query as Q, req.query, 'query'),
      body: parse(spec.body as B, req.body ?? {}, 'body'),
      req,
      res,
    };
    const result = await handler(input);
    if (spec.status === 204) {
      res.status(204).end();
      return;
    }
    if (spec.status) res.status(spec.status);
    res.json(spec.response ? spec.response.parse(result) : result);
  };
}
