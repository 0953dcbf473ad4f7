import { findAttribute, findExtension, type AttributeDef, type ResourceShape } from './schemas';
import { scimError } from './errors';

/** A resource as onramp keeps it: only schema attributes, in their canonical case and type (stored as JSON text, never as field names). */
export type ScimResource = Record<string, unknown>;

/** Bounds on what a directory may send for one resource. */
export const RESOURCE_LIMITS = { stringLength: 2048, multiValues: 100 } as const;

/**
 * Core attributes providers send that onramp accepts and does not keep:
 * `password` (write-only; onramp signs people in through their IdP), and
 * read-only or unsupported RFC 7643 User attributes (Okta's POST carries
 * `password` and `groups`).
 */
export const IGNORED_ATTRIBUTES = ['password', 'groups', 'ims', 'photos', 'addresses', 'entitlements', 'roles', 'x509Certificates', 'meta', 'id'];

const declared = (schemas: unknown[], urn: string): boolean => schemas.some((s) => typeof s === 'string' && s.toLowerCase() === urn.toLowerCase());

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Entra ID sends booleans as the strings "True"/"False". */
export function coerceBoolean(value: unknown, path: string): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  throw scimError('invalidValue', `${path} must be a boolean`);
}

function coerceSimple(def: AttributeDef, value: unknown, path: string): unknown {
  if (def.type === 'boolean') return coerceBoolean(value, path);
  if (typeof value !== 'string') throw scimError('invalidValue', `${path} must be a string`);
  if (value.length > RESOURCE_LIMITS.stringLength) throw scimError('invalidValue', `${path} is longer than ${RESOURCE_LIMITS.stringLength} characters`);
  return value;
}

function coerceComplex(def: AttributeDef, value: unknown, path: string): Record<string, unknown> | undefined {
  // Entra ID sends the enterprise manager as a bare id string.
  const given = def.name === 'manager' && typeof value === 'string' ? { value } : value;
  if (!isObject(given)) throw scimError('invalidValue', `${path} must be an object`);
  const out: Record<string, unknown> = {};
  for (const [key, sub] of Object.entries(given)) {
    const subDef = findAttribute(def.subAttributes, key);
    if (!subDef) throw scimError('invalidValue', `${path}.${key} is not an attribute of ${def.name}`);
    if (subDef.mutability === 'readOnly' || sub === null || sub === undefined) continue;
    out[subDef.name] = coerceSimple(subDef, sub, `${path}.${subDef.name}`);
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** One attribute's value in canonical form; undefined when it is empty (null, [], {}). */
export function coerceValue(def: AttributeDef, value: unknown, path: string): unknown {
  if (value === null || value === undefined) return undefined;
  if (def.multiValued) {
    if (!Array.isArray(value)) throw scimError('invalidValue', `${path} must be an array`);
    if (value.length > RESOURCE_LIMITS.multiValues) throw scimError('invalidValue', `${path} has more than ${RESOURCE_LIMITS.multiValues} values`);
    const items = value.map((v, i) => (def.type === 'complex' ? coerceComplex(def, v, `${path}[${i}]`) : coerceSimple(def, v, `${path}[${i}]`)));
    const kept = items.filter((v) => v !== undefined);
    return kept.length > 0 ? kept : undefined;
  }
  return def.type === 'complex' ? coerceComplex(def, value, path) : coerceSimple(def, value, path);
}

function canonicalAttributes(
  defs: readonly AttributeDef[],
  input: Record<string, unknown>,
  prefix: string,
  ignored: readonly string[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    const def = findAttribute(defs, key);
    if (!def) {
      if (ignored.some((i) => i.toLowerCase() === key.toLowerCase())) continue;
      throw scimError('invalidValue', `${prefix}${key} is not a supported attribute`);
    }
    if (def.mutability === 'readOnly') continue;
    const coerced = coerceValue(def, value, `${prefix}${def.name}`);
    if (coerced !== undefined) out[def.name] = coerced;
  }
  return out;
}

/**
 * A resource from a request body (POST, PUT) or a patched one, in canonical
 * form: attributes of the shape's schemas only, names in their canonical
 * case, values of their declared type; read-only attributes (`id`, `meta`)
 * dropped. `schemas` must name the core schema; other URNs in it are
 * tolerated (Entra adds its own), and so are objects of extensions it
 * declares (not kept); an undeclared unknown extension object is refused.
 */
export function canonicalResource(input: unknown, shape: ResourceShape): ScimResource {
  if (!isObject(input)) throw scimError('invalidSyntax', 'the request body must be a JSON object');
  const schemas = input.schemas;
  if (!Array.isArray(schemas) || !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === shape.core.toLowerCase())) {
    throw scimError('invalidSyntax', `schemas must include "${shape.core}"`);
  }
  const core: Record<string, unknown> = {};
  const extensions: Record<string, Record<string, unknown>> = {};
  for (const [key, value] of Object.entries(input)) {
    if (key === 'schemas') continue;
    if (key.toLowerCase().startsWith('urn:')) {
      const urn = findExtension(shape, key);
      if (!urn) {
        // An extension the body declares in `schemas` (Entra's Microsoft:Entra:2.0 objects, custom ones) is accepted and not kept;
        // an undeclared one is a mistake worth refusing.
        if (declared(schemas, key)) continue;
        throw scimError('invalidValue', `the extension ${key.slice(0, 200)} is not supported (and not declared in schemas)`);
      }
      if (value === null) continue;
      if (!isObject(value)) throw scimError('invalidValue', `${urn} must be an object`);
      // scim2-tester sends the extension object with a `schemas` member of its own: tolerated, not kept.
      const attrs = canonicalAttributes(shape.attributes[urn] ?? [], value, `${urn}:`, ['schemas']);
      if (Object.keys(attrs).length > 0) extensions[urn] = attrs;
      continue;
    }
    core[key] = value;
  }
  const out: ScimResource = { schemas: [shape.core, ...Object.keys(extensions)] };
  Object.assign(out, canonicalAttributes(shape.attributes[''] ?? [], core, '', IGNORED_ATTRIBUTES), extensions);
  return out;
}
