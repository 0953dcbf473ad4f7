import type { Types } from 'mongoose';
import type { Store } from '../store/store';
import { emailDomain } from '../domain/email';
import { samlUrls } from './samlUrls';

/** How someone signs in to a tenant: the tenant's SSO connection that governs the address, or a code by email. */
export type SsoRoute = { kind: 'saml'; loginUrl: string } | { kind: 'oidc'; loginUrl: string } | { kind: 'email' };

/**
 * SSO governs an address in a tenant when the tenant verified its domain and
 * has an enabled SAML or OIDC connection allowed to assert it: the person
 * must sign in there (an invitation or an email code is no way around it).
 */
export async function ssoRouteOf(store: Pick<Store, 'tenants' | 'connections'>, publicUrl: string, tenantId: Types.ObjectId, email: string): Promise<SsoRoute> {
  const domain = emailDomain(email);
  const tenant = await store.tenants.domainsOf(tenantId);
  if (!(tenant?.domains ?? []).some((d) => d.verified && d.domain === domain)) return { kind: 'email' };
  const governs = (c: { enabled: boolean; allowedDomains?: string[] | null }) =>
    c.enabled && (!c.allowedDomains || c.allowedDomains.length === 0 || c.allowedDomains.includes(domain));
  const saml = (await store.connections.samlsOf(tenantId)).find(governs);
  if (saml) return { kind: 'saml', loginUrl: samlUrls(publicUrl, String(saml._id)).loginUrl };
  const oidc = (await store.connections.oidcsOf(tenantId)).find(governs);
  if (oidc) return { kind: 'oidc', loginUrl: `${publicUrl}/sso/oidc/${String(oidc._id)}/login` };
  return { kind: 'email' };
}
