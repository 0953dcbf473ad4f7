import type { Types } from 'mongoose';
import { keyedCollection } from './keyed';
import type { Models } from './models';
import { identityKey, type IdentityDoc } from './models/identity';

export { identityKey };

/** An account's linked IdP identities. */
export function createIdentityStore(models: Models) {
  return {
    /** Every identity of the account (any tenant), oldest first. */
    ofUser: (userId: string) => models.identities.find({ userId }).sort({ createdAt: 1 }).lean(),
    /** Delete the account's identity `id` at the tenant; returns it, or null when there is none. */
    unlink: (tenantId: Types.ObjectId, userId: string, id: string) => models.identities.findOneAndDelete({ _id: id, userId, tenantId }).lean(),
    /** Identities linked once under their key (activities' insert-once). */
    keyed: keyedCollection<IdentityDoc>(models.identities),
    /** The identity of (connection, subject), read by its key, or null. */
    byKey: (connectionId: string, subject: string) => models.identities.findById(identityKey(connectionId, subject)).lean(),
  };
}
