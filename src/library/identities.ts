import type { Types } from 'mongoose';
import type { Store } from '../store/store';
import { notFound } from '../errors';

type Actor = { type: 'admin'; id: string | null };

/** An account's linked IdP identities, as a tenant's admin sees and manages them. */
export function createIdentityLibrary(store: Store) {
  const memberOf = async (tenantId: Types.ObjectId, userId: string) => {
    const member = await store.memberships.findByUser(tenantId, userId);
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
      const all = await store.identities.ofUser(userId);
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
      const identity = await store.identities.unlink(tenantId, userId, identityId);
      if (!identity) throw notFound('identity of this tenant');
      await store.audit.recordAction({
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
