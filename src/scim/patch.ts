import { scimPatch, type ScimPatchOperation, type ScimResource as PatchableResource } from 'scim-patch';
import { canonicalResource, type ScimResource } from './canonical';
import { scimError } from './errors';
import { PATCH_SCHEMA, findAttribute, findExtension, type ResourceShape } from './schemas';

/** The most operations one PATCH may carry. */
export const MAX_PATCH_OPERATIONS = 1000;

export interface PatchOp {
  op: 'add' | 'remove' | 'replace';
  path?: string;
  value?: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const ATTRIBUTE_PATH = /^([A-Za-z$][\w$-]*)(\[[^\]]*\])?(?:\.([A-Za-z$][\w$-]*))?$/;

/**
 * A PATCH path in canonical case (`Name.GivenName` → `name.givenName`,
 * `urn:…:User:Department` → the extension's `department`); the core
 * schema's URN prefix is dropped. An unknown attribute is 400 `invalidPath`.
 */
export function canonicalPath(path: string, shape: ResourceShape): string {
  let urn: string | null = null;
  let rest = path.trim();
  const lower = rest.toLowerCase();
  if (lower.startsWith(`${shape.core.toLowerCase()}:`)) rest = rest.slice(shape.core.length + 1);
  else {
    for (const ext of shape.extensions) {
      if (lower.startsWith(`${ext.toLowerCase()}:`)) {
        urn = ext;
        rest = rest.slice(ext.length + 1);
      } else if (lower === ext.toLowerCase()) return ext;
    }
  }
  const m = ATTRIBUTE_PATH.exec(rest);
  if (!m) throw scimError('invalidPath', `"${path.slice(0, 200)}" is not a valid attribute path`);
  const [, name = '', filter = '', sub] = m;
  const defs = shape.attributes[urn ?? ''];
  const def = findAttribute(defs, name);
  if (!def) throw scimError('invalidPath', `"${path.slice(0, 200)}" names no attribute of this resource`);
  let out = `${def.name}${filter}`;
  if (sub !== undefined) {
    const subDef = findAttribute(def.subAttributes, sub);
    if (!subDef) throw scimError('invalidPath', `"${path.slice(0, 200)}" names no sub-attribute of ${def.name}`);
    out += `.${subDef.name}`;
  }
  return urn ? `${urn}:${out}` : out;
}

/**
 * The operations of a PATCH body as onramp applies them, whatever the
 * provider's dialect: ops in lower case (Entra sends `Replace`, `Add`); a
 * path-less add/replace split into one operation per key, so Entra's dotted
 * (`name.givenName`), filtered (`emails[type eq "work"].value`) and URN keys
 * land where they name; paths in canonical case.
 */
/** One operation of a PATCH body, checked for its shape: a known op, a path that is a non-empty string if any. */
export interface PatchOperation {
  /** Its place in `Operations`, for error messages. */
  i: number;
  op: 'add' | 'remove' | 'replace';
  path: string | undefined;
  /** The raw operation (its `value` is read as the resource type needs). */
  raw: Record<string, unknown>;
}

/**
 * The operations of a PATCH body (RFC 7644 §3.5.2): the PatchOp schema
 * named, 1 to MAX_PATCH_OPERATIONS of them, each with its op in lower case
 * (Entra sends `Replace`, `Add`).
 */
export function patchOperations(body: unknown): PatchOperation[] {
  if (!isObject(body)) throw scimError('invalidSyntax', 'the request body must be a JSON object');
  const schemas = body.schemas;
  if (!Array.isArray(schemas) || !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === PATCH_SCHEMA.toLowerCase())) {
    throw scimError('invalidSyntax', `schemas must include "${PATCH_SCHEMA}"`);
  }
  const ops = body.Operations ?? body.operations;
  if (!Array.isArray(ops) || ops.length === 0) throw scimError('invalidSyntax', 'Operations must be a non-empty array');
  if (ops.length > MAX_PATCH_OPERATIONS) throw scimError('tooMany', `a PATCH may carry at most ${MAX_PATCH_OPERATIONS} operations`);
  return ops.map((raw: unknown, i) => {
    if (!isObject(raw)) throw scimError('invalidSyntax', `Operations[${i}] must be an object`);
    const op = typeof raw.op === 'string' ? raw.op.toLowerCase() : '';
    if (op !== 'add' && op !== 'remove' && op !== 'replace') throw scimError('invalidSyntax', `Operations[${i}].op must be add, remove or replace`);
    const path = raw.path;
    if (path !== undefined && (typeof path !== 'string' || path.trim() === ''))
      throw scimError('invalidPath', `Operations[${i}].path must be a non-empty string`);
    return { i, op, path, raw };
  });
}

export function normalizePatch(body: unknown, shape: ResourceShape): PatchOp[] {
  const out: PatchOp[] = [];
  for (const { i, op, path, raw } of patchOperations(body)) {
    if (op === 'remove') {
      if (path === undefined) throw scimError('noTarget', `Operations[${i}]: remove needs a path`);
      out.push({ op, path: canonicalPath(path, shape), ...(raw.value !== undefined ? { value: raw.value } : {}) });
      continue;
    }
    if (!('value' in raw)) throw scimError('invalidSyntax', `Operations[${i}]: ${op} needs a value`);
    if (path !== undefined) {
      out.push({ op, path: canonicalPath(path, shape), value: raw.value });
      continue;
    }
    if (!isObject(raw.value)) throw scimError('invalidSyntax', `Operations[${i}]: a path-less ${op} needs an object value`);
    for (const [key, value] of Object.entries(raw.value)) {
      if (key === 'schemas' || key === 'id' || key === 'meta') continue;
      const urn = findExtension(shape, key);
      if (urn && isObject(value)) {
        // `{ "urn:…:User": { department: "x" } }`: each of the extension's attributes.
        for (const [sub, subValue] of Object.entries(value)) out.push({ op, path: canonicalPath(`${urn}:${sub}`, shape), value: subValue });
      } else out.push({ op, path: canonicalPath(key, shape), value });
    }
  }
  return out;
}

/**
 * Apply normalized operations to a stored resource, one by one, with
 * scim-patch (whole-extension operations by hand), then
 * bring the result back to canonical form (which also turns Entra's "False"
 * into false and a bare manager id into `{ value }`). A target that does not
 * exist is added (replace) or ignored (remove), as providers expect.
 */
export function applyPatch(resource: ScimResource, ops: PatchOp[], shape: ResourceShape): ScimResource {
  let current = resource;
  for (const op of ops) current = isWholeExtension(op, shape) ? applyToExtension(current, op) : applyWithScimPatch(current, op);
  return canonicalResource(current, shape);
}

/** An operation on a whole extension object (`path: "urn:…:enterprise:2.0:User"`), which scim-patch would split at its last colon. */
const isWholeExtension = (op: PatchOp, shape: ResourceShape): boolean => op.path !== undefined && shape.extensions.includes(op.path);

function applyToExtension(resource: ScimResource, op: PatchOp): ScimResource {
  const urn = op.path as string;
  const out: ScimResource = { ...resource };
  if (op.op === 'remove') {
    delete out[urn];
    return out;
  }
  if (!isObject(op.value)) throw scimError('invalidValue', `the value for ${urn} must be an object`);
  // add merges into what is there; replace sets the attributes it names (RFC 7644 §3.5.2.1, §3.5.2.3).
  out[urn] = { ...(isObject(out[urn]) ? out[urn] : {}), ...op.value };
  return out;
}

function applyWithScimPatch(resource: ScimResource, op: PatchOp): ScimResource {
  try {
    // Passing options replaces all of scim-patch's defaults: name both.
    return scimPatch(resource as unknown as PatchableResource, [op] as ScimPatchOperation[], {
      mutateDocument: false,
      treatMissingAsAdd: true,
    }) as unknown as ScimResource;
  } catch (err) {
    const scimType = (err as { scimType?: unknown }).scimType;
    const detail = err instanceof Error ? err.message.slice(0, 300) : 'the patch could not be applied';
    if (scimType === 'noTarget' || scimType === 'invalidPath' || scimType === 'invalidValue' || scimType === 'invalidSyntax') throw scimError(scimType, detail);
    throw scimError('invalidValue', detail);
  }
}
