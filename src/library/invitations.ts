import { createHash, randomBytes } from 'node:crypto';
import type { Types } from 'mongoose';
import type { InvitationRow } from '../store/invitations';
import type { Store } from '../store/store';
import { emailDomain, normalizeEmail } from '../domain/email';
import { tenantRoles } from '../domain/groups';
import { givesOwner } from '../domain/roles';
import { DEFAULT_INVITATION_EXPIRY_SECONDS, type InvitationStatus } from '../domain/invitations';
import type { ProvisioningActor } from '../domain/provisioningContext';
import { conflict, isDuplicateKeyError, notFound, OnrampError } from '../errors';
import type { Outbox } from '../mail/outbox';
import { countInvitation } from '../metrics/registry';
import { presentInvitation, type InvitationView } from './invitationView';
import { page, type DocId } from './pagination';
import { refuseOwnerGrant } from './ownerGrants';

/** How long an invitation named by its slot but not written yet still holds it. */
const UNWRITTEN_HOLDER_MS = 60_000;
/** How an invitation's token is stored (its link's token is never stored). */
export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export interface InvitationInput {
  email: string;
  roles: string[];
  groups: string[];
  allowAnyEmail: boolean;
  expiresInSeconds: number | null;
}

/**
 * Invitations, the admin's side: create, list, resend, revoke — each audited.
 * Tokens are 256-bit, shown only in the mail (and once to the admin), stored
 * as SHA-256. The invitee's side is library/invitationLinks.ts.
 */
export function createInvitationLibrary(store: Store, outbox: Outbox, publicUrl: string) {
  const acceptUrl = (token: string) => `${publicUrl}/invite/${token}`;

  const find = async (tenantId: Types.ObjectId, id: string): Promise<InvitationRow> => {
    const inv = await store.invitations.byId(id);
    if (!inv || String(inv.tenantId) !== String(tenantId)) throw notFound('invitation');
    return inv;
  };

  /** A fresh token for the invitation (the old one dies), mailed through the outbox. */
  const issue = async (
    inv: { _id: string; email: string; tenantId: Types.ObjectId },
    tenantName: string,
    expiresAt: Date,
    sentCount: number,
  ): Promise<string> => {
    const token = randomBytes(32).toString('base64url');
    await store.invitations.replaceToken(inv._id, sha256(token), expiresAt, sentCount);
    await outbox.enqueue(
      inv.email,
      `You are invited to ${tenantName}`,
      `You are invited to join ${tenantName}.\n\nAccept the invitation: ${acceptUrl(token)}\n\nThe link works once and expires on ${expiresAt.toISOString()}. If you did not expect it, ignore this message.`,
    );
    return token;
  };

  const exists = (email: string, id: string) => conflict('invitation_exists', `${email} has a pending invitation (${id}); resend it instead.`);

  /**
   * Take the address's one open-invitation slot (store/invitations.ts) for
   * invitation `id`, or refuse: another pending invitation holds it. A holder
   * that is revoked, accepted, expired or was never written is handed over by
   * a unique insert (FerretDB's updates are not atomic), so of two requests
   * at once one takes it. Each handover names the next holder: the chain is
   * followed from the slot, which points at a recent holder.
   */
  const takeSlot = async (tenantId: Types.ObjectId, email: string, id: string): Promise<void> => {
    const slotId = sha256(`${String(tenantId)}\u0000${email}`);
    const insertOnce = (_id: string): Promise<boolean> => store.invitations.insertSlot(_id, id);
    if (await insertOnce(slotId)) return;
    let named = await store.invitations.slotById(slotId);
    for (let step = 0; named !== null && step < 100; step += 1) {
      const holderId = named.invitationId;
      if (holderId === id) return;
      const holder = await store.invitations.byId(holderId);
      const open = holder
        ? holder.status === 'pending' && holder.expiresAt.getTime() > Date.now()
        : // Not written yet: its request may be writing it now; after a while it was lost (a crash).
          Date.now() - named.updatedAt.getTime() < UNWRITTEN_HOLDER_MS;
      if (open) throw exists(email, holderId);
      const handover = sha256(`${slotId}\u0000after\u0000${holderId}`);
      if (await insertOnce(handover)) {
        await store.invitations.pointSlot(slotId, id);
        return;
      }
      named = await store.invitations.slotById(handover);
    }
    throw new OnrampError('concurrent_change', 'The invitations of this address changed meanwhile; try again.', { status: 409 });
  };

  const audit = (tenantId: Types.ObjectId, actor: ProvisioningActor, action: string, inv: { _id: string; email: string }, context?: Record<string, unknown>) =>
    store.audit.recordAction({
      tenantId: String(tenantId),
      actor,
      action,
      target: { type: 'invitation', id: inv._id },
      context: { email: inv.email, ...context },
    });

  return {
    /**
     * Invite an address with roles and groups; the accept URL is returned once
     * (it is also in the mail). `mayGrantOwner: false` (a console admin who is
     * not an owner) refuses the owner role, directly or through a group's roles.
     * With an `idempotencyKey` the invitation's ID derives from the key: the
     * first request inserts it (a unique `_id`, so of concurrent retries one
     * wins), mails it and audits it; a retry with the same request gets that
     * invitation back (`acceptUrl` null: the link was shown once) and writes
     * nothing; the same key with another request is 422 `idempotency_key_reused`.
     */
    async create(
      tenantId: Types.ObjectId,
      input: InvitationInput,
      actor: ProvisioningActor,
      opts: { mayGrantOwner?: boolean; idempotencyKey?: string | null } = {},
    ): Promise<{ invitation: InvitationView; acceptUrl: string | null }> {
      const email = normalizeEmail(input.email);
      if (!email) throw new OnrampError('email_invalid', 'Not a usable email address.', { status: 400 });
      const keyed = opts.idempotencyKey
        ? {
            _id: `inv_${sha256(`${String(tenantId)}\u0000${opts.idempotencyKey}`).slice(0, 24)}`,
            requestHash: sha256(JSON.stringify([email, input.roles, input.groups, input.allowAnyEmail, input.expiresInSeconds])),
          }
        : null;
      /** The invitation a keyed request already created (or null); another request under the key is refused. */
      const earlier = async (): Promise<{ invitation: InvitationView; acceptUrl: null } | null> => {
        if (!keyed) return null;
        const inv = await store.invitations.byId(keyed._id);
        if (!inv) return null;
        if (String(inv.tenantId) !== String(tenantId) || inv.requestHash !== keyed.requestHash) {
          throw new OnrampError('idempotency_key_reused', 'This Idempotency-Key was used with a different request; use a new key for a new request.', {
            status: 422,
          });
        }
        return { invitation: presentInvitation(inv), acceptUrl: null };
      };
      const replay = await earlier();
      if (replay) return replay;
      const tenant = await store.tenants.byId(tenantId);
      if (!tenant) throw notFound('tenant');
      const unknownRole = input.roles.find((r) => !tenantRoles(tenant.roles?.custom ?? []).includes(r));
      if (unknownRole) throw new OnrampError('unknown_role', `The tenant has no role "${unknownRole}".`, { status: 422 });
      const groupRoles = new Map<string, string[]>();
      for (const g of input.groups) {
        const group = await store.groups.byName(tenantId, g);
        if (!group) throw new OnrampError('unknown_group', `The tenant has no group "${g}".`, { status: 422 });
        groupRoles.set(g, [...(group.roles ?? [])]);
      }
      if (opts.mayGrantOwner === false && givesOwner(input, groupRoles)) throw await refuseOwnerGrant(store, tenantId, actor, `invitation of ${email}`);
      const owner = await store.domains.ownerOf(emailDomain(email));
      if (owner && String(owner.tenantId) !== String(tenantId))
        throw conflict('domain_verified_by_other_tenant', `The domain ${emailDomain(email)} is verified by another organization.`);
      const member = await store.memberships.ofEmail(tenantId, email);
      if (member) throw conflict('already_member', `${email} is a member of the tenant already.`);
      // A concurrent request under the same key may have just written its invitation: that one is not "another" pending one
      // (the insert below then meets it by key and answers it).
      const open = (await store.invitations.pendingFor(tenantId, email)).find((i) => i.expiresAt.getTime() > Date.now() && i._id !== keyed?._id);
      if (open) throw exists(email, open._id);

      const expiresAt = new Date(Date.now() + 1000 * (input.expiresInSeconds ?? tenant.invitations?.expirySeconds ?? DEFAULT_INVITATION_EXPIRY_SECONDS));
      const _id = keyed?._id ?? `inv_${randomBytes(12).toString('hex')}`;
      await takeSlot(tenantId, email, _id);
      try {
        await store.invitations.create({
          _id,
          tenantId,
          email,
          roles: input.roles,
          groups: input.groups,
          allowAnyEmail: input.allowAnyEmail,
          status: 'pending',
          expiresAt,
          tokenHash: '-',
          invitedBy: actor,
          requestHash: keyed?.requestHash ?? null,
        });
      } catch (err) {
        // A concurrent request under the same key inserted it first: that one mails and audits.
        const winner = isDuplicateKeyError(err) ? await earlier() : null;
        if (winner) return winner;
        throw err;
      }
      const token = await issue({ _id, email, tenantId }, tenant.name, expiresAt, 1);
      await audit(tenantId, actor, 'invitation.created', { _id, email }, { roles: input.roles, groups: input.groups, allowAnyEmail: input.allowAnyEmail });
      countInvitation('created');
      return { invitation: presentInvitation((await store.invitations.byId(_id)) as InvitationRow), acceptUrl: acceptUrl(token) };
    },

    /** The newest 500 of a status (matched in the query, so older ones of that status are not crowded out by others). */
    async list(tenantId: Types.ObjectId, status: InvitationStatus | null): Promise<InvitationView[]> {
      const now = new Date();
      const docs = await store.invitations.newest(tenantId, status, now);
      return docs.map((d) => presentInvitation(d, now.getTime()));
    },

    /**
     * One page of invitations by status, in `_id` order, for the console: the
     * status is matched in the query (`expired` is a pending one past its
     * expiry), so a page reads only its own rows.
     */
    async listPage(tenantId: Types.ObjectId, status: InvitationStatus | null, limit: number, after: DocId | null) {
      const now = new Date();
      const rows = await store.invitations.after(tenantId, status, now, after, limit);
      const { rows: kept, nextCursor } = page(rows, limit);
      return { data: kept.map((d) => presentInvitation(d, now.getTime())), nextCursor };
    },

    get: async (tenantId: Types.ObjectId, id: string) => presentInvitation(await find(tenantId, id)),

    /** A new token and a new expiry, mailed again; the old link stops working. Pending or expired only. */
    async resend(tenantId: Types.ObjectId, id: string, actor: ProvisioningActor): Promise<{ invitation: InvitationView; acceptUrl: string }> {
      const inv = await find(tenantId, id);
      const status = presentInvitation(inv).status;
      if (status === 'accepted' || status === 'revoked') throw conflict('invitation_not_pending', `The invitation is ${status}.`);
      const tenant = await store.tenants.byId(tenantId);
      const expiresAt = new Date(Date.now() + 1000 * (tenant?.invitations?.expirySeconds ?? DEFAULT_INVITATION_EXPIRY_SECONDS));
      const token = await issue(inv, tenant?.name ?? 'the organization', expiresAt, inv.sentCount + 1);
      await audit(tenantId, actor, 'invitation.resent', inv);
      countInvitation('resent');
      return { invitation: presentInvitation((await store.invitations.byId(id)) as InvitationRow), acceptUrl: acceptUrl(token) };
    },

    /** Withdraw an invitation that was not accepted: its link stops working. */
    async revoke(tenantId: Types.ObjectId, id: string, actor: ProvisioningActor): Promise<InvitationView> {
      const inv = await find(tenantId, id);
      if (inv.status === 'accepted') throw conflict('invitation_not_pending', 'The invitation was accepted: remove the member instead.');
      if (inv.status !== 'revoked') {
        // The token stays, so the link says "withdrawn" rather than "not valid".
        await store.invitations.markRevoked(id);
        await audit(tenantId, actor, 'invitation.revoked', inv);
        countInvitation('revoked');
      }
      return presentInvitation((await store.invitations.byId(id)) as InvitationRow);
    },

    /** How long the tenant's invitations stay valid. */
    async expirySeconds(tenantId: Types.ObjectId): Promise<number> {
      return (await store.tenants.invitationSettings(tenantId))?.invitations?.expirySeconds ?? DEFAULT_INVITATION_EXPIRY_SECONDS;
    },

    async setExpirySeconds(tenantId: Types.ObjectId, expirySeconds: number, actor: ProvisioningActor): Promise<number> {
      await store.tenantChanges.change(tenantId, () => ({ set: { 'invitations.expirySeconds': expirySeconds }, result: null }));
      await store.audit.recordAction({
        tenantId: String(tenantId),
        actor,
        action: 'tenant.invitation_settings_updated',
        target: { type: 'tenant', id: String(tenantId) },
        after: { expirySeconds },
      });
      return expirySeconds;
    },
  };
}

export type InvitationLibrary = ReturnType<typeof createInvitationLibrary>;
