import type { Types } from 'mongoose';
import type { Models } from './models';
import { identityKey } from './models/identity';
import { membershipKey } from './models/membership';

/** A sign-in code as stored (hashed), under an address or an invitation. */
export interface StoredEmailCode {
  codeHash: string;
  tenantId: Types.ObjectId;
  attempts: number;
  expiresAt: Date;
}

/** Email sign-in: a tenant's email connection, the one-time codes, and what a named tenant's check reads. */
export function createEmailSignInStore(models: Models) {
  return {
    /** The tenant's email connection, whether enabled or not. */
    connectionOf: (tenantId: Types.ObjectId) => models.emailConnections.findOne({ tenantId }).lean(),
    /** The tenant's email connection, created (enabled) when it has none. */
    createConnection: (tenantId: Types.ObjectId) =>
      models.emailConnections.findOneAndUpdate({ tenantId }, { $setOnInsert: { enabled: true } }, { upsert: true, new: true }).lean(),
    /** The tenant's email connection when it is enabled. */
    enabledConnectionOf: (tenantId: Types.ObjectId) => models.emailConnections.findOne({ tenantId, enabled: true }).lean(),
    /** Switch the tenant's email connection on or off; switching on creates it when missing. */
    setEnabled: (tenantId: Types.ObjectId, enabled: boolean) => models.emailConnections.updateOne({ tenantId }, { $set: { enabled } }, { upsert: enabled }),
    /** The identity of `email` at an email connection (by `_id`). */
    identityOf: (connectionId: string, email: string) => models.identities.findById(identityKey(connectionId, email)).lean(),
    /** An account's membership of a tenant (by `_id`). */
    membershipOf: (tenantId: string, userId: string) => models.memberships.findById(membershipKey(tenantId, userId)).lean(),
    /** Store a code under `key`, replacing the one there (fresh tries). */
    saveCode: (key: string, code: StoredEmailCode) => models.emailCodes.findOneAndUpdate({ _id: key }, { $set: code }, { upsert: true }),
    /** The code stored under `key`. */
    codeOf: (key: string) => models.emailCodes.findById(key).lean(),
    /** Delete the code under `key`. */
    deleteCode: (key: string) => models.emailCodes.deleteOne({ _id: key }),
    /** Spend the code under `key` if it is still this one: true for the one caller that deleted it. */
    spendCode: async (key: string, codeHash: string) => (await models.emailCodes.deleteOne({ _id: key, codeHash })).deletedCount === 1,
    /** Count a wrong try of the code under `key`. */
    setAttempts: (key: string, attempts: number) => models.emailCodes.updateOne({ _id: key }, { $set: { attempts } }),
    /** Put a spent code back as it was (unless a new one was issued meanwhile). */
    restoreCode: (key: string, code: StoredEmailCode) => models.emailCodes.updateOne({ _id: key }, { $setOnInsert: code }, { upsert: true }),
  };
}
