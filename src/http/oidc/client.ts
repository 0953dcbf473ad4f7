import * as oidc from 'openid-client';
import type { OidcConnectionDoc } from '../../store/models/oidcConnection';
import { OnrampError } from '../../errors';

const TTL_MS = 10 * 60_000;
/** The most onramp reads of any answer from an OpenID Provider (discovery, JWKS, token, userinfo). */
export const MAX_OP_RESPONSE_BYTES = 512 * 1024;

export const responseTooLarge = (url: string): OnrampError =>
  new OnrampError(
    'oidc_response_too_large',
    `The identity provider's answer from ${new URL(url).pathname} is larger than ${MAX_OP_RESPONSE_BYTES / 1024} KiB; onramp refused it.`,
    {
      status: 401,
    },
  );

/**
 * fetch for openid-client that stops reading an answer past `limit` bytes
 * (a misbehaving or hostile provider cannot make onramp buffer megabytes) and
 * never follows redirects.
 */
export function cappedFetch(limit: number) {
  return async (url: string, options: oidc.CustomFetchOptions): Promise<Response> => {
    const res = await fetch(url, { ...(options as RequestInit), redirect: 'manual' });
    const declared = Number(res.headers.get('content-length') ?? '0');
    if (declared > limit) {
      await res.body?.cancel();
      throw responseTooLarge(url);
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    const reader = res.body?.getReader();
    for (;;) {
      const next = await reader?.read();
      if (!next || next.done) break;
      size += next.value.byteLength;
      if (size > limit) {
        await reader?.cancel();
        throw responseTooLarge(url);
      }
      chunks.push(next.value);
    }
    return new Response(res.body ? Buffer.concat(chunks) : null, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
}

/**
 * openid-client configurations by connection (discovery once per 10 minutes).
 * ID token signatures are always verified against the provider's JWKS
 * (`enableNonRepudiationChecks`; the JWKS is cached and fetched again when a
 * token names an unknown key), even over TLS where the spec would let the
 * channel stand in. `allowHttp` lets development and tests talk to an issuer
 * on plain HTTP.
 */
export function createOidcClients(opts: { allowHttp: boolean; clientSecret: (conn: OidcConnectionDoc) => string }) {
  const cache = new Map<string, { at: number; key: string; config: Promise<oidc.Configuration> }>();
  const customFetch = cappedFetch(MAX_OP_RESPONSE_BYTES);
  return {
    async config(conn: OidcConnectionDoc): Promise<oidc.Configuration> {
      const id = String(conn._id);
      const key = `${conn.issuer}\u0000${conn.clientId}\u0000${conn.clientSecretSealed}`;
      const hit = cache.get(id);
      if (hit && hit.key === key && Date.now() - hit.at < TTL_MS) return hit.config;
      const config = oidc
        .discovery(new URL(conn.issuer), conn.clientId, undefined, oidc.ClientSecretBasic(opts.clientSecret(conn)), {
          execute: [...(opts.allowHttp ? [oidc.allowInsecureRequests] : []), oidc.enableNonRepudiationChecks],
          timeout: 10,
          [oidc.customFetch]: customFetch,
        })
        .then((c) => {
          c[oidc.customFetch] = customFetch;
          return c;
        });
      cache.set(id, { at: Date.now(), key, config });
      config.catch(() => cache.delete(id)); // a failed discovery is retried next time
      return config;
    },
  };
}

export type OidcClients = ReturnType<typeof createOidcClients>;
