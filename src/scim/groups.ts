import { canonicalResource, type ScimResource } from './canonical';
import { scimError } from './errors';
import { parseFilter } from './filter';
import { patchOperations } from './patch';
import { GROUP_SHAPE } from './schemas';

/**
 * SCIM Groups, pure. A group's members are not part of its
 * stored resource: a group of 10,000+ members must never be one document or
 * one workflow payload. So a write is split here into the group's own
 * attributes (displayName, externalId) and member operations — set
 * operations on member ids (add, remove, replace) that the workflow applies
 * in batches. This is why Groups are not patched by scim-patch (which needs
 * the whole members array in memory); their PATCH paths are few
 * (`members`, `members[value eq "…"]`, `displayName`, `externalId`) and are
 * read here, the filter in brackets by scim2-parse-filter.
 */

/** The longest displayName a group may have (it becomes a tenant group's name). */
export const MAX_GROUP_NAME = 256;
/** The longest member id onramp accepts (the ids it issues are UUIDs). */
export const MAX_MEMBER_ID = 128;

/** A group's own attributes, as stored. */
export interface GroupAttributes {
  displayName: string;
  externalId: string | null;
}

/** A set operation on a group's members; `replace` with no values empties the group. */
export interface MemberOp {
  op: 'add' | 'remove' | 'replace';
  values: string[];
}

/** A POST/PUT body or a PATCH, as the workflow receives it (member values staged apart, see scimGroups library). */
export interface GroupChange {
  /** Attributes set by this write (absent: unchanged; externalId null: removed). */
  attributes: Partial<GroupAttributes>;
  members: MemberOp[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const displayNameOf = (value: unknown): string => {
  if (typeof value !== 'string' || value.trim() === '') throw scimError('invalidValue', 'displayName is required and must be a non-empty string');
  if (value.length > MAX_GROUP_NAME) throw scimError('invalidValue', `displayName is longer than ${MAX_GROUP_NAME} characters`);
  return value;
};

const externalIdOf = (value: unknown): string | null => {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string' || value.length > 256) throw scimError('invalidValue', 'externalId must be a string of at most 256 characters');
  return value;
};

/** Member ids from a `members` value (`[{ value, type?, display?, $ref? }]`); only Users may be members. */
export function memberValues(value: unknown, where = 'members'): string[] {
  if (value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  const out = new Set<string>();
  for (const [i, m] of list.entries()) {
    if (!isObject(m)) throw scimError('invalidValue', `${where}[${i}] must be an object with a value`);
    const id = m.value;
    if (typeof id !== 'string' || id.trim() === '' || id.length > MAX_MEMBER_ID) throw scimError('invalidValue', `${where}[${i}].value must be a member id`);
    if (m.type !== undefined && (typeof m.type !== 'string' || m.type.toLowerCase() !== 'user')) {
      throw scimError('invalidValue', `${where}[${i}]: only Users can be members (nested groups are not supported)`);
    }
    out.add(id);
  }
  return [...out];
}

/** A Group from a POST or PUT body: its attributes, canonical, and its members (replacing any). */
export function groupFromBody(body: unknown): { attributes: GroupAttributes; members: string[] } {
  if (!isObject(body)) throw scimError('invalidSyntax', 'the request body must be a JSON object');
  const membersKey = Object.keys(body).find((k) => k.toLowerCase() === 'members');
  const members = membersKey ? memberValues(body[membersKey]) : [];
  const rest = Object.fromEntries(Object.entries(body).filter(([k]) => k !== membersKey));
  const group: ScimResource = canonicalResource(rest, GROUP_SHAPE);
  return { attributes: { displayName: displayNameOf(group.displayName), externalId: externalIdOf(group.externalId) }, members };
}

/** `members[value eq "x"]` → "x"; anything else in brackets is refused (RFC 7644 §3.5.2.2 allows more, no provider sends it). */
function memberFilterValue(filter: string): string {
  const f = parseFilter(filter);
  if (f.op !== 'eq' || f.attrPath.toLowerCase() !== 'value' || typeof f.compValue !== 'string') {
    throw scimError('invalidFilter', `members[${filter.slice(0, 100)}]: only members[value eq "<id>"] is supported`);
  }
  return f.compValue;
}

const MEMBERS_PATH = /^(?:urn:ietf:params:scim:schemas:core:2\.0:group:)?members(?:\[(.*)\])?$/i;
const ATTRIBUTE_PATH = /^(?:urn:ietf:params:scim:schemas:core:2\.0:group:)?(displayname|externalid)$/i;

/**
 * A PATCH body on a Group in onramp's terms, whatever the provider's dialect:
 * Entra's capitalized ops and `members[value eq "…"]` removes, Okta's
 * path-less `replace` of `{ id, displayName }` and `replace members []`,
 * member adds without `type`.
 */
export function groupChangeFromPatch(body: unknown): GroupChange {
  const ops = patchOperations(body);
  const change: GroupChange = { attributes: {}, members: [] };
  const setAttribute = (name: string, op: string, value: unknown, i: number) => {
    if (name.toLowerCase() === 'displayname') {
      if (op === 'remove') throw scimError('mutability', `Operations[${i}]: displayName is required and cannot be removed`);
      change.attributes.displayName = displayNameOf(value);
    } else change.attributes.externalId = op === 'remove' ? null : externalIdOf(value);
  };
  for (const { i, op, path, raw } of ops) {
    if (path === undefined) {
      if (op === 'remove') throw scimError('noTarget', `Operations[${i}]: remove needs a path`);
      if (!isObject(raw.value)) throw scimError('invalidSyntax', `Operations[${i}]: a path-less ${op} needs an object value`);
      for (const [key, value] of Object.entries(raw.value)) {
        const lower = key.toLowerCase();
        if (lower === 'schemas' || lower === 'id' || lower === 'meta') continue;
        if (lower === 'members') change.members.push({ op, values: memberValues(value, `Operations[${i}].value.members`) });
        else if (ATTRIBUTE_PATH.test(key)) setAttribute(key.replace(/^.*:/, ''), op, value, i);
        else throw scimError('invalidPath', `Operations[${i}]: "${key.slice(0, 100)}" names no attribute of a Group`);
      }
      continue;
    }
    const members = MEMBERS_PATH.exec(path.trim());
    if (members) {
      const filter = members[1];
      if (filter !== undefined) {
        if (op !== 'remove') throw scimError('invalidPath', `Operations[${i}]: only remove takes a filtered members path`);
        change.members.push({ op: 'remove', values: [memberFilterValue(filter)] });
      } else if (op === 'remove') {
        // `remove members` with a value removes those; without one, every member (RFC 7644 §3.5.2.2).
        change.members.push(
          raw.value === undefined ? { op: 'replace', values: [] } : { op: 'remove', values: memberValues(raw.value, `Operations[${i}].value`) },
        );
      } else {
        if (!('value' in raw)) throw scimError('invalidSyntax', `Operations[${i}]: ${op} needs a value`);
        change.members.push({ op, values: memberValues(raw.value, `Operations[${i}].value`) });
      }
      continue;
    }
    const attribute = ATTRIBUTE_PATH.exec(path.trim());
    if (!attribute) throw scimError('invalidPath', `Operations[${i}]: "${path.slice(0, 100)}" names no attribute of a Group`);
    if (op !== 'remove' && !('value' in raw)) throw scimError('invalidSyntax', `Operations[${i}]: ${op} needs a value`);
    setAttribute(attribute[1] ?? '', op, raw.value, i);
  }
  return change;
}

/** The group's attributes after a change. */
export const changedAttributes = (current: GroupAttributes, change: Partial<GroupAttributes>): GroupAttributes => ({
  displayName: change.displayName ?? current.displayName,
  externalId: change.externalId === undefined ? current.externalId : change.externalId,
});
