import { Router } from 'express';
import { z } from 'zod';
import { setConnectionSetting } from '../../db/connections';
import type { Models } from '../../db/models';
import type { createConnectionLibrary } from '../../library/connections';
import type { createTenantLibrary } from '../../library/tenants';
import { route } from '../route';
import { connectionParams, tenantParams } from './schemas';

export interface ConnectionRouterDeps {
  models: Models;
  tenants: ReturnType<typeof createTenantLibrary>;
  connections: ReturnType<typeof createConnectionLibrary>;
  actor: { type: 'admin'; id: string | null };
}

const connectionOut = z.object({
  id: z.string(),
  kind: z.enum(['saml', 'oidc']),
  name: z.string(),
  enabled: z.boolean(),
  loginUrl: z.string(),
  /** SAML: which signatures a response must carry (`either`, `assertion`, `response`, `both`); null for OIDC. */
  signatures: z.string().nullable(),
});
const enabledBody = z.strictObject({ enabled: z.boolean() });

/** A tenant's connections of every protocol: list, enable, disable (mounted inside the admin router). */
export function connectionRouter({ models, tenants, connections, actor }: ConnectionRouterDeps): Router {
  const r = Router();
  const tenantOf = (params: { tenant: string }) => tenants.bySlug(params.tenant);

  r.get(
    '/tenants/:tenant/connections',
    route({ summary: "List the tenant's connections (SAML and OIDC)", params: tenantParams, response: z.object({ data: z.array(connectionOut) }) }, async ({ params }) => ({
      data: await connections.listForTenant((await tenantOf(params))._id),
    })),
  );

  /** Disabling stops new sign-ins through the connection at once (login and callback refuse; runs deny). */
  r.patch(
    '/tenants/:tenant/connections/:connectionId',
    route({ summary: 'Enable or disable a connection', params: connectionParams, body: enabledBody, response: z.object({ id: z.string(), enabled: z.boolean() }) }, async ({ params, body }) => {
      const { enabled } = body;
      await setConnectionSetting(models, (await tenantOf(params))._id, params.connectionId, 'enabled', enabled, enabled ? 'connection.enabled' : 'connection.disabled', actor);
      return { id: params.connectionId, enabled };
    }),
  );

  return r;
}
