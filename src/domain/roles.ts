/** Tenant roles onramp knows; later issues add custom roles per tenant. */
export const BUILT_IN_ROLES = ['owner', 'admin', 'member'] as const;
export type BuiltInRole = (typeof BUILT_IN_ROLES)[number];
export const PRIVILEGED_ROLES: readonly string[] = ['owner', 'admin'];
export const ROLE_PATTERN = /^[a-z][a-z0-9_-]{0,39}$/;

/** Whether effective roles make an account privileged (admin or owner): what linking, authorization and the last-owner guard ask. */
export const isPrivileged = (roles: readonly string[]): boolean => roles.some((r) => PRIVILEGED_ROLES.includes(r));

/** Whether effective roles include `owner`. */
export const isOwner = (roles: readonly string[]): boolean => roles.includes('owner');

/**
 * Whether a request's roles and groups give the owner role, directly or
 * through a group that grants it (`groupRoles`: the roles of each group it
 * names): what only an owner (or the operator) may ask, whichever form, file or API asks.
 */
export const givesOwner = (request: { roles: readonly string[]; groups: readonly string[] }, groupRoles: ReadonlyMap<string, readonly string[]>): boolean =>
  isOwner(request.roles) || request.groups.some((g) => isOwner(groupRoles.get(g) ?? []));
