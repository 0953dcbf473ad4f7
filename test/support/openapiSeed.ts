import { z } from 'zod';
import { newIdp, type Harness } from './harness';

/**
 * Real resources of one tenant for a run against the admin API's document:
 * their ids become the path parameters, so operations reach their handlers
 * rather than "not found". Answers the value of each path parameter by name.
 */
export async function seedTenantForApiRun(h: Harness, tenant: string): Promise<Record<string, string>> {
  const call = async <S extends z.ZodType>(method: string, path: string, body: unknown, status: number, shape: S): Promise<z.output<S>> => {
    const res = await h.admin(method, `/tenants/${tenant}${path}`, body);
    if (res.status !== status) throw new Error(`seeding ${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return shape.parse(res.body);
  };
  const id = z.object({ id: z.string() });
  const domain = `${tenant}.test`;

  await h.createTenant(tenant);
  await call('PUT', '/domains', { domains: [{ domain, verified: true }] }, 200, z.unknown());
  const saml = await h.createSamlConnection(tenant, newIdp(tenant));
  const keys = await call('GET', `/connections/saml/${saml.id}`, undefined, 200, z.object({ spSigningCertificates: z.array(id).min(1) }));
  const directory = await call('POST', '/directories', { name: 'Directory' }, 201, id.extend({ tokens: z.array(id).min(1) }));
  await call('POST', '/groups', { name: 'engineering', roles: [] }, 201, z.unknown());
  const member = await call(
    'POST',
    '/members',
    { email: `ann@${domain}`, name: 'Ann', groups: ['engineering'] },
    201,
    z.object({ member: z.object({ userId: z.string() }) }),
  );
  const invitation = await call('POST', '/invitations', { email: `bob@${domain}` }, 201, z.object({ invitation: id }));
  const upload = await fetch(`${h.url}/api/admin/tenants/${tenant}/imports`, {
    method: 'POST',
    headers: { authorization: `Bearer ${h.adminToken}`, 'content-type': 'text/csv' },
    body: `email,name\ncy@${domain},Cy\n`,
  });
  if (upload.status !== 202) throw new Error(`seeding an import: ${upload.status} ${await upload.text()}`);
  const started = z.object({ import: id }).parse(await upload.json());
  // A webhook endpoint whose deliveries go nowhere (the discard port refuses): its routes get a real ID.
  const hook = await call('POST', '/webhooks', { url: 'http://127.0.0.1:9/hook' }, 201, z.object({ endpoint: id }));

  return {
    tenant,
    connectionId: saml.id,
    keyId: keys.spSigningCertificates[0]?.id ?? '',
    directoryId: directory.id,
    tokenId: directory.tokens[0]?.id ?? '',
    group: 'engineering',
    userId: member.member.userId,
    invitationId: invitation.invitation.id,
    importId: started.import.id,
    endpointId: hook.endpoint.id,
    domain,
  };
}
