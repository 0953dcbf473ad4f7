/**
 * The SCIM schemas onramp serves (RFC 7643 §4, §8.7): what `/Schemas` lists,
 * and what the rest of src/scim reads to canonicalize attribute names, coerce
 * types and compare case-insensitively where the RFC says `caseExact: false`.
 * Only attributes listed here are stored; anything else is refused.
 */

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENTERPRISE_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const SEARCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

export type AttributeType = 'string' | 'boolean' | 'reference' | 'dateTime' | 'complex';

export interface AttributeDef {
  name: string;
  type: AttributeType;
  multiValued: boolean;
  required: boolean;
  caseExact: boolean;
  mutability: 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
  returned: 'always' | 'default' | 'never' | 'request';
  uniqueness: 'none' | 'server' | 'global';
  description: string;
  subAttributes?: AttributeDef[];
  canonicalValues?: string[];
  referenceTypes?: string[];
}

const attr = (name: string, description: string, over: Partial<AttributeDef> = {}): AttributeDef => ({
  name,
  type: 'string',
  multiValued: false,
  required: false,
  caseExact: false,
  mutability: 'readWrite',
  returned: 'default',
  uniqueness: 'none',
  description,
  ...over,
});
const complex = (name: string, description: string, subAttributes: AttributeDef[], over: Partial<AttributeDef> = {}): AttributeDef =>
  attr(name, description, { type: 'complex', subAttributes, ...over });
/** The sub-attributes of a multi-valued attribute such as `emails` (RFC 7643 §2.4). */
const multiValue = (canonicalTypes: string[]): AttributeDef[] => [
  attr('value', 'The value.'),
  attr('display', 'A human-readable name.'),
  attr('type', 'A label for the value.', { canonicalValues: canonicalTypes }),
  attr('primary', 'Whether this is the primary value.', { type: 'boolean' }),
];

export const USER_ATTRIBUTES: AttributeDef[] = [
  attr('userName', 'Unique identifier for the user, typically their sign-in name.', { required: true, uniqueness: 'server' }),
  complex('name', "The components of the user's name.", [
    attr('formatted', 'The full name, formatted for display.'),
    attr('familyName', 'The family name.'),
    attr('givenName', 'The given name.'),
    attr('middleName', 'The middle name(s).'),
    attr('honorificPrefix', 'Honorific prefix(es).'),
    attr('honorificSuffix', 'Honorific suffix(es).'),
  ]),
  attr('displayName', 'The name shown for the user.'),
  attr('nickName', 'The casual name of the user.'),
  attr('profileUrl', "A URI of the user's online profile.", { type: 'reference', referenceTypes: ['external'] }),
  attr('title', "The user's title."),
  attr('userType', 'The relationship between the organization and the user.'),
  attr('preferredLanguage', "The user's preferred language."),
  attr('locale', "The user's locale."),
  attr('timezone', "The user's time zone (IANA)."),
  attr('active', "The user's administrative status: false suspends the membership in this tenant.", { type: 'boolean' }),
  complex('emails', 'Email addresses of the user; the primary (or first work) one is the account email.', multiValue(['work', 'home', 'other']), {
    multiValued: true,
  }),
  complex('phoneNumbers', 'Phone numbers of the user.', multiValue(['work', 'home', 'mobile', 'fax', 'pager', 'other']), { multiValued: true }),
];

export const ENTERPRISE_ATTRIBUTES: AttributeDef[] = [
  attr('employeeNumber', 'Numeric or alphanumeric identifier assigned to the person.'),
  attr('costCenter', 'Name of a cost center.'),
  attr('organization', 'Name of an organization.'),
  attr('division', 'Name of a division.'),
  attr('department', 'Name of a department.'),
  complex('manager', "The user's manager.", [
    attr('value', 'The id of the SCIM resource of the manager.'),
    attr('$ref', 'The URI of the SCIM resource of the manager.', { type: 'reference', referenceTypes: ['User'] }),
    attr('displayName', "The manager's display name.", { mutability: 'readOnly' }),
  ]),
];

export const GROUP_ATTRIBUTES: AttributeDef[] = [
  attr('displayName', 'A human-readable name for the group.', { required: true }),
  complex(
    'members',
    'The members of the group.',
    [
      attr('value', 'The id of the member.', { mutability: 'immutable' }),
      attr('$ref', 'The URI of the member.', { type: 'reference', referenceTypes: ['User', 'Group'], mutability: 'immutable' }),
      attr('display', 'The display name of the member.', { mutability: 'readOnly' }),
      attr('type', 'The type of the member.', { canonicalValues: ['User', 'Group'], mutability: 'immutable' }),
    ],
    { multiValued: true },
  ),
];

/** Attributes every resource has (RFC 7643 §3.1). */
export const COMMON_ATTRIBUTES: AttributeDef[] = [
  attr('id', 'Identifier of the resource, issued by onramp.', { caseExact: true, mutability: 'readOnly', returned: 'always', uniqueness: 'server' }),
  attr('externalId', "The provisioning client's identifier for the resource.", { caseExact: true }),
];

export interface SchemaDef {
  id: string;
  name: string;
  description: string;
  attributes: AttributeDef[];
}

export const SCHEMAS: SchemaDef[] = [
  { id: USER_SCHEMA, name: 'User', description: 'User Account', attributes: USER_ATTRIBUTES },
  { id: ENTERPRISE_SCHEMA, name: 'EnterpriseUser', description: 'Enterprise User', attributes: ENTERPRISE_ATTRIBUTES },
  { id: GROUP_SCHEMA, name: 'Group', description: 'Group', attributes: GROUP_ATTRIBUTES },
];

/** A resource type's attributes by schema URN (the core schema's under ''). */
export interface ResourceShape {
  core: string;
  extensions: string[];
  attributes: Record<string, AttributeDef[]>;
}

export const USER_SHAPE: ResourceShape = {
  core: USER_SCHEMA,
  extensions: [ENTERPRISE_SCHEMA],
  attributes: { '': [...COMMON_ATTRIBUTES, ...USER_ATTRIBUTES], [ENTERPRISE_SCHEMA]: ENTERPRISE_ATTRIBUTES },
};

export const GROUP_SHAPE: ResourceShape = {
  core: GROUP_SCHEMA,
  extensions: [],
  attributes: { '': [...COMMON_ATTRIBUTES, ...GROUP_ATTRIBUTES] },
};

/** The definition of `name` among `defs`, ignoring case (attribute names are case-insensitive, RFC 7643 §2.1). */
export const findAttribute = (defs: readonly AttributeDef[] | undefined, name: string): AttributeDef | undefined =>
  defs?.find((d) => d.name.toLowerCase() === name.toLowerCase());

/** A schema URN of the shape, in its canonical case, or undefined. */
export const findExtension = (shape: ResourceShape, urn: string): string | undefined => shape.extensions.find((u) => u.toLowerCase() === urn.toLowerCase());
