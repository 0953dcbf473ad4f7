import { z } from 'zod';

/** A JSON Schema (draft 2020-12, the dialect of OpenAPI 3.1) as zod writes it. */
export type JsonSchema = z.core.JSONSchema.JSONSchema;

/**
 * A route's zod schema as JSON Schema, by zod's own converter: `input` for
 * what a caller sends (before defaults and transforms), `output` for what the
 * route answers (after them). Two things differ on the wire from zod's
 * values: dates are sent as ISO strings, and a key holding `undefined`
 * (an `unknown` field left unset) is left out, so it is not required.
 * Refinements and transforms have no JSON Schema form: the schema is as
 * strict as zod's structure, the route may refuse more (400).
 */
export function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const {
    $schema: _dialect,
    '~standard': _standard,
    ...rest
  } = z.toJSONSchema(schema, {
    io,
    target: 'draft-2020-12',
    unrepresentable: 'any',
    override: ({ zodSchema, jsonSchema }) => {
      const def = zodSchema._zod.def;
      if (def.type === 'date') {
        jsonSchema.type = 'string';
        jsonSchema.format = 'date-time';
      }
      if (def.type === 'object' && io === 'output' && Array.isArray(jsonSchema.required)) {
        const shape = (zodSchema as z.ZodObject).shape;
        const mayBeAbsent = (key: string) => ['unknown', 'any'].includes(shape[key]?._zod.def.type ?? '');
        const required = jsonSchema.required.filter((key) => !mayBeAbsent(key));
        if (required.length > 0) jsonSchema.required = required;
        else delete jsonSchema.required;
      }
    },
  });
  return rest;
}

/** Whether a body may be left out: route() reads a missing body as `{}`. */
export const bodyOptional = (schema: z.ZodType): boolean => schema.safeParse({}).success;
