/** Tenant roles onramp knows; later issues add custom roles per tenant. */
export const BUILT_IN_ROLES = ['owner', 'admin', 'member'] as const;
export type BuiltInRole = (typeof BUILT_IN_ROLES)[number];
export const PRIVILEGED_ROLES: readonly string[] = ['owner', 'admin'];
export const ROLE_PATTERN = /^[a-z][a-z0-9_-]{0,39}$/;
