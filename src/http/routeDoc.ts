import type { z } from 'zod';

/** Statuses a route answers with on success. */
export type SuccessStatus = 200 | 201 | 202 | 204;
/**
 * Refusals a route may answer with besides the ones the API document gives
 * every route by itself (400 bad input, 401 no token, 404 for paths with
 * parameters, 413 for bodies, 503 try again).
 */
export type RefusalStatus = 403 | 409 | 410 | 413 | 415 | 422 | 429;

/** An answer a handler sends by itself: its media type and shape. */
export interface Answer {
  contentType: string;
  schema: z.ZodType;
}

/** What a route tells the API document beyond its schemas. Documentation only: nothing here changes how it runs. */
export interface RouteDocFields {
  /** One line saying what the route does (the operation's summary). Every admin route has one. */
  summary?: string;
  /** Other statuses the handler sets on `res` for the same declared response (e.g. 200 "existed already" beside 201). */
  alsoStatus?: readonly SuccessStatus[];
  /** A handler that answers by itself (a file, a stream, several shapes): what it sends, by status. */
  answers?: Partial<Record<SuccessStatus, Answer>>;
  /** A body the handler reads by itself (a stream): its media types. */
  rawBody?: readonly string[];
  /** The refusals this route may answer with beyond the ones every route has (see RefusalStatus). */
  errors?: readonly RefusalStatus[];
}

/** What the API document reads of a route built by route(): its schemas and the fields above. */
export interface RouteDoc extends RouteDocFields {
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  response?: z.ZodType;
  status?: SuccessStatus;
}

const docs = new WeakMap<object, RouteDoc>();

/** Remember what a handler declared (route() does this for every handler it builds). */
export const describeRoute = (handler: object, doc: RouteDoc): void => {
  docs.set(handler, doc);
};

/** What a handler declared, or undefined for a handler not built by route(). */
export const routeDocOf = (handler: unknown): RouteDoc | undefined => (typeof handler === 'function' ? docs.get(handler) : undefined);
