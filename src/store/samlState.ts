import type { Models } from './models';

/** A key scoped to its connection: `<connection>:<key>`. */
const scoped = (connectionId: string, key: string) => `${connectionId}:${key}`;

/** Short-lived SAML state: AuthnRequest IDs awaiting their response, assertion IDs already used (by `_id`, expiry explicit). */
export function createSamlStateStore(models: Models) {
  return {
    /** Keep a request ID's value until `expiresAt`; a request ID already kept is left as it is. */
    saveRequest: (connectionId: string, requestId: string, value: string, createdAt: Date, expiresAt: Date) =>
      models.samlRequests.updateOne({ _id: scoped(connectionId, requestId) }, { $setOnInsert: { value, createdAt, expiresAt } }, { upsert: true }),
    /** A kept request ID (by `_id` alone: the only filter FerretDB's SQLite backend looks up by index), expired or not. */
    requestOf: (connectionId: string, requestId: string) => models.samlRequests.findById(scoped(connectionId, requestId)).lean(),
    /** Forget a request ID. */
    removeRequest: (connectionId: string, requestId: string) => models.samlRequests.deleteOne({ _id: scoped(connectionId, requestId) }),
    /** Mark an assertion ID used until `expiresAt`: a plain insert, which a second use refuses with the driver's duplicate-key error. */
    useAssertion: async (connectionId: string, assertionId: string, expiresAt: Date) => {
      await models.usedAssertions.create({ _id: scoped(connectionId, assertionId), connectionId, assertionId, expiresAt });
    },
    /** Give an assertion ID back (unused again). */
    releaseAssertion: (connectionId: string, assertionId: string) => models.usedAssertions.deleteOne({ _id: scoped(connectionId, assertionId) }),
  };
}
