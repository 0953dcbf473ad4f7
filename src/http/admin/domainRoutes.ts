import { Router, type Request } from 'express';
import { z } from 'zod';
import type { createDomainLibrary } from '../../library/domains';
import type { createTenantLibrary } from '../../library/tenants';
import { parseInput } from '../validate';
import { domainName, tenantParams } from './schemas';

export interface DomainRouterDeps {
  tenants: ReturnType<typeof createTenantLibrary>;
  domains: ReturnType<typeof createDomainLibrary>;
  actor: { type: 'admin'; id: string | null };
}

const domainParams = tenantParams.extend({ domain: domainName });
const addDomainBody = z.strictObject({ domain: domainName });
const domainJitBody = z.strictObject({ enabled: z.boolean() });
const domainOut = z.object({
  domain: z.string(),
  verified: z.boolean(),
  verifiedAt: z.date().nullable(),
  txtRecord: z.object({ name: z.string(), value: z.string() }).nullable(),
});

/** Email domains proved by DNS TXT, and domain JIT (mounted inside the admin router). */
export function domainRouter({ tenants, domains, actor }: DomainRouterDeps): Router {
  const r = Router();
  const tenantOf = async (req: Request) => tenants.bySlug(parseInput(tenantParams, req.params, 'params').tenant);

  r.get('/tenants/:tenant/domains', async (req, res) => {
    res.json({ data: z.array(domainOut).parse(await domains.list((await tenantOf(req))._id)) });
  });

  r.post('/tenants/:tenant/domains', async (req, res) => {
    const tenant = await tenantOf(req);
    const { domain } = parseInput(addDomainBody, req.body, 'body');
    res.status(201).json(domainOut.parse(await domains.add(tenant._id, domain, actor)));
  });

  r.post('/tenants/:tenant/domains/:domain/verify', async (req, res) => {
    const tenant = await tenantOf(req);
    const { domain } = parseInput(domainParams, req.params, 'params');
    res.json(domainOut.parse(await domains.verify(tenant._id, domain, actor)));
  });

  r.delete('/tenants/:tenant/domains/:domain', async (req, res) => {
    const tenant = await tenantOf(req);
    const { domain } = parseInput(domainParams, req.params, 'params');
    await domains.remove(tenant._id, domain, actor);
    res.status(204).end();
  });

  r.put('/tenants/:tenant/domain-jit', async (req, res) => {
    const tenant = await tenantOf(req);
    const { enabled } = parseInput(domainJitBody, req.body, 'body');
    res.json(await domains.setDomainJit(tenant._id, enabled, actor));
  });

  return r;
}
