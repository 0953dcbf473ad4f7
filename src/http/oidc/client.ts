import * as oidc from 'openid-client';
import type { OidcConnectionDoc } from '../../db/models/oidcConnection';

const TTL_MS = 10 * 60_000;

/**
 * openid-client configurations by connection (discovery once per 10 minutes).
 * `allowHttp` lets development and tests talk to an issuer on plain HTTP.
 */
export function createOidcClients(opts: { allowHttp: boolean; clientSecret: (conn: OidcConnectionDoc) => string }) {
  const cache = new Map<string, { at: number; key: string; config: Promise<oidc.Configuration> }>();
  return {
    async config(conn: OidcConnectionDoc): Promise<oidc.Configuration> {
      const id = String(conn._id);
      const key = `${conn.issuer}\u0000${conn.clientId}\u0000${conn.clientSecretSealed}`;
      const hit = cache.get(id);
      if (hit && hit.key === key && Date.now() - hit.at < TTL_MS) return hit.config;
      const config = oidc.discovery(new URL(conn.issuer), conn.clientId, undefined, oidc.ClientSecretBasic(opts.clientSecret(conn)), {
        ...(opts.allowHttp ? { execute: [oidc.allowInsecureRequests] } : {}),
        timeout: 10,
      });
      cache.set(id, { at: Date.now(), key, config });
      config.catch(() => cache.delete(id)); // a failed discovery is retried next time
      return config;
    },
  };
}

export type OidcClients = ReturnType<typeof createOidcClients>;
