/**
 * Groups and roles from IdP claims. Pure: decides which grants a sign-in adds
 * and removes, and what a member's effective groups and roles are.
 *
 * - A grant is (kind, value, source). The same group can be granted by several
 *   sources at once (an admin and an IdP); each is kept and revoked separately.
 * - A sign-in only ever touches grants whose source is its own connection
 *   (`idp:<connectionId>`): admin and directory grants are never revoked by it.
 * - `off` ignores the claim; `add-only` grants what is new; `full` also revokes
 *   what the IdP no longer asserts.
 * - An absent groups claim is not an empty one: nothing is revoked unless the
 *   connection says so (`whenAbsent: 'revoke'`); a present empty list revokes per `full`.
 * - Only tenant roles are granted; `owner` never comes from an IdP unless the
 *   tenant allows it. Refusals are returned so they can be audited.
 */
import { BUILT_IN_ROLES } from './roles';

export type GrantKind = 'group' | 'role';
export const GROUP_SYNC_MODES = ['off', 'add-only', 'full'] as const;
export type GroupSyncMode = (typeof GROUP_SYNC_MODES)[number];

/** Where a grant came from: a connection's group mapping, an admin, or directory sync. */
export type GrantSource = `idp:${string}` | 'admin' | 'invitation' | 'import' | 'directory' | `directory:${string}`;
export const idpSource = (connectionId: string): GrantSource => `idp:${connectionId}`;
export const directorySource = (directoryId: string): GrantSource => `directory:${directoryId}`;
export const isIdpSource = (source: string): boolean => source.startsWith('idp:');
/** Grants onramp made from an outside system's word (an IdP's claims, a directory's groups): they never carry `owner` unless the tenant allows it. */
export const isAutomatedSource = (source: string): boolean => isIdpSource(source) || source === 'directory' || source.startsWith('directory:');

export interface Grant {
  kind: GrantKind;
  value: string;
  source: GrantSource;
}

/** One asserted value (exactly as the IdP sends it) → an app group and/or tenant roles. */
export interface GroupMapping {
  value: string;
  group: string | null;
  roles: string[];
}

export interface GroupSyncSettings {
  mode: GroupSyncMode;
  /** What a sign-in without the groups attribute does: keep everything (default) or revoke as if empty. */
  whenAbsent: 'keep' | 'revoke';
  /** Asserted values outside this list are ignored; null = every value. */
  allowList: string[] | null;
  /** An asserted value without a mapping: ignore it, or grant a tenant group of that name (created if needed). */
  unmapped: 'ignore' | 'create-group';
  mappings: GroupMapping[];
}

export const DEFAULT_GROUP_SYNC: GroupSyncSettings = { mode: 'off', whenAbsent: 'keep', allowList: null, unmapped: 'ignore', mappings: [] };

export interface GroupSyncInput {
  connectionId: string;
  settings: GroupSyncSettings;
  /** Asserted group values; null when the assertion had no groups attribute. */
  asserted: readonly string[] | null;
  /** Every grant the member holds in the tenant, from every source. */
  current: readonly Grant[];
  /** Roles the tenant defines (built-in and custom). */
  tenantRoles: readonly string[];
  /** The tenant lets IdP claims grant `owner`. */
  ownerFromIdp: boolean;
  /** The tenant's groups and the roles each carries. */
  groupRoles: Readonly<Record<string, readonly string[]>>;
}

export type RefusalReason = 'owner_not_allowed' | 'unknown_role';

export type GroupSyncAction =
  | { kind: 'grant'; grant: Grant; createGroup: boolean }
  | { kind: 'revoke'; grant: Grant }
  /** An asserted value that would have granted a role the IdP may not grant (audited, not granted). */
  | { kind: 'refuse'; asserted: string; role: string; via: string | null; reason: RefusalReason };

const grantId = (g: Pick<Grant, 'kind' | 'value'>): string => `${g.kind}\u0000${g.value}`;

/** The tenant's roles: the built-in ones and its custom ones. */
export const tenantRoles = (custom: readonly string[]): string[] => [...new Set([...BUILT_IN_ROLES, ...custom])];

/** The grants and refusals a sign-in's groups claim asks for (before comparing with what exists). */
function desired(input: GroupSyncInput, asserted: readonly string[]) {
  const { settings, tenantRoles: roles, ownerFromIdp, groupRoles } = input;
  const allowed = settings.allowList ? new Set(settings.allowList) : null;
  const source = idpSource(input.connectionId);
  const grants = new Map<string, Grant>();
  const refusals: Extract<GroupSyncAction, { kind: 'refuse' }>[] = [];
  const refusalFor = (role: string): RefusalReason | null =>
    !roles.includes(role) ? 'unknown_role' : role === 'owner' && !ownerFromIdp ? 'owner_not_allowed' : null;
  const addGroup = (value: string, name: string) => {
    grants.set(grantId({ kind: 'group', value: name }), { kind: 'group', value: name, source });
    // A group carrying owner is still granted; the owner role does not flow from an IdP grant (effectiveAccess).
    for (const role of groupRoles[name] ?? []) {
      if (role === 'owner' && !ownerFromIdp) refusals.push({ kind: 'refuse', asserted: value, role, via: name, reason: 'owner_not_allowed' });
    }
  };

  for (const value of new Set(asserted)) {
    if (allowed && !allowed.has(value)) continue;
    const mapped = settings.mappings.filter((m) => m.value === value);
    if (mapped.length === 0) {
      if (settings.unmapped === 'create-group') addGroup(value, value);
      continue;
    }
    for (const m of mapped) {
      if (m.group !== null) addGroup(value, m.group);
      for (const role of m.roles) {
        const reason = refusalFor(role);
        if (reason) refusals.push({ kind: 'refuse', asserted: value, role, via: null, reason });
        else grants.set(grantId({ kind: 'role', value: role }), { kind: 'role', value: role, source });
      }
    }
  }
  return { grants, refusals };
}

/**
 * The tenant groups whose roles a group sync can need: those the asserted
 * values name (a mapping's group, or the value itself when unmapped values
 * create groups) and those the member holds. Bounded by the claim and the
 * member — never every group of the tenant — so a sign-in reads them by
 * `_id`; `groupRoles` holding only these plans exactly as the full list.
 */
export function groupNamesToRead(settings: GroupSyncSettings, asserted: readonly string[] | null, current: readonly Grant[]): string[] {
  const names = new Set(current.filter((g) => g.kind === 'group').map((g) => g.value));
  if (settings.mode !== 'off') {
    const allowed = settings.allowList ? new Set(settings.allowList) : null;
    for (const value of new Set(asserted ?? [])) {
      if (allowed && !allowed.has(value)) continue;
      const mapped = settings.mappings.filter((m) => m.value === value);
      if (mapped.length === 0 && settings.unmapped === 'create-group') names.add(value);
      for (const m of mapped) if (m.group) names.add(m.group);
    }
  }
  return [...names].sort();
}

/** What this sign-in changes in the member's grants. Deterministic order: refusals, revokes, grants. */
export function planGroupSync(input: GroupSyncInput): GroupSyncAction[] {
  const { settings } = input;
  if (settings.mode === 'off') return [];
  const asserted = input.asserted ?? (settings.whenAbsent === 'revoke' ? [] : null);
  if (asserted === null) return []; // absent claim: nothing to add, nothing to revoke

  const source = idpSource(input.connectionId);
  const ours = new Map(input.current.filter((g) => g.source === source).map((g) => [grantId(g), g]));
  const { grants, refusals } = desired(input, asserted);
  const actions: GroupSyncAction[] = [...refusals];
  if (settings.mode === 'full') {
    for (const [id, g] of ours) if (!grants.has(id)) actions.push({ kind: 'revoke', grant: g });
  }
  for (const [id, g] of grants) {
    if (!ours.has(id)) actions.push({ kind: 'grant', grant: g, createGroup: g.kind === 'group' && !(g.value in input.groupRoles) });
  }
  return actions;
}

/** The grants a member holds after the planned actions. */
export function applyGroupActions(current: readonly Grant[], actions: readonly GroupSyncAction[]): Grant[] {
  const key = (g: Grant) => `${grantId(g)}\u0000${g.source}`;
  const out = new Map(current.map((g) => [key(g), g]));
  for (const a of actions) {
    if (a.kind === 'revoke') out.delete(key(a.grant));
    if (a.kind === 'grant') out.set(key(a.grant), a.grant);
  }
  return [...out.values()];
}

export interface EffectiveAccessInput {
  /** Roles held directly by the membership (default roles at JIT, set by an admin). */
  directRoles: readonly string[];
  grants: readonly Grant[];
  groupRoles: Readonly<Record<string, readonly string[]>>;
  tenantRoles: readonly string[];
  ownerFromIdp: boolean;
}

/**
 * A member's effective groups and roles: direct roles, granted roles, and the
 * roles of granted groups — only tenant roles, and `owner` only from a
 * source other than an IdP or a directory unless the tenant allows it. Sorted, without duplicates.
 */
export function effectiveAccess(input: EffectiveAccessInput): { groups: string[]; roles: string[] } {
  const groups = new Set<string>();
  const roles = new Set<string>(input.directRoles);
  const grantRole = (role: string, source: string) => {
    if (!input.tenantRoles.includes(role)) return;
    if (role === 'owner' && isAutomatedSource(source) && !input.ownerFromIdp) return;
    roles.add(role);
  };
  for (const g of input.grants) {
    if (g.kind === 'role') grantRole(g.value, g.source);
    else {
      groups.add(g.value);
      for (const role of input.groupRoles[g.value] ?? []) grantRole(role, g.source);
    }
  }
  return { groups: [...groups].sort(), roles: [...roles].sort() };
}
