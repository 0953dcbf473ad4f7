import type { CacheItem, CacheProvider } from '@node-saml/node-saml';
import { isInfrastructureError, serviceUnavailable } from '../../errors';
import type { SamlStateLibrary } from '../../library/samlState';

/**
 * node-saml's InResponseTo cache for one request, shared by every app
 * instance through MongoDB. Keys are scoped to the connection; expiry is
 * explicit (no TTL indexes on FerretDB v1) and enforced on read.
 *
 * Two things differ from a plain cache, so that a database or Temporal
 * failure never spends the user's AuthnRequest:
 * - a database error is raised as `service_unavailable` (503, retryable),
 *   never as a reason to refuse the SAML response;
 * - node-saml's removals (after a successful validation, and after *any*
 *   error, even a database one) are only recorded: the route applies them
 *   with `commit()` once the sign-in has an answer, or drops them with
 *   `keep()` when the infrastructure failed and the user may post again.
 *   A replay in between is stopped by the one-time assertion ID.
 */
export interface RequestScopedCache extends CacheProvider {
  commit(): Promise<void>;
  keep(): void;
}

export function mongoCacheProvider(state: SamlStateLibrary, connectionId: string, ttlMs: number): RequestScopedCache {
  const pending = new Set<string>();
  const guard = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (err) {
      throw isInfrastructureError(err) ? serviceUnavailable(err) : err;
    }
  };
  return {
    saveAsync: (key: string, value: string): Promise<CacheItem | null> =>
      guard(async () => ({ value, createdAt: (await state.saveRequest(connectionId, key, value, ttlMs)).getTime() })),
    getAsync: (key: string): Promise<string | null> =>
      guard(async () => {
        if (pending.has(key)) return null; // removed earlier in this request
        return state.findRequest(connectionId, key);
      }),
    async removeAsync(key: string | null): Promise<string | null> {
      if (key !== null) pending.add(key);
      return key;
    },
    async commit() {
      const keys = [...pending];
      pending.clear();
      await state.removeRequests(connectionId, keys);
    },
    keep() {
      pending.clear();
    },
  };
}
