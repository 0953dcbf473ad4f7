/**
 * Attribute names onramp recognizes on its own when a connection keeps the
 * default mapping (`email`, `name`, `groups`): the conventions real IdPs use
 * on their default settings, where they are unambiguous. The first name
 * present in the assertion wins. A connection that names another attribute
 * gets exactly that one.
 *
 * Left out on purpose: Entra ID's `…/identity/claims/name` (it is the UPN,
 * not a display name), ADFS's `…/claims/name` (set by the claim rule), and
 * Keycloak's role list `Role` (roles, not groups).
 */
export const DEFAULT_ATTRIBUTE_NAMES = { email: 'email', name: 'name', groups: 'groups' } as const;

export const ATTRIBUTE_ALIASES: Record<keyof typeof DEFAULT_ATTRIBUTE_NAMES, readonly string[]> = {
  email: [
    'email',
    'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress', // Entra ID, ADFS
    'urn:oid:0.9.2342.19200300.100.1.3', // mail (Shibboleth, InCommon, OneLogin, PingFederate)
    'urn:oid:1.2.840.113549.1.9.1', // emailAddress (Keycloak's X500 email mapper)
    'mail',
    'Email',
    'EmailAddress',
  ],
  name: [
    'name',
    'http://schemas.microsoft.com/identity/claims/displayname', // Entra ID
    'urn:oid:2.16.840.1.113730.3.1.241', // displayName
    'displayName',
    'urn:oid:2.5.4.3', // cn
    'cn',
  ],
  groups: [
    'groups',
    'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups', // Entra ID (object IDs)
    'http://schemas.xmlsoap.org/claims/Group', // ADFS
    'urn:oid:1.3.6.1.4.1.5923.1.5.1.1', // isMemberOf (Shibboleth, InCommon)
    'memberOf', // OneLogin, JumpCloud
  ],
};

/** The attribute names to look for, in order, for a mapped field. */
export function attributeCandidates(field: keyof typeof DEFAULT_ATTRIBUTE_NAMES, configured: string): readonly string[] {
  return configured === DEFAULT_ATTRIBUTE_NAMES[field] ? ATTRIBUTE_ALIASES[field] : [configured];
}
