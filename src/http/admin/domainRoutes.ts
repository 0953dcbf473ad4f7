import { Router } from 'express';
import { z } from 'zod';
import type { createDomainLibrary } from '../../library/domains';
import type { createTenantLibrary } from '../../library/tenants';
import { route } from '../route';
import { domainName, tenantParams } from './schemas';

export interface DomainRouterDeps {
  tenants: ReturnType<typeof createTenantLibrary>;
  domains: ReturnType<typeof createDomainLibrary>;
  actor: { type: 'admin'; id: string | null };
}

const domainParams = tenantParams.extend({ domain: domainName });
const addDomainBody = z.strictObject({ domain: domainName });
const domainJitBody = z.strictObject({ enabled: z.boolean() });
const domainJitOut = z.object({ enabled: z.boolean() });
const domainOut = z.object({
  domain: z.string(),
  verified: z.boolean(),
  verifiedAt: z.date().nullable(),
  txtRecord: z.object({ name: z.string(), value: z.string() }).nullable(),
});

/** Email domains proved by DNS TXT, and domain JIT (mounted inside the admin router). */
export function domainRouter({ tenants, domains, actor }: DomainRouterDeps): Router {
  const r = Router();
  const tenantOf = (params: { tenant: string }) => tenants.bySlug(params.tenant);

  r.get(
    '/tenants/:tenant/domains',
    route(
      { summary: "List the tenant's email domains and their DNS proof", params: tenantParams, response: z.object({ data: z.array(domainOut) }) },
      async ({ params }) => ({ data: await domains.list((await tenantOf(params))._id) }),
    ),
  );

  r.post(
    '/tenants/:tenant/domains',
    route(
      {
        summary: 'Add an email domain (answers the TXT record that proves it)',
        params: tenantParams,
        body: addDomainBody,
        response: domainOut,
        status: 201,
        errors: [409],
      },
      async ({ params, body }) => domains.add((await tenantOf(params))._id, body.domain, actor),
    ),
  );

  r.post(
    '/tenants/:tenant/domains/:domain/verify',
    route({ summary: 'Verify a domain by its DNS TXT record', params: domainParams, response: domainOut, errors: [409, 422] }, async ({ params }) =>
      domains.verify((await tenantOf(params))._id, params.domain, actor),
    ),
  );

  r.delete(
    '/tenants/:tenant/domains/:domain',
    route({ summary: 'Remove an email domain', params: domainParams, status: 204 }, async ({ params }) => {
      await domains.remove((await tenantOf(params))._id, params.domain, actor);
    }),
  );

  r.put(
    '/tenants/:tenant/domain-jit',
    route(
      { summary: 'Turn domain JIT (and email sign-in) on or off', params: tenantParams, body: domainJitBody, response: domainJitOut },
      async ({ params, body }) => domains.setDomainJit((await tenantOf(params))._id, body.enabled, actor),
    ),
  );

  return r;
}
