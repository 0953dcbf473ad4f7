import type { Models } from './models';
import { membershipKey } from './models/membership';

/** Directory holds (keyed by membership key): a person a directory removed, whom sign-ins must not add back. */
export function createDirectoryHoldStore(models: Models) {
  return {
    /** Put the directory's hold on the membership key `_id` (kept as it is when one exists). */
    hold: async (_id: string, directoryId: string) => {
      await models.directoryHolds.updateOne({ _id }, { $setOnInsert: { directoryId } }, { upsert: true });
    },
    /** Lift the hold on the membership key `_id`. */
    release: async (_id: string) => {
      await models.directoryHolds.deleteOne({ _id });
    },
    /** The hold on the membership of `userId` in the tenant (read by the membership's key), or null. */
    ofMember: (tenantId: string, userId: string) => models.directoryHolds.findById(membershipKey(tenantId, userId)).lean(),
  };
}
