import type { Store } from '../store/store';
import { isDuplicateKeyError, OnrampError, retryTransient } from '../errors';

/**
 * Short-lived SAML state shared by every app instance: AuthnRequest IDs
 * awaiting their response (InResponseTo) and assertion IDs already used.
 * Keys are scoped to the connection; expiry is explicit (no TTL indexes on
 * FerretDB v1), checked on read and swept by the sweeper.
 */
export function createSamlStateLibrary(store: Store) {
  return {
    async saveRequest(connectionId: string, requestId: string, value: string, ttlMs: number): Promise<Date> {
      const createdAt = new Date();
      await store.samlState.saveRequest(connectionId, requestId, value, createdAt, new Date(createdAt.getTime() + ttlMs));
      return createdAt;
    },

    async findRequest(connectionId: string, requestId: string): Promise<string | null> {
      // By `_id` alone (the only filter FerretDB's SQLite backend looks up by index); expiry checked here.
      const doc = await store.samlState.requestOf(connectionId, requestId);
      return doc && doc.expiresAt > new Date() ? doc.value : null;
    },

    async removeRequests(connectionId: string, requestIds: readonly string[]): Promise<void> {
      // One delete per `_id` (a few): FerretDB v1 pushes no `$in` down.
      await Promise.all(requestIds.map((k) => store.samlState.removeRequest(connectionId, k)));
    },

    /**
     * One-time use of an assertion ID: the document `<connection>:<assertion ID>`
     * turns a replay into a duplicate key (`saml_replayed`, 401). Returns how to
     * give it back when the sign-in then fails on the infrastructure.
     */
    async consumeAssertion(connectionId: string, assertionId: string, keepMs: number): Promise<() => Promise<void>> {
      try {
        await store.samlState.useAssertion(connectionId, assertionId, new Date(Date.now() + keepMs));
      } catch (err) {
        if (isDuplicateKeyError(err)) throw new OnrampError('saml_replayed', 'This SAML response was already used', { status: 401 });
        throw err;
      }
      return async () => {
        await retryTransient(() => store.samlState.releaseAssertion(connectionId, assertionId), 5, 100);
      };
    },
  };
}

export type SamlStateLibrary = ReturnType<typeof createSamlStateLibrary>;
