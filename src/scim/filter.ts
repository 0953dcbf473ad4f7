import { parse, type Filter } from 'scim2-parse-filter';
import { findAttribute, type AttributeDef, type ResourceShape } from './schemas';
import { scimError } from './errors';

export type { Filter };

/** The longest filter onramp parses. */
export const MAX_FILTER_LENGTH = 2000;

/** A filter from a query (`filter=`) or a search body, parsed by scim2-parse-filter; a syntax error is 400 `invalidFilter`. */
export function parseFilter(text: string): Filter {
  if (text.length > MAX_FILTER_LENGTH) throw scimError('invalidFilter', `the filter is longer than ${MAX_FILTER_LENGTH} characters`);
  try {
    return parse(text);
  } catch (err) {
    throw scimError('invalidFilter', `the filter "${text.slice(0, 200)}" is not valid: ${err instanceof Error ? err.message.slice(0, 200) : 'syntax error'}`);
  }
}

const META_ATTRIBUTES: AttributeDef[] = ['created', 'lastModified', 'resourceType', 'location', 'version'].map((name) => ({
  name,
  type: name === 'created' || name === 'lastModified' ? 'dateTime' : 'string',
  multiValued: false,
  required: false,
  caseExact: true,
  mutability: 'readOnly',
  returned: 'default',
  uniqueness: 'none',
  description: '',
}));
const META: AttributeDef = { ...META_ATTRIBUTES[0]!, name: 'meta', type: 'complex', subAttributes: META_ATTRIBUTES };

/** The attribute definitions a path starts in, and the rest of the path: `urn:…:User:employeeNumber` → the extension's. */
function scopeOf(shape: ResourceShape, path: string): { defs: AttributeDef[]; rest: string[]; urn: string | null } {
  const lower = path.toLowerCase();
  for (const urn of [shape.core, ...shape.extensions]) {
    if (lower.startsWith(`${urn.toLowerCase()}:`)) {
      const rest = path.slice(urn.length + 1).split('.');
      return urn === shape.core ? { defs: [...(shape.attributes[''] ?? []), META], rest, urn: null } : { defs: shape.attributes[urn] ?? [], rest, urn };
    }
  }
  return { defs: [...(shape.attributes[''] ?? []), META], rest: path.split('.'), urn: null };
}

interface Resolved {
  def: AttributeDef | undefined;
  values: unknown[];
}

/** The values at `path` within `node` (arrays flattened), and the definition of the last step. */
function resolveIn(node: Record<string, unknown>, defs: readonly AttributeDef[], steps: string[]): Resolved {
  let current: unknown[] = [node];
  let scope: readonly AttributeDef[] | undefined = defs;
  let def: AttributeDef | undefined;
  for (const step of steps) {
    def = findAttribute(scope, step);
    if (!def) return { def: undefined, values: [] };
    const name = def.name;
    current = current.flatMap((v) => {
      if (typeof v !== 'object' || v === null) return [];
      const found = (v as Record<string, unknown>)[name];
      return found === undefined ? [] : Array.isArray(found) ? found : [found];
    });
    scope = def.subAttributes;
  }
  return { def, values: current };
}

function resolve(resource: Record<string, unknown>, shape: ResourceShape, path: string): Resolved {
  const { defs, rest, urn } = scopeOf(shape, path);
  const node = urn ? resource[urn] : resource;
  if (typeof node !== 'object' || node === null) return { def: undefined, values: [] };
  return resolveIn(node as Record<string, unknown>, defs, rest);
}

type Comparable = string | number | boolean;

/** A value as compared: case folded where the attribute is not caseExact, dates as epoch ms; a complex value by its `value`. */
function comparable(def: AttributeDef | undefined, v: unknown): Comparable | null {
  const raw = typeof v === 'object' && v !== null ? (v as Record<string, unknown>).value : v;
  if (typeof raw === 'boolean' || typeof raw === 'number') return raw;
  if (typeof raw !== 'string') return null;
  if (def?.type === 'dateTime') {
    const t = Date.parse(raw);
    return Number.isNaN(t) ? raw : t;
  }
  return def && !def.caseExact ? raw.toLowerCase() : raw;
}

function compare(op: string, left: Comparable, right: Comparable): boolean {
  switch (op) {
    case 'eq':
      return left === right;
    case 'ne':
      return left !== right;
    case 'co':
      return typeof left === 'string' && typeof right === 'string' && left.includes(right);
    case 'sw':
      return typeof left === 'string' && typeof right === 'string' && left.startsWith(right);
    case 'ew':
      return typeof left === 'string' && typeof right === 'string' && left.endsWith(right);
    case 'gt':
      return typeof left === typeof right && typeof left !== 'boolean' && left > right;
    case 'ge':
      return typeof left === typeof right && typeof left !== 'boolean' && left >= right;
    case 'lt':
      return typeof left === typeof right && typeof left !== 'boolean' && left < right;
    case 'le':
      return typeof left === typeof right && typeof left !== 'boolean' && left <= right;
    default:
      return false;
  }
}

function test(
  node: Record<string, unknown>,
  f: Filter,
  at: (path: string) => Resolved,
  sub: (def: AttributeDef | undefined) => readonly AttributeDef[],
): boolean {
  switch (f.op) {
    case 'and':
      return f.filters.every((c) => test(node, c, at, sub));
    case 'or':
      return f.filters.some((c) => test(node, c, at, sub));
    case 'not':
      return !test(node, f.filter, at, sub);
    case '[]': {
      const { def, values } = at(f.attrPath);
      const defs = sub(def);
      return values.some(
        (v) =>
          typeof v === 'object' &&
          v !== null &&
          test(
            v as Record<string, unknown>,
            f.valFilter,
            (p) => resolveIn(v as Record<string, unknown>, defs, p.split('.')),
            () => [],
          ),
      );
    }
    case 'pr':
      return at(f.attrPath).values.some((v) => v !== null && v !== '');
    default: {
      const { def, values } = at(f.attrPath);
      const right = comparable(def, f.compValue);
      if (right === null) return f.op === 'eq' ? values.length === 0 : f.op === 'ne' && values.length > 0;
      if (values.length === 0) return f.op === 'ne';
      return values.some((v) => {
        const left = comparable(def, v);
        return left !== null && compare(f.op, left, right);
      });
    }
  }
}

/**
 * Whether a resource (with its `id` and `meta`) matches a filter, by the
 * schema's rules: attribute names ignore case, values of attributes that are
 * not `caseExact` too (`userName eq "BJensen"` finds bjensen), dates compare
 * as instants. An attribute the schema does not define matches nothing.
 */
export function matchesFilter(resource: Record<string, unknown>, f: Filter, shape: ResourceShape): boolean {
  return test(
    resource,
    f,
    (path) => resolve(resource, shape, path),
    (def) => def?.subAttributes ?? [],
  );
}

/** Attributes whose `eq` is answered by a keyed lookup (src/store/models/scimResource.ts) instead of a scan. */
export const INDEXED_ATTRIBUTES = ['id', 'userName', 'externalId', 'displayName'] as const;
export type IndexedAttribute = (typeof INDEXED_ATTRIBUTES)[number];

/**
 * The keyed lookup that narrows a filter to at most one resource: an `eq`
 * on an indexed attribute at the top, or among the terms of a top-level
 * `and`. The caller still applies the whole filter to what it finds.
 */
export function indexedLookup(f: Filter, indexed: readonly IndexedAttribute[]): { attribute: IndexedAttribute; value: string } | null {
  const terms = f.op === 'and' ? f.filters : [f];
  for (const t of terms) {
    if (t.op !== 'eq' || typeof t.compValue !== 'string') continue;
    const attribute = indexed.find((a) => a.toLowerCase() === t.attrPath.toLowerCase());
    if (attribute) return { attribute, value: t.compValue };
  }
  return null;
}

/** A time-ordered comparison on `meta.lastModified` that an index on the resource's update time answers. */
export interface ModifiedRange {
  op: 'gt' | 'ge' | 'lt' | 'le' | 'eq';
  at: Date;
}

/**
 * Index-backed narrowings beside the keyed ones: `emails.value eq` (Users'
 * indexed address list) and comparisons of `meta.lastModified` (Okta's and
 * Entra's incremental reads), at the top or among a top-level `and`'s terms.
 * Like indexedLookup, the caller still applies the whole filter.
 */
export function indexedNarrowing(f: Filter): { email: string } | { modified: ModifiedRange } | null {
  const terms = f.op === 'and' ? f.filters : [f];
  for (const t of terms) {
    if (t.op !== 'eq' && t.op !== 'gt' && t.op !== 'ge' && t.op !== 'lt' && t.op !== 'le') continue;
    if (typeof t.compValue !== 'string') continue;
    const path = t.attrPath.toLowerCase();
    if (t.op === 'eq' && (path === 'emails.value' || path === 'emails')) return { email: t.compValue.toLowerCase() };
    if (path === 'meta.lastmodified') {
      const at = new Date(t.compValue);
      if (!Number.isNaN(at.getTime())) return { modified: { op: t.op, at } };
    }
  }
  return null;
}
