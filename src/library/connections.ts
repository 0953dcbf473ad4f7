import type { Types } from 'mongoose';
import type { Store } from '../store/store';
import { DEFAULT_SIGNATURE_POLICY } from '../domain/samlSignatures';
import { oidcUrls } from './oidcConnections';
import { samlUrls } from './samlUrls';

/** A tenant's connections of every protocol, as the admin API lists them and the console signs admins in through them. */
export function createConnectionLibrary(store: Store, publicUrl: string) {
  return {
    async listForTenant(tenantId: Types.ObjectId) {
      const [saml, oidc] = await Promise.all([store.connections.samlsByAge(tenantId), store.connections.oidcsByAge(tenantId)]);
      return [
        ...saml.map((c) => ({
          id: String(c._id),
          kind: 'saml' as const,
          name: c.name,
          enabled: c.enabled,
          loginUrl: samlUrls(publicUrl, String(c._id)).loginUrl,
          signatures: c.signatures ?? DEFAULT_SIGNATURE_POLICY,
        })),
        ...oidc.map((c) => ({
          id: String(c._id),
          kind: 'oidc' as const,
          name: c.name,
          enabled: c.enabled,
          loginUrl: oidcUrls(publicUrl, String(c._id)).loginUrl,
          signatures: null,
        })),
      ];
    },

    /** Where a tenant's people sign in: its oldest enabled SAML connection, else its oldest enabled OIDC one. */
    async signInConnection(tenantId: Types.ObjectId): Promise<{ kind: 'saml' | 'oidc'; id: string } | null> {
      const saml = await store.connections.oldestEnabledSaml(tenantId);
      if (saml) return { kind: 'saml', id: String(saml._id) };
      const oidc = await store.connections.oldestEnabledOidc(tenantId);
      return oidc ? { kind: 'oidc', id: String(oidc._id) } : null;
    },
  };
}
