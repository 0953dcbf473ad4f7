import { z } from 'zod';
import type { ErrorCode } from '../errorCodes';
import { OnrampError, validationError } from '../errors';

/**
 * Fields whose refusal has a code of its own (a page cursor: `invalid_cursor`)
 * instead of `validation_failed`: whatever is wrong with such a field — its
 * type, its shape, what it decodes to — the answer is that code and message.
 */
export const fieldRefusals = z.registry<{ code: ErrorCode; message: string }>();

/** The schema of the top-level field an issue is about, when the input schema is an object. */
function fieldSchema(schema: z.ZodType, key: PropertyKey | undefined): z.ZodType | undefined {
  if (typeof key !== 'string' || !(schema instanceof z.ZodObject)) return undefined;
  const shape = schema.shape as Record<string, z.ZodType | undefined>;
  return Object.hasOwn(shape, key) ? shape[key] : undefined;
}

/**
 * Where a NUL character hides in parsed input (a dotted path), or null. No
 * field of onramp's takes one, and the PostgreSQL-backed store cannot hold
 * one: refused as input rather than failing as a write.
 */
export function nulPath(value: unknown, path: string, depth = 0): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (depth > 20 || value === null || typeof value !== 'object') return null;
  for (const [key, inner] of Object.entries(value)) {
    const found = key.includes('\u0000') ? `${path}.${key.replaceAll('\u0000', '')}` : nulPath(inner, `${path}.${key}`, depth + 1);
    if (found) return found;
  }
  return null;
}

/** Parse input with a schema; the first problem becomes a 400 naming the field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, where: 'body' | 'query' | 'params'): z.infer<S> {
  const result = schema.safeParse(input ?? {});
  if (result.success) {
    const nul = nulPath(result.data, where);
    if (nul) throw validationError(nul.slice(where.length + 1) || where, 'may not contain NUL characters');
    return result.data;
  }
  const issue = result.error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.join('.') : where;
  const own = fieldSchema(schema, issue?.path[0]);
  const refusal = own ? fieldRefusals.get(own) : undefined;
  if (refusal) throw new OnrampError(refusal.code, `${field}: ${refusal.message}`, { details: { field } });
  throw validationError(field, issue?.message ?? 'is invalid');
}
