import type { ScimResource } from './canonical';
import type { StoredScimGroup } from './groupWrites';
import { ENTERPRISE_SCHEMA, GROUP_SCHEMA, LIST_SCHEMA, SCHEMAS, USER_SCHEMA, type SchemaDef } from './schemas';
import type { StoredScimUser } from './userWrites';

/** The most resources one list answer carries (`count` above it is lowered to it). */
export const MAX_PAGE_SIZE = 200;

const meta = (base: string, resourceType: string, path: string) => ({ resourceType, location: `${base}/${path}` });

/** RFC 7643 §5: what this server supports. */
export function serviceProviderConfig(base: string): ScimResource {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
    documentationUri: 'https://github.com/onramp/onramp#scim-directory-sync',
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: MAX_PAGE_SIZE },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: false },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'Bearer token',
        description: "The directory's token, from `onramp directories create` or the admin API (shown once).",
        primary: true,
      },
    ],
    meta: meta(base, 'ServiceProviderConfig', 'ServiceProviderConfig'),
  };
}

export function resourceTypes(base: string): ScimResource[] {
  return [
    {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
      id: 'User',
      name: 'User',
      endpoint: '/Users',
      description: 'User Account',
      schema: USER_SCHEMA,
      schemaExtensions: [{ schema: ENTERPRISE_SCHEMA, required: false }],
      meta: meta(base, 'ResourceType', 'ResourceTypes/User'),
    },
    {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
      id: 'Group',
      name: 'Group',
      endpoint: '/Groups',
      description: 'Group',
      schema: GROUP_SCHEMA,
      schemaExtensions: [],
      meta: meta(base, 'ResourceType', 'ResourceTypes/Group'),
    },
  ];
}

export function schemaDocument(base: string, s: SchemaDef): ScimResource {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:Schema'],
    id: s.id,
    name: s.name,
    description: s.description,
    attributes: s.attributes,
    meta: meta(base, 'Schema', `Schemas/${s.id}`),
  };
}

/** The schemas of the resource types served. */
export const servedSchemas = (): SchemaDef[] => SCHEMAS;

export function listResponse(resources: ScimResource[], totalResults: number, startIndex: number): ScimResource {
  return { schemas: [LIST_SCHEMA], totalResults, startIndex, itemsPerPage: resources.length, Resources: resources };
}

/** A stored User as answered: the resource with its `id` and `meta`. */
export function userDocument(base: string, user: StoredScimUser): ScimResource {
  return {
    ...user.resource,
    id: user.id,
    meta: {
      resourceType: 'User',
      created: user.created,
      lastModified: user.lastModified,
      location: `${base}/Users/${user.id}`,
      version: `W/"${user.version}"`,
    },
  };
}

/** A stored Group as answered; `members` (when read) as `{ value, $ref, type }`. */
export function groupDocument(base: string, group: StoredScimGroup, members: string[] | null): ScimResource {
  return {
    schemas: [GROUP_SCHEMA],
    id: group.id,
    displayName: group.displayName,
    ...(group.externalId !== null ? { externalId: group.externalId } : {}),
    ...(members ? { members: members.map((value) => ({ value, $ref: `${base}/Users/${value}`, type: 'User' })) } : {}),
    meta: {
      resourceType: 'Group',
      created: group.created,
      lastModified: group.lastModified,
      location: `${base}/Groups/${group.id}`,
      version: `W/"${group.version}"`,
    },
  };
}
