import type { Types } from 'mongoose';
import { recordAction } from '../store/audit';
import type { Models } from '../store/models';
import { notFound } from '../errors';

type Actor = { type: 'admin'; id: string | null };

/** An account's linked IdP identities, as a tenant's admin sees and manages them. */
export function createIdentityLibrary(models: Models) {
  const memberOf = async (tenantId: Types.ObjectId, userId: string) => {
    const member = await models.memberships.findOne({ tenantId, userId }).lean();
    if (!member) throw notFound('member');
    return member;
  };

  return {
    /**
     * A member's identities at this tenant's connections, and how many the
     * account has elsewhere (other tenants' subjects are not this admin's to see).
     */
    async listForMember(tenantId: Types.ObjectId, userId: string) {
      await memberOf(tenantId, userId);
      const all = await models.identities.find({ userId }).sort({ createdAt: 1 }).lean();
      const mine = all.filter((i) => String(i.tenantId) === String(tenantId));
      return {
        linkedElsewhere: all.length - mine.length,
        data: mine.map((i) => ({
          id: i._id,
          connectionId: String(i.connectionId),
          tenantId: String(i.tenantId),
          subject: i.subject,
          protocol: i.protocol,
          linkedAt: i.createdAt ?? null,
        })),
      };
    },

    /** Unlink one of this tenant's identities from the account; audited with what was removed. */
    async unlink(tenantId: Types.ObjectId, userId: string, identityId: string, actor: Actor) {
      await memberOf(tenantId, userId);
      const identity = await models.identities.findOneAndDelete({ _id: identityId, userId, tenantId }).lean();
      if (!identity) throw notFound('identity of this tenant');
      await recordAction(models, {
        tenantId: String(tenantId),
        actor,
        action: 'identity.unlinked',
        target: { type: 'identity', id: identity._id },
        userId,
        before: { connectionId: String(identity.connectionId), subject: identity.subject, protocol: identity.protocol },
      });
    },
  };
}
