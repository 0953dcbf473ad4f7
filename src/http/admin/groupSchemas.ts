import { z } from 'zod';
import { GROUP_SYNC_MODES } from '../../domain/groups';
import { ROLE_PATTERN } from '../../domain/roles';
import { memberParams, tenantParams } from './schemas';

const role = z.string().regex(ROLE_PATTERN, 'must be a role name (lower-case letters, digits, _ or -)');
// eslint-disable-next-line no-control-regex -- refusing control characters is the point
const noControl = /^[^\u0000-\u001f\u007f]*$/;
/** A group name, or a group value as an IdP asserts it (kept exactly: case and spaces matter). */
export const groupName = z.string().min(1, 'must not be empty').max(256).regex(noControl, 'must not contain control characters');
const roleList = z
  .array(role)
  .max(20)
  .refine((rs) => new Set(rs).size === rs.length, 'lists a role twice');

export const roleSettingsBody = z.strictObject({
  custom: roleList.default([]),
  ownerFromIdp: z.boolean().default(false),
});

export const createGroupBody = z.strictObject({ name: groupName, roles: roleList.default([]) });
export const groupRolesBody = z.strictObject({ roles: roleList });
export const groupRolesOut = z.object({ name: z.string(), roles: z.array(z.string()) });
export const groupParams = tenantParams.extend({ group: groupName });
export const memberGroupParams = memberParams.extend({ group: groupName });

export const groupSyncBody = z.strictObject({
  mode: z.enum(GROUP_SYNC_MODES),
  whenAbsent: z.enum(['keep', 'revoke']).default('keep'),
  allowList: z.array(groupName).max(1000).nullable().default(null),
  unmapped: z.enum(['ignore', 'create-group']).default('ignore'),
  mappings: z
    .array(
      z
        .strictObject({ value: groupName, group: groupName.nullable().default(null), roles: roleList.default([]) })
        .refine((m) => m.group !== null || m.roles.length > 0, 'maps to nothing: give a group, roles, or both'),
    )
    .max(1000)
    .default([]),
});

export const roleSettingsOut = z.object({ roles: z.array(z.string()), custom: z.array(z.string()), ownerFromIdp: z.boolean() });
export const groupOut = z.object({
  name: z.string(),
  roles: z.array(z.string()),
  createdFrom: z.string(),
  memberCount: z.number(),
  createdAt: z.date().nullable(),
});
const grantSourceOut = z.object({ source: z.string(), grantedAt: z.date().nullable(), grantedBy: z.string().nullable() });
export const groupMemberOut = z.object({ userId: z.string(), email: z.string().nullable(), sources: z.array(grantSourceOut) });
export const memberAccessOut = z.object({
  userId: z.string(),
  directRoles: z.array(z.string()),
  groups: z.array(z.string()),
  roles: z.array(z.string()),
  grants: z.array(grantSourceOut.extend({ kind: z.string(), value: z.string() })),
});
export const groupSyncOut = z.object({
  mode: z.string(),
  whenAbsent: z.string(),
  allowList: z.array(z.string()).nullable(),
  unmapped: z.string(),
  mappings: z.array(z.object({ value: z.string(), group: z.string().nullable(), roles: z.array(z.string()) })),
});
