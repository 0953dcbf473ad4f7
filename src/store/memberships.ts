import type { Types } from 'mongoose';
import type { Models } from './models';
import type { RunRef } from '../domain/runRef';
import { insertManyOnce } from './insertMany';
import { keyedCollection } from './keyed';
import { removeMemberSearch, syncMemberSearch, writeMemberSearch, type MemberSearchEntry } from './memberSearch';
import { membershipKey, type MembershipDoc } from './models/membership';

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
    /** Memberships created once under their key (activities' insert-once). */
    keyed: keyedCollection<MembershipDoc>(models.memberships),
    /** syncMemberSearch: the membership's search document, recomputed from its account. */
    syncSearch: (m: { membershipId: string; tenantId: string; userId: string }) => syncMemberSearch(models, m),
    /** The tenant's active memberships holding `role` directly. */
    activeWithRole: (tenantId: Types.ObjectId, role: string) => models.memberships.find({ tenantId, roles: role, status: 'active' }).lean(),
    /** The active memberships among these `_id`s (one `$in` read). */
    activeByIds: (ids: readonly string[]) => models.memberships.find({ _id: { $in: ids }, status: 'active' }).lean(),
    /** Insert memberships in one unordered command; answers the keys refused as taken (insertManyOnce). */
    insertMany: (docs: ReadonlyArray<{ _id: string }>) => insertManyOnce(models.memberships, docs),
    /** writeMemberSearch: the search documents of new memberships, from the accounts' email and name as given. */
    writeSearch: (entries: readonly MemberSearchEntry[]) => writeMemberSearch(models, entries),
  };
}
