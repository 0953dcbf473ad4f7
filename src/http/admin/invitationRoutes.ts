import { Router } from 'express';
import { z } from 'zod';
import type { InvitationLibrary } from '../../library/invitations';
import type { createTenantLibrary } from '../../library/tenants';
import { route } from '../route';
import { groupName } from './groupSchemas';
import { idempotencyKeyOf, tenantParams } from './schemas';

export interface InvitationRouterDeps {
  tenants: ReturnType<typeof createTenantLibrary>;
  invitations: InvitationLibrary;
  actor: { type: 'admin'; id: string | null };
}

export const INVITATION_STATUSES = ['pending', 'accepted', 'revoked', 'expired'] as const;
const STATUSES = INVITATION_STATUSES;
export const createInvitationBody = z.strictObject({
  /** Checked and normalized by the library (400 `email_invalid`); `format` tells clients what to send. */
  email: z.string().min(3).max(320).meta({ format: 'email' }),
  roles: z.array(z.string().max(40)).max(20).default([]),
  groups: z.array(groupName).max(50).default([]),
  /** Let anyone holding the link accept, whatever their verified email (off: only the invited address). */
  allowAnyEmail: z.boolean().default(false),
  expiresInSeconds: z
    .number()
    .int()
    .min(1)
    .max(90 * 24 * 3600)
    .nullable()
    .default(null),
});
export const invitationOut = z.object({
  id: z.string(),
  email: z.string(),
  roles: z.array(z.string()),
  groups: z.array(z.string()),
  allowAnyEmail: z.boolean(),
  status: z.enum(STATUSES),
  expiresAt: z.date(),
  sentCount: z.number(),
  acceptedBy: z.string().nullable(),
  acceptedAt: z.date().nullable(),
  createdAt: z.date(),
});
/** `acceptUrl` is null when an Idempotency-Key retry gets the invitation back: the link was answered once. */
const withUrl = z.object({ invitation: invitationOut, acceptUrl: z.string().nullable() });
export const invitationParams = tenantParams.extend({ invitationId: z.string().regex(/^inv_[0-9a-f]{24}$/, 'must be an invitation id') });
const settingsBody = z.strictObject({
  expirySeconds: z
    .number()
    .int()
    .min(60)
    .max(90 * 24 * 3600),
});

/** Invitations: create (mailed; the accept URL is answered once), list by status, resend, revoke; the tenant's expiry. */
export function invitationRouter({ tenants, invitations, actor }: InvitationRouterDeps): Router {
  const r = Router();
  const tenantOf = (params: { tenant: string }) => tenants.bySlug(params.tenant);

  r.post(
    '/tenants/:tenant/invitations',
    route(
      {
        summary: 'Invite someone (mailed; the accept URL is answered once; an Idempotency-Key retry answers 200 with the same invitation)',
        params: tenantParams,
        body: createInvitationBody,
        response: withUrl,
        alsoStatus: [201],
        errors: [409, 422],
      },
      async ({ params, body, req, res }) => {
        const created = await invitations.create((await tenantOf(params))._id, body, actor, { idempotencyKey: idempotencyKeyOf(req.get('idempotency-key')) });
        res.status(created.acceptUrl === null ? 200 : 201);
        return created;
      },
    ),
  );
  r.get(
    '/tenants/:tenant/invitations',
    route(
      {
        summary: 'List invitations, by status',
        params: tenantParams,
        query: z.strictObject({ status: z.enum(STATUSES).optional() }),
        response: z.object({ data: z.array(invitationOut) }),
      },
      async ({ params, query }) => ({
        data: await invitations.list((await tenantOf(params))._id, query.status ?? null),
      }),
    ),
  );
  r.get(
    '/tenants/:tenant/invitations/:invitationId',
    route({ summary: 'Read an invitation', params: invitationParams, response: invitationOut }, async ({ params }) =>
      invitations.get((await tenantOf(params))._id, params.invitationId),
    ),
  );
  r.post(
    '/tenants/:tenant/invitations/:invitationId/resend',
    route(
      { summary: 'Resend an invitation with a new link (the old one stops working)', params: invitationParams, response: withUrl, errors: [409] },
      async ({ params }) => invitations.resend((await tenantOf(params))._id, params.invitationId, actor),
    ),
  );
  r.delete(
    '/tenants/:tenant/invitations/:invitationId',
    route({ summary: 'Revoke an invitation', params: invitationParams, response: invitationOut, errors: [409] }, async ({ params }) =>
      invitations.revoke((await tenantOf(params))._id, params.invitationId, actor),
    ),
  );

  r.get(
    '/tenants/:tenant/invitation-settings',
    route({ summary: 'Read how long new invitations last', params: tenantParams, response: settingsBody }, async ({ params }) => ({
      expirySeconds: await invitations.expirySeconds((await tenantOf(params))._id),
    })),
  );
  r.put(
    '/tenants/:tenant/invitation-settings',
    route({ summary: 'Set how long new invitations last', params: tenantParams, body: settingsBody, response: settingsBody }, async ({ params, body }) => ({
      expirySeconds: await invitations.setExpirySeconds((await tenantOf(params))._id, body.expirySeconds, actor),
    })),
  );
  return r;
}
