import { Types } from 'mongoose';
import { open, seal } from '../crypto/secretBox';
import type { OidcConnectionRow } from '../store/connections';
import type { Store } from '../store/store';
import { conflict, isDuplicateKeyError, notFound } from '../errors';

export interface OidcConnectionInput {
  name: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
  scopes: string[];
  claimMapping: { email: string; emailVerified: string; name: string; groups: string };
  linkPolicy: 'auto' | 'approval' | 'deny' | null;
  allowedDomains: string[] | null;
}

export const oidcUrls = (publicUrl: string, id: string) => ({
  loginUrl: `${publicUrl}/sso/oidc/${id}/login`,
  redirectUri: `${publicUrl}/sso/oidc/${id}/callback`,
});

/** A tenant's OIDC connections (admin API); the client secret is sealed at rest and never returned. */
export function createOidcConnectionLibrary(store: Store, publicUrl: string, encryptionKey: Buffer) {
  const present = (conn: OidcConnectionRow & { createdAt?: Date }) => ({
    id: String(conn._id),
    tenantId: String(conn.tenantId),
    name: conn.name,
    enabled: conn.enabled,
    issuer: conn.issuer,
    clientId: conn.clientId,
    scopes: [...conn.scopes],
    claimMapping: {
      email: conn.claimMapping?.email ?? 'email',
      emailVerified: conn.claimMapping?.emailVerified ?? 'email_verified',
      name: conn.claimMapping?.name ?? 'name',
      groups: conn.claimMapping?.groups ?? 'groups',
    },
    linkPolicy: conn.linkPolicy ?? null,
    allowedDomains: conn.allowedDomains ? [...conn.allowedDomains] : null,
    ...oidcUrls(publicUrl, String(conn._id)),
    createdAt: conn.createdAt ?? new Date(0),
  });

  return {
    present,

    async create(tenantId: Types.ObjectId, input: OidcConnectionInput, actor: { type: 'admin'; id: string | null }) {
      const { clientSecret, ...rest } = input;
      let conn;
      try {
        conn = await store.connections.createOidc({ _id: new Types.ObjectId(), tenantId, ...rest, clientSecretSealed: seal(encryptionKey, clientSecret) });
      } catch (err) {
        if (isDuplicateKeyError(err)) throw conflict('connection_exists', `this tenant already has a connection for issuer ${input.issuer}`);
        throw err;
      }
      await store.audit.recordAction({
        tenantId: String(tenantId),
        actor,
        action: 'connection.created',
        target: { type: 'oidc_connection', id: String(conn._id) },
        after: { name: input.name, issuer: input.issuer, clientId: input.clientId, scopes: input.scopes },
      });
      return present(conn);
    },

    /** The tenant's connection as the admin API shows it, or 404. */
    async get(tenantId: Types.ObjectId, id: string) {
      const conn = Types.ObjectId.isValid(id) ? await store.connections.oidcOfTenant(tenantId, id) : null;
      if (!conn) throw notFound('OIDC connection of this tenant');
      return present(conn as OidcConnectionRow & { createdAt: Date });
    },

    async byId(id: string) {
      if (!Types.ObjectId.isValid(id) || id.length !== 24) return null;
      return store.connections.oidcById(id);
    },

    clientSecret: (conn: Pick<OidcConnectionRow, 'clientSecretSealed'>): string => open(encryptionKey, conn.clientSecretSealed),
  };
}
