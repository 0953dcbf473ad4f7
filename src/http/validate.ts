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

/** A field's refusal: its own code when it has one (fieldRefusals), else `validation_failed` with the message. */
function refuse(schema: z.ZodType, field: string, topKey: PropertyKey | undefined, message: string): OnrampError {
  const own = fieldSchema(schema, topKey);
  const refusal = own ? fieldRefusals.get(own) : undefined;
  if (refusal) return new OnrampError(refusal.code, `${field}: ${refusal.message}`, { details: { field } });
  return validationError(field, message);
}

/** Parse input with a schema; the first problem (or a NUL character anywhere) becomes a 400 naming the field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, where: 'body' | 'query' | 'params'): z.infer<S> {
  const result = schema.safeParse(input ?? {});
  if (result.success) {
    const nul = nulPath(result.data, where);
    if (!nul) return result.data;
    const field = nul.slice(where.length + 1) || where;
    throw refuse(schema, field, field.split('.')[0], 'may not contain NUL characters');
  }
  const issue = result.error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.join('.') : where;
  throw refuse(schema, field, issue?.path[0], issue?.message ?? 'is invalid');
}
