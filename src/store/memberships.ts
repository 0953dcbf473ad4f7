import type { Types } from 'mongoose';
import type { Models } from './models';
import type { RunRef } from '../domain/runRef';
import { removeMemberSearch } from './memberSearch';
import { membershipKey } from './models/membership';

export { membershipKey };

/** Memberships as the admin libraries look them up: by member, or by the account holding an email. */
export function createMembershipStore(models: Models) {
  return {
    /** The membership of `userId` in the tenant, read by its key, or null. */
    byKey: (tenantId: Types.ObjectId | string, userId: string) => models.memberships.findById(membershipKey(String(tenantId), userId)).lean(),
    /** The membership of `userId` in the tenant, found by its fields, or null. */
    findByUser: (tenantId: Types.ObjectId, userId: string) => models.memberships.findOne({ tenantId, userId }).lean(),
    /** The tenant's membership of the account that holds `email` (the email's claim, then the membership), or null. */
    ofEmail: async (tenantId: Types.ObjectId, email: string) => {
      const claim = await models.userEmails.findById(email).lean();
      return claim ? models.memberships.findById(membershipKey(String(tenantId), String(claim.userId))).lean() : null;
    },
    /** Set a membership's status, who suspended it (null: nobody) and the run that changed it. */
    setStatus: async (_id: string, status: 'active' | 'suspended', suspendedBy: string | null, statusChangedBy: RunRef) => {
      await models.memberships.updateOne({ _id }, { $set: { status, suspendedBy, statusChangedBy } });
    },
    /** removeMemberSearch: the membership's search document goes. */
    removeSearch: (_id: string) => removeMemberSearch(models, _id),
    /** Delete the membership with this key. */
    remove: async (_id: string) => {
      await models.memberships.deleteOne({ _id });
    },
  };
}
