import type { CacheItem, CacheProvider } from '@node-saml/node-saml';
import type { Models } from '../../db/models';

/**
 * node-saml's InResponseTo cache, shared by every app instance through
 * MongoDB. Keys are scoped to the connection; expiry is explicit (no TTL
 * indexes on FerretDB v1) and enforced on read.
 */
export function mongoCacheProvider(models: Models, connectionId: string, ttlMs: number): CacheProvider {
  const scoped = (key: string) => `${connectionId}:${key}`;
  return {
    async saveAsync(key: string, value: string): Promise<CacheItem | null> {
      const createdAt = new Date();
      await models.samlRequests.updateOne(
        { _id: scoped(key) },
        { $setOnInsert: { value, createdAt, expiresAt: new Date(createdAt.getTime() + ttlMs) } },
        { upsert: true },
      );
      return { value, createdAt: createdAt.getTime() };
    },
    async getAsync(key: string): Promise<string | null> {
      const doc = await models.samlRequests.findOne({ _id: scoped(key), expiresAt: { $gt: new Date() } }).lean();
      return doc ? doc.value : null;
    },
    async removeAsync(key: string | null): Promise<string | null> {
      if (key === null) return null;
      const doc = await models.samlRequests.findOneAndDelete({ _id: scoped(key) }).lean();
      return doc ? doc.value : null;
    },
  };
}
