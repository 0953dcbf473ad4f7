import type { Types } from 'mongoose';
import { isDuplicateKeyError } from '../errors';
import type { InvitationStatus } from '../domain/invitations';
import type { ProvisioningActor } from '../domain/provisioningContext';
import type { RunRef } from '../domain/runRef';
import type { DocId } from './docId';
import type { Models } from './models';
import type { InvitationDoc } from './models/invitation';

/** An invitation as stored (lean). */
export type InvitationRow = InvitationDoc;

/** A new invitation's fields as the invitation library gives them. */
export interface NewInvitation {
  _id: string;
  tenantId: Types.ObjectId;
  email: string;
  roles: string[];
  groups: string[];
  allowAnyEmail: boolean;
  status: 'pending';
  expiresAt: Date;
  tokenHash: string;
  invitedBy: ProvisioningActor;
  requestHash: string | null;
}

/**
 * An invitation status as a query: the stored status, except that `expired`
 * is a pending invitation past its expiry (domain/invitations.ts
 * `invitationStatus` says the same of one document).
 */
function statusQuery(status: InvitationStatus | null, now: Date): Record<string, unknown> {
  if (status === 'pending') return { status: 'pending', expiresAt: { $gt: now } };
  if (status === 'expired') return { status: 'pending', expiresAt: { $lte: now } };
  return status ? { status } : {};
}

/** Invitations, their tokens, their open-invitation slots and their SSO handoffs. */
export function createInvitationStore(models: Models) {
  return {
    /** The invitation with this ID, or null. */
    byId: async (id: string) => (await models.invitations.findById(id).lean()) as InvitationRow | null,
    /** The tenant of the invitation with this ID (only `tenantId` read), or null. */
    tenantOf: (id: string) => models.invitations.findById(id, { tenantId: 1 }).lean(),
    /** The tenant's pending invitations of an address (expired ones included). */
    pendingFor: async (tenantId: Types.ObjectId, email: string) =>
      (await models.invitations.find({ tenantId, email, status: 'pending' }).lean()) as InvitationRow[],
    /** The newest 500 of a status (`expired`: pending past its expiry, as of `now`). */
    newest: async (tenantId: Types.ObjectId, status: InvitationStatus | null, now: Date) =>
      (await models.invitations
        .find({ tenantId, ...statusQuery(status, now) })
        .sort({ createdAt: -1 })
        .limit(500)
        .lean()) as InvitationRow[],
    /** Up to `limit + 1` of a status after `after`, in `_id` order (the caller pages). */
    after: async (tenantId: Types.ObjectId, status: InvitationStatus | null, now: Date, after: DocId | null, limit: number) =>
      (await models.invitations
        .find({ tenantId, ...statusQuery(status, now), ...(after ? { _id: { $gt: after } } : {}) })
        .sort({ _id: 1 })
        .limit(limit + 1)
        .lean()) as InvitationRow[],
    /** Insert an invitation; a taken `_id` throws the driver's duplicate-key error. */
    create: async (invitation: NewInvitation) => {
      await models.invitations.create(invitation);
    },
    /**
     * A new live token for the invitation: the token's hash inserted, every
     * other token of the invitation deleted, the invitation's hash, expiry and
     * sent count set.
     */
    replaceToken: async (invitationId: string, tokenHash: string, expiresAt: Date, sentCount: number) => {
      await models.invitationTokens.create({ _id: tokenHash, invitationId, expiresAt });
      await models.invitationTokens.deleteMany({ invitationId, _id: { $ne: tokenHash } });
      await models.invitations.updateOne({ _id: invitationId }, { $set: { tokenHash, expiresAt, sentCount } });
    },
    /** Mark a pending invitation revoked (no-op when it is not pending). */
    markRevoked: async (id: string) => {
      await models.invitations.updateOne({ _id: id, status: 'pending' }, { $set: { status: 'revoked' } });
    },
    /** The live token with this hash, or null. */
    tokenByHash: (tokenHash: string) => models.invitationTokens.findById(tokenHash).lean(),

    /** Insert an open-invitation slot (or a handover) naming `invitationId`; false when `_id` is taken. */
    insertSlot: async (_id: string, invitationId: string): Promise<boolean> => {
      try {
        await models.invitationSlots.create({ _id, invitationId });
        return true;
      } catch (err) {
        if (isDuplicateKeyError(err)) return false;
        throw err;
      }
    },
    /** The slot (or handover) with this ID, or null. */
    slotById: (id: string) => models.invitationSlots.findById(id).lean(),
    /** Point the slot at the invitation that now holds it. */
    pointSlot: async (slotId: string, invitationId: string) => {
      await models.invitationSlots.updateOne({ _id: slotId }, { $set: { invitationId } });
    },

    /** Insert an SSO handoff (its handle's hash as `_id`). */
    createHandoff: async (handoff: { _id: string; invitationId: string; browser: string; expiresAt: Date }) => {
      await models.invitationHandoffs.create(handoff);
    },
    /** The handoff of this hash started by this browser (hash), deleted as read; null when there is none. */
    takeHandoff: (handleHash: string, browserHash: string) => models.invitationHandoffs.findOneAndDelete({ _id: handleHash, browser: browserHash }).lean(),
    /** The handoff of this hash, whichever browser started it, or null. */
    handoffById: (handleHash: string) => models.invitationHandoffs.findById(handleHash).lean(),
    /** Mark a pending invitation accepted by this account, at `at`, by the run `run` (no-op when it is not pending). */
    markAccepted: async (id: string, acceptedBy: Types.ObjectId, at: Date, run: RunRef) => {
      await models.invitations.updateOne({ _id: id, status: 'pending' }, { $set: { status: 'accepted', acceptedBy, acceptedAt: at, acceptedRun: run } });
    },
  };
}
