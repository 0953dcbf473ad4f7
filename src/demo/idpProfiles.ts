/**
 * How real IdPs name their SAML attributes on their default settings, from
 * their documentation — so the demo IdP (samlify) can answer the way a
 * customer's Entra ID, ADFS, Shibboleth, Okta, Google Workspace or Keycloak
 * does. Development and tests only: nothing here decides anything in onramp.
 */
import { NAMEID_FORMATS } from '../domain/samlSubject';

export interface IdpAttributeProfile {
  /** Attribute names onramp maps (the connection's `attributeMapping`). */
  email: string;
  name: string;
  department: string;
  groups: string;
  /** NameFormat of every attribute (Entra ID sends none). */
  nameFormat: string | null;
  /** Attributes the IdP sends besides, with a fixed value (tenant IDs, object IDs, UPNs…). */
  extra: ReadonlyArray<{ name: string; value: string }>;
}

const BASIC = 'urn:oasis:names:tc:SAML:2.0:attrname-format:basic';
const URI = 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri';
const UNSPECIFIED = 'urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified';
const XMLSOAP = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims';
const MS = 'http://schemas.microsoft.com/identity/claims';

export const IDP_PROFILES = {
  /** onramp's own demo names. */
  plain: { email: 'email', name: 'name', department: 'department', groups: 'groups', nameFormat: BASIC, extra: [] },
  /**
   * Microsoft Entra ID's default claims ("SAML token claims reference"):
   * claim URIs, no NameFormat; groups as object IDs under the 2008/06 URI.
   */
  entra: {
    email: `${XMLSOAP}/emailaddress`,
    name: `${MS}/displayname`,
    department: `${XMLSOAP}/department`,
    groups: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups',
    nameFormat: null,
    extra: [
      { name: `${MS}/tenantid`, value: '72f988bf-86f1-41af-91ab-2d7cd011db47' },
      { name: `${MS}/objectidentifier`, value: '0d4a7a2c-6a3e-4a43-9d6f-4f1bb3f1a0c1' },
      { name: `${MS}/identityprovider`, value: 'https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/' },
      {
        name: 'http://schemas.microsoft.com/claims/authnmethodsreferences',
        value: 'http://schemas.microsoft.com/ws/2008/06/identity/authenticationmethod/password',
      },
      { name: `${XMLSOAP}/name`, value: 'user@contoso.onmicrosoft.com' },
      { name: `${XMLSOAP}/givenname`, value: 'Given' },
      { name: `${XMLSOAP}/surname`, value: 'Surname' },
    ],
  },
  /** ADFS relying-party claim rules on their defaults: claim URIs with the URI NameFormat; groups as `…/claims/Group`. */
  adfs: {
    email: `${XMLSOAP}/emailaddress`,
    name: `${XMLSOAP}/name`,
    department: `${XMLSOAP}/department`,
    groups: 'http://schemas.xmlsoap.org/claims/Group',
    nameFormat: URI,
    extra: [
      { name: `${XMLSOAP}/upn`, value: 'user@corp.contoso.com' },
      { name: `${XMLSOAP}/nameidentifier`, value: 'CORP\\user' },
      { name: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/windowsaccountname', value: 'CORP\\user' },
    ],
  },
  /** Shibboleth / InCommon: `urn:oid:` names (eduPerson, inetOrgPerson) with the URI NameFormat. */
  shibboleth: {
    email: 'urn:oid:0.9.2342.19200300.100.1.3', // mail
    name: 'urn:oid:2.16.840.1.113730.3.1.241', // displayName
    department: 'urn:oid:2.5.4.11', // ou
    groups: 'urn:oid:1.3.6.1.4.1.5923.1.5.1.1', // isMemberOf
    nameFormat: URI,
    extra: [
      { name: 'urn:oid:1.3.6.1.4.1.5923.1.1.1.6', value: 'user@university.edu' }, // eduPersonPrincipalName
      { name: 'urn:oid:1.3.6.1.4.1.5923.1.1.1.9', value: 'member@university.edu' }, // eduPersonScopedAffiliation
    ],
  },
  /** Okta's app wizard: names the admin types (`email`, `firstName`…), NameFormat unspecified. */
  okta: {
    email: 'email',
    name: 'displayName',
    department: 'department',
    groups: 'groups',
    nameFormat: UNSPECIFIED,
    extra: [{ name: 'firstName', value: 'Given' }],
  },
  /** Google Workspace: no attributes unless mapped; admins map names of their choice (basic). */
  google: { email: 'email', name: 'name', department: 'department', groups: 'groups', nameFormat: BASIC, extra: [] },
  /** OneLogin's SAML connector: parameter names the admin adds (`Email`, `memberOf`), basic. */
  onelogin: {
    email: 'Email',
    name: 'displayName',
    department: 'department',
    groups: 'memberOf',
    nameFormat: BASIC,
    extra: [{ name: 'FirstName', value: 'Given' }],
  },
  /** JumpCloud: user attributes the admin names, plus the group attribute (`memberOf` by default). */
  jumpcloud: { email: 'email', name: 'displayName', department: 'department', groups: 'memberOf', nameFormat: BASIC, extra: [] },
  /** PingFederate: attribute contract names of the admin's choosing, often LDAP names (`mail`, `cn`), basic. */
  pingfederate: { email: 'mail', name: 'cn', department: 'department', groups: 'memberOf', nameFormat: BASIC, extra: [] },
  /** Keycloak's "X500" mappers: `urn:oid:` names with the URI NameFormat; groups under the mapper's name (`groups`). */
  keycloak: {
    email: 'urn:oid:1.2.840.113549.1.9.1',
    name: 'urn:oid:2.5.4.3',
    department: 'urn:oid:2.5.4.11',
    groups: 'groups',
    nameFormat: URI,
    extra: [
      { name: 'urn:oid:2.5.4.42', value: 'Given' },
      { name: 'urn:oid:2.5.4.4', value: 'Surname' },
    ],
  },
} as const satisfies Record<string, IdpAttributeProfile>;

export type IdpProfileName = keyof typeof IDP_PROFILES;

/** The connection's `attributeMapping` for a profile (what a tenant admin configures for that IdP). */
export function attributeMappingFor(profile: IdpAttributeProfile): { email: string; name: string; groups: string; custom: { department: string } } {
  return { email: profile.email, name: profile.name, groups: profile.groups, custom: { department: profile.department } };
}

const { emailAddress: NAMEID_EMAIL, unspecified: NAMEID_UNSPECIFIED, persistent: NAMEID_PERSISTENT } = NAMEID_FORMATS;

/** How an IdP behaves out of the box: what it signs, its NameID, whether it wants signed requests, how it sends groups. */
export interface IdpDefaults {
  label: string;
  attributes: IdpAttributeProfile;
  /** What it signs by default. */
  signs: 'assertion' | 'response' | 'both';
  nameIdFormat: string;
  /** Refuses unsigned AuthnRequests by default. */
  requiresSignedRequests: boolean;
  /** Sends one `<Attribute>` element per group (Keycloak's group mapper with "Single Group Attribute" off). */
  repeatsGroupAttribute: boolean;
}

/** The compatibility matrix of docs/sign-in.md, as tests run it (test/integration/idp-compatibility.test.ts). */
export const IDP_DEFAULTS: Record<string, IdpDefaults> = {
  entra: {
    label: 'Microsoft Entra ID',
    attributes: IDP_PROFILES.entra,
    signs: 'assertion',
    nameIdFormat: NAMEID_EMAIL,
    requiresSignedRequests: false,
    repeatsGroupAttribute: false,
  },
  okta: {
    label: 'Okta',
    attributes: IDP_PROFILES.okta,
    signs: 'both',
    nameIdFormat: NAMEID_UNSPECIFIED,
    requiresSignedRequests: false,
    repeatsGroupAttribute: false,
  },
  google: {
    label: 'Google Workspace',
    attributes: IDP_PROFILES.google,
    signs: 'assertion',
    nameIdFormat: NAMEID_EMAIL,
    requiresSignedRequests: false,
    repeatsGroupAttribute: false,
  },
  adfs: {
    label: 'ADFS',
    attributes: IDP_PROFILES.adfs,
    signs: 'assertion',
    nameIdFormat: NAMEID_UNSPECIFIED,
    requiresSignedRequests: false,
    repeatsGroupAttribute: false,
  },
  keycloak: {
    label: 'Keycloak',
    attributes: IDP_PROFILES.keycloak,
    signs: 'response',
    nameIdFormat: NAMEID_UNSPECIFIED,
    requiresSignedRequests: true,
    repeatsGroupAttribute: true,
  },
  onelogin: {
    label: 'OneLogin',
    attributes: IDP_PROFILES.onelogin,
    signs: 'assertion',
    nameIdFormat: NAMEID_EMAIL,
    requiresSignedRequests: false,
    repeatsGroupAttribute: false,
  },
  jumpcloud: {
    label: 'JumpCloud',
    attributes: IDP_PROFILES.jumpcloud,
    signs: 'assertion',
    nameIdFormat: NAMEID_EMAIL,
    requiresSignedRequests: false,
    repeatsGroupAttribute: false,
  },
  pingfederate: {
    label: 'PingFederate',
    attributes: IDP_PROFILES.pingfederate,
    signs: 'response',
    nameIdFormat: NAMEID_PERSISTENT,
    requiresSignedRequests: false,
    repeatsGroupAttribute: false,
  },
};
