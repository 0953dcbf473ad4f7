import { z } from 'zod';
import { toASCII } from 'punycode/punycode.es6.js';
import { ROLE_PATTERN } from '../../domain/roles';
import { APPROVAL_TRIGGERS, DEFAULT_APPROVAL_EXPIRY_SECONDS, MAX_APPROVAL_EXPIRY_SECONDS, type ApprovalTrigger } from '../../domain/approval';
import { validationError } from '../../errors';
import { pageQuery } from '../pagination';

const role = z.string().regex(ROLE_PATTERN, 'must be a role name (lower-case letters, digits, _ or -)');

/** A caller's idempotency key (the Idempotency-Key header, an import's `?key=`): 1–255 visible ASCII characters. */
export const idempotencyKey = z.string().regex(/^[\x21-\x7e]{1,255}$/, 'must be 1 to 255 visible ASCII characters');

/** The Idempotency-Key header, checked by the same rule as a `?key=` (400 `validation_failed`), or null when absent. */
export function idempotencyKeyOf(header: string | undefined): string | null {
  if (header === undefined) return null;
  const checked = idempotencyKey.safeParse(header);
  if (!checked.success) throw validationError('Idempotency-Key', checked.error.issues[0]?.message ?? 'is not a key');
  return checked.data;
}

export const tenantParams = z.object({ tenant: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'is not a tenant slug') });

export const createTenantBody = z.strictObject({
  slug: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'must be 2-63 lower-case letters, digits or dashes'),
  name: z.string().trim().min(1).max(200),
  jit: z
    .strictObject({
      enabled: z.boolean().default(true),
      defaultRoles: z
        .array(role)
        .min(1)
        .max(20)
        .refine((roles) => !roles.includes('owner'), 'owner cannot be a default role')
        .default(['member']),
    })
    .default({ enabled: true, defaultRoles: ['member'] }),
});

/** An email domain, compared in lower-case ASCII (punycode) form without a trailing dot. */
export const domainName = z
  .string()
  .trim()
  .min(1)
  .max(253)
  .transform((value, ctx) => {
    let ascii = '';
    try {
      ascii = toASCII(value.toLowerCase().replace(/\.$/, ''));
    } catch {
      ascii = '';
    }
    if (!/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/.test(ascii)) {
      ctx.addIssue({ code: 'custom', message: 'is not a domain name' });
      return z.NEVER;
    }
    return ascii;
  });

export const linkPolicy = z.enum(['auto', 'approval', 'deny']);

export const domainsBody = z.strictObject({
  domains: z
    .array(z.strictObject({ domain: domainName, verified: z.boolean() }))
    .max(100)
    .refine((ds) => new Set(ds.map((d) => d.domain)).size === ds.length, 'lists a domain twice'),
});

export const linkPolicyBody = z.strictObject({
  policy: linkPolicy,
  fallback: z.enum(['approval', 'deny']).default('deny'),
  excludedUserIds: z
    .array(z.string().regex(/^[0-9a-f]{24}$/, 'must be a user id'))
    .max(1000)
    .default([]),
});

/** Lists keyed by ObjectId (tenants) and by string key (members, directory resources). */
export const idListQuery = z.object(pageQuery('objectId'));
export const keyListQuery = z.object(pageQuery('key'));

const isoDate = z.iso.datetime({ offset: true }).transform((s) => new Date(s));

export const auditQuery = z.object({
  ...pageQuery('objectId'),
  user: z
    .string()
    .regex(/^[0-9a-f]{24}$/, 'must be a user id')
    .optional(),
  action: z
    .string()
    .regex(/^[a-z_.]{1,64}$/, 'must be an action name')
    .optional(),
  from: isoDate.optional(),
  to: isoDate.optional(),
});

// Response shapes: answers are parsed through these, so nothing undeclared (secrets, internals) leaks.
export const tenantOut = z.object({
  id: z.string(),
  slug: z.string(),
  name: z.string(),
  jit: z.object({ enabled: z.boolean(), defaultRoles: z.array(z.string()) }),
  domains: z.array(z.object({ domain: z.string(), verified: z.boolean() })),
  linking: z.object({ policy: z.string(), fallback: z.string(), excludedUserIds: z.array(z.string()) }),
  createdAt: z.date(),
});

export const memberOut = z.object({
  membershipId: z.string(),
  userId: z.string(),
  email: z.string().nullable(),
  name: z.string().nullable(),
  /** Effective roles (direct, granted and from groups); `directRoles` are the membership's own. */
  roles: z.array(z.string()),
  directRoles: z.array(z.string()),
  groups: z.array(z.string()),
  status: z.string(),
  createdAt: z.date(),
});
/** One member with the account's custom attributes (`GET …/members/:userId`). */
export const memberDetailOut = memberOut.extend({
  attributes: z.array(z.object({ name: z.string(), value: z.string().nullable() })),
});

export const auditEventOut = z.object({
  id: z.string(),
  action: z.string(),
  actor: z.object({ type: z.string(), id: z.string().nullable() }),
  target: z.object({ type: z.string(), id: z.string().nullable() }),
  userId: z.string().nullable(),
  before: z.unknown(),
  after: z.unknown(),
  reason: z.string().nullable(),
  context: z.unknown(),
  workflowId: z.string().nullable(),
  runId: z.string().nullable(),
  at: z.date(),
});

export const memberParams = tenantParams.extend({ userId: z.string().regex(/^[0-9a-f]{24}$/, 'must be a user id') });
export const identityParams = memberParams.extend({ identityId: z.string().min(3).max(600) });

export const identityOut = z.object({
  id: z.string(),
  connectionId: z.string(),
  tenantId: z.string(),
  subject: z.string(),
  protocol: z.string(),
  linkedAt: z.date().nullable(),
});

export const conflictPolicyBody = z.strictObject({ policy: z.enum(['idp-wins', 'keep-local', 'review']) });
export const attributeSyncBody = z.strictObject({ mode: z.enum(['on-first-sign-in', 'every-sign-in']) });
export const connectionParams = tenantParams.extend({ connectionId: z.string().regex(/^[0-9a-f]{24}$/, 'must be a connection id') });
export const spKeyParams = connectionParams.extend({ keyId: z.string().regex(/^[0-9a-f]{12}$/, 'must be a key id') });
export const conflictParams = tenantParams.extend({ conflictId: z.string().min(3).max(200) });
export const resolveConflictBody = z.strictObject({ resolution: z.enum(['use-idp', 'keep-local']) });
export const conflictOut = z.object({
  id: z.string(),
  userId: z.string(),
  connectionId: z.string(),
  field: z.string(),
  local: z.string().nullable(),
  asserted: z.string(),
  openedAt: z.date().nullable(),
});

export const approvalParams = tenantParams.extend({ requestId: z.string().min(3).max(300) });
export const approvalQuery = z.object({
  ...pageQuery('key'),
  kind: z.enum(['link', 'new-member', 'privileged-grant']).optional(),
  email: z.string().trim().toLowerCase().max(320).optional(),
});
export const approveBody = z.strictObject({
  reason: z.string().trim().max(500).nullable().default(null),
  /** The new membership's roles instead of the tenant's defaults. */
  roles: z.array(role).min(1).max(20).nullable().default(null),
});
export const rejectBody = z.strictObject({ reason: z.string().trim().min(1, 'say why').max(500) });
export const approvalPolicyBody = z.strictObject({
  when: z
    .array(z.enum([...APPROVAL_TRIGGERS, 'never']))
    .max(5)
    .refine((w) => !(w.includes('never') && w.length > 1), '"never" cannot be combined')
    .transform((w) => w.filter((t): t is ApprovalTrigger => t !== 'never')),
  expirySeconds: z.number().int().min(1).max(MAX_APPROVAL_EXPIRY_SECONDS).default(DEFAULT_APPROVAL_EXPIRY_SECONDS),
});
/** The approval policy as stored (`never` is the empty list). */
export const approvalPolicyOut = z.object({ when: z.array(z.enum(APPROVAL_TRIGGERS)), expirySeconds: z.number().int() });
export const approvalOut = z.object({
  id: z.string(),
  kind: z.string(),
  reason: z.string(),
  reasons: z.array(z.string()),
  email: z.string().nullable(),
  name: z.string().nullable(),
  subject: z.string(),
  connectionId: z.string(),
  userId: z.string().nullable(),
  planned: z
    .object({ via: z.string(), newAccount: z.boolean(), roles: z.array(z.string()).nullable(), grants: z.array(z.string()), revokes: z.array(z.string()) })
    .nullable(),
  /** Every attribute the IdP sent, names and values exactly as sent. */
  attributes: z.array(z.object({ name: z.string(), values: z.array(z.string()) })),
  requestedAt: z.date().nullable(),
  expiresAt: z.date(),
});
