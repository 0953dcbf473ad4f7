import type { Types } from 'mongoose';
import type { Models } from '../store/models';
import { DEFAULT_SIGNATURE_POLICY } from '../domain/samlSignatures';
import { oidcUrls } from './oidcConnections';
import { samlUrls } from './samlUrls';

/** A tenant's connections of every protocol, as the admin API lists them and the console signs admins in through them. */
export function createConnectionLibrary(models: Models, publicUrl: string) {
  return {
    async listForTenant(tenantId: Types.ObjectId) {
      const [saml, oidc] = await Promise.all([
        models.samlConnections.find({ tenantId }).sort({ createdAt: 1 }).lean(),
        models.oidcConnections.find({ tenantId }).sort({ createdAt: 1 }).lean(),
      ]);
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
      const saml = await models.samlConnections.findOne({ tenantId, enabled: true }).sort({ createdAt: 1 }).lean();
      if (saml) return { kind: 'saml', id: String(saml._id) };
      const oidc = await models.oidcConnections.findOne({ tenantId, enabled: true }).sort({ createdAt: 1 }).lean();
      return oidc ? { kind: 'oidc', id: String(oidc._id) } : null;
    },
  };
}
