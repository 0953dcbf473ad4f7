import { Router, type Request } from 'express';
import { z } from 'zod';
import type { EventLibrary } from '../../library/events';
import type { createTenantLibrary } from '../../library/tenants';
import type { WebhookLibrary, WebhookScope } from '../../library/webhooks';
import { route } from '../route';
import { tenantParams } from './schemas';
import {
  attemptOut,
  attemptsQuery,
  createEndpointBody,
  endpointId,
  endpointOut,
  endpointWithSecretOut,
  eventPageOut,
  eventsQuery,
  replayBody,
  requestOut,
  resendBody,
  rotateSecretBody,
  updateEndpointBody,
} from './webhookSchemas';

export interface WebhookRouterDeps {
  tenants: ReturnType<typeof createTenantLibrary>;
  webhooks: WebhookLibrary;
  events: EventLibrary;
  actor: { type: 'admin'; id: string | null };
}

/**
 * Webhook endpoints and the events API, once per scope: a
 * tenant's (`/tenants/:tenant/…`) and the operator's (`/webhooks`,
 * `/events`: every tenant's events). The same library answers both.
 */
export function webhookRouter({ tenants, webhooks, events, actor }: WebhookRouterDeps): Router {
  const r = Router();
  const scopes: Array<{
    prefix: string;
    what: string;
    params: z.ZodType<object>;
    one: z.ZodType<{ endpointId: string }>;
    scope: (p: Request['params']) => Promise<WebhookScope>;
  }> = [
    {
      prefix: '/tenants/:tenant',
      what: 'a tenant',
      params: tenantParams,
      one: tenantParams.extend({ endpointId }),
      scope: async (p) => String((await tenants.bySlug(String(p.tenant)))._id),
    },
    { prefix: '', what: 'every tenant', params: z.object({}), one: z.object({ endpointId }), scope: async () => null },
  ];
  for (const { prefix, what, params, one, scope } of scopes) {
    r.get(
      `${prefix}/events`,
      route(
        { summary: `The events of ${what} after a cursor, in order (the events API)`, params, query: eventsQuery, response: eventPageOut },
        async ({ req, query }) => events.list(await scope(req.params), query),
      ),
    );
    r.post(
      `${prefix}/webhooks`,
      route(
        {
          summary: `Add a webhook endpoint for the events of ${what} (the signing secret is answered only here)`,
          params,
          body: createEndpointBody,
          response: endpointWithSecretOut,
          status: 201,
        },
        async ({ req, body }) => webhooks.create(await scope(req.params), body, actor),
      ),
    );
    r.get(
      `${prefix}/webhooks`,
      route({ summary: `List the webhook endpoints of ${what}`, params, response: z.object({ data: z.array(endpointOut) }) }, async ({ req }) => ({
        data: await webhooks.list(await scope(req.params)),
      })),
    );
    r.get(
      `${prefix}/webhooks/:endpointId`,
      route({ summary: 'Get a webhook endpoint', params: one, response: endpointOut }, async ({ req, params }) =>
        webhooks.get(await scope(req.params), params.endpointId),
      ),
    );
    r.patch(
      `${prefix}/webhooks/:endpointId`,
      route(
        { summary: 'Change a webhook endpoint (URL, types, description, enabled)', params: one, body: updateEndpointBody, response: endpointOut },
        async ({ req, params, body }) => webhooks.update(await scope(req.params), params.endpointId, body, actor),
      ),
    );
    r.delete(
      `${prefix}/webhooks/:endpointId`,
      route({ summary: 'Delete a webhook endpoint', params: one, status: 204 }, async ({ req, params }) =>
        webhooks.remove(await scope(req.params), params.endpointId, actor),
      ),
    );
    r.post(
      `${prefix}/webhooks/:endpointId/rotate-secret`,
      route(
        {
          summary: 'Rotate the signing secret (the old one keeps signing during the overlap)',
          params: one,
          body: rotateSecretBody,
          response: endpointWithSecretOut,
        },
        async ({ req, params, body }) => webhooks.rotateSecret(await scope(req.params), params.endpointId, body.overlapSeconds, actor),
      ),
    );
    r.get(
      `${prefix}/webhooks/:endpointId/attempts`,
      route(
        { summary: 'The delivery log: attempts, newest first', params: one, query: attemptsQuery, response: z.object({ data: z.array(attemptOut) }) },
        async ({ req, params, query }) => ({
          data: await webhooks.attempts(await scope(req.params), params.endpointId, query),
        }),
      ),
    );
    r.post(
      `${prefix}/webhooks/:endpointId/resend`,
      route(
        { summary: 'Send one event to the endpoint again', params: one, body: resendBody, response: requestOut, status: 202 },
        async ({ req, params, body }) => webhooks.resend(await scope(req.params), params.endpointId, body.eventId, actor),
      ),
    );
    r.post(
      `${prefix}/webhooks/:endpointId/replay`,
      route(
        { summary: 'Send every event after a cursor to the endpoint again, in order', params: one, body: replayBody, response: requestOut, status: 202 },
        async ({ req, params, body }) => webhooks.replay(await scope(req.params), params.endpointId, body.after, actor),
      ),
    );
  }
  return r;
}
