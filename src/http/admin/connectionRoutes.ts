import { Router, type Request } from 'express';
import { z } from 'zod';
import { setConnectionSetting } from '../../db/connections';
import type { Models } from '../../db/models';
import type { createConnectionLibrary } from '../../library/connections';
import type { createTenantLibrary } from '../../library/tenants';
import { parseInput } from '../validate';
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
  const tenantOf = async (req: Request) => tenants.bySlug(parseInput(tenantParams, req.params, 'params').tenant);

  r.get('/tenants/:tenant/connections', async (req, res) => {
    const tenant = await tenantOf(req);
    res.json({ data: z.array(connectionOut).parse(await connections.listForTenant(tenant._id)) });
  });

  /** Disabling stops new sign-ins through the connection at once (login and callback refuse; runs deny). */
  r.patch('/tenants/:tenant/connections/:connectionId', async (req, res) => {
    const tenant = await tenantOf(req);
    const { connectionId } = parseInput(connectionParams, req.params, 'params');
    const { enabled } = parseInput(enabledBody, req.body, 'body');
    await setConnectionSetting(models, tenant._id, connectionId, 'enabled', enabled, enabled ? 'connection.enabled' : 'connection.disabled', actor);
    res.json({ id: connectionId, enabled });
  });

  return r;
}
