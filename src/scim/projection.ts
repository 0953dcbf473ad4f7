import type { ScimResource } from './canonical';
import { findAttribute, type ResourceShape } from './schemas';

/** Attributes every answer carries whatever `attributes`/`excludedAttributes` say (RFC 7643 `returned: always`). */
const ALWAYS = ['schemas', 'id'];

interface Target {
  urn: string | null;
  name: string;
  sub: string | null;
}

/** `name.givenName`, `urn:…:User:department`, `emails` → where it points, in canonical case; null when unknown. */
function target(path: string, shape: ResourceShape): Target | null {
  let urn: string | null = null;
  let rest = path.trim();
  const lower = rest.toLowerCase();
  if (lower.startsWith(`${shape.core.toLowerCase()}:`)) rest = rest.slice(shape.core.length + 1);
  else {
    const ext = shape.extensions.find((e) => lower.startsWith(`${e.toLowerCase()}:`) || lower === e.toLowerCase());
    if (ext) {
      urn = ext;
      rest = rest.length > ext.length ? rest.slice(ext.length + 1) : '';
      if (rest === '') return { urn, name: '', sub: null };
    }
  }
  const [name = '', sub] = rest.split('.');
  if (name.toLowerCase() === 'meta') return { urn: null, name: 'meta', sub: sub ?? null };
  const def = findAttribute(shape.attributes[urn ?? ''], name);
  if (!def) return null;
  const subDef = sub ? findAttribute(def.subAttributes, sub) : undefined;
  return { urn, name: def.name, sub: subDef ? subDef.name : sub ? sub : null };
}

const pick = (value: unknown, sub: string): unknown => {
  if (Array.isArray(value)) {
    const kept = value.map((v) => pick(v, sub)).filter((v) => v !== undefined);
    return kept.length > 0 ? kept : undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const v = (value as Record<string, unknown>)[sub];
  return v === undefined ? undefined : { [sub]: v };
};

/** Only the requested attributes (RFC 7644 §3.4.2.5), plus `schemas` and `id`. */
function only(resource: ScimResource, paths: string[], shape: ResourceShape): ScimResource {
  const out: ScimResource = {};
  for (const key of ALWAYS) if (resource[key] !== undefined) out[key] = resource[key];
  for (const path of paths) {
    const t = target(path, shape);
    if (!t) continue;
    const holder = t.urn ? ((resource[t.urn] ?? {}) as Record<string, unknown>) : resource;
    const into = t.urn ? ((out[t.urn] ??= {}) as Record<string, unknown>) : out;
    if (t.name === '') {
      Object.assign(into, holder);
      continue;
    }
    const value = holder[t.name];
    if (value === undefined) continue;
    if (!t.sub) into[t.name] = value;
    else {
      const part = pick(value, t.sub);
      if (part === undefined) continue;
      const prior = into[t.name];
      into[t.name] = Array.isArray(part) ? part : { ...((prior ?? {}) as object), ...(part as object) };
    }
  }
  for (const urn of shape.extensions) if (out[urn] !== undefined && Object.keys(out[urn] as object).length === 0) delete out[urn];
  return out;
}

/** Everything but the excluded attributes; `schemas` and `id` are never excluded. */
function without(resource: ScimResource, paths: string[], shape: ResourceShape): ScimResource {
  const out: ScimResource = structuredClone(resource);
  for (const path of paths) {
    const t = target(path, shape);
    if (!t || ALWAYS.includes(t.name)) continue;
    const holder = (t.urn ? out[t.urn] : out) as Record<string, unknown> | undefined;
    if (!holder) continue;
    if (t.name === '' && t.urn) delete out[t.urn];
    else if (!t.sub) delete holder[t.name];
    else {
      const value = holder[t.name];
      for (const item of Array.isArray(value) ? value : [value]) if (typeof item === 'object' && item !== null) delete (item as Record<string, unknown>)[t.sub];
    }
  }
  return out;
}

/** A comma-separated `attributes`/`excludedAttributes` value as a list. */
export const attributeList = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** The resource as asked: `attributes` wins over `excludedAttributes` (RFC 7644 §3.9). */
export function project(resource: ScimResource, query: { attributes: string[]; excludedAttributes: string[] }, shape: ResourceShape): ScimResource {
  if (query.attributes.length > 0) return only(resource, query.attributes, shape);
  if (query.excludedAttributes.length > 0) return without(resource, query.excludedAttributes, shape);
  return resource;
}
