import type { Types } from 'mongoose';
import type { Store } from '../store/store';
import { storedAttributes } from '../domain/claim';
import { isOwner } from '../domain/roles';
import { conflict, notFound, validationError } from '../errors';
import type { ApprovalSender } from '../runs/approvalClient';
import { refuseOwnerGrant } from './ownerGrants';
import { page, type DocId } from './pagination';
import { checkTenantRoles, loadTenantRoles } from './tenantRoles';

export interface ApprovalFilter {
  kind?: string | undefined;
  email?: string | undefined;
}

export interface Decider {
  /** `admin-token`, or `user:<id>` for a tenant admin's session. */
  id: string;
  /** Whether the decider may give `owner` (the global admin or a tenant owner). */
  mayGrantOwner: boolean;
}

const alreadyDecided = (status: string) => conflict('approval_already_decided', `this request is already ${status}`);

/**
 * Parked sign-ins awaiting an admin (API, console and CLI share this code).
 * A decision goes to the run as an update: its validator refuses a second
 * decision, so approving twice is a 409 and never a second effect.
 */
export function createApprovalLibrary(store: Store, sender: ApprovalSender) {
  return {
    async listPending(tenantId: Types.ObjectId, filter: ApprovalFilter, limit: number, after: DocId | null) {
      const rows = await store.approvals.pendingAfter(tenantId, filter, after, limit);
      const { rows: kept, nextCursor } = page(rows, limit);
      return {
        data: kept.map((r) => {
          const claim = r.claim as { email?: string | null; subject?: string; connectionId?: string; name?: string | null; attributes?: unknown };
          return {
            id: r._id,
            kind: r.kind,
            reason: r.reason,
            reasons: r.reasons?.length ? [...r.reasons] : [r.reason],
            email: claim.email ?? null,
            name: claim.name ?? null,
            subject: claim.subject ?? '',
            connectionId: claim.connectionId ?? '',
            userId: r.userId ? String(r.userId) : null,
            planned: r.planned ?? null,
            attributes: storedAttributes(claim.attributes),
            requestedAt: r.createdAt ?? null,
            expiresAt: r.expiresAt,
          };
        }),
        nextCursor,
      };
    },

    /** Approve (optionally with the new membership's roles) or reject; 409 when already decided. */
    async decide(
      tenantId: Types.ObjectId,
      requestId: string,
      verdict: { approve: boolean; reason: string | null; roles?: string[] | null | undefined },
      by: Decider,
    ): Promise<{ status: 'approved' | 'rejected' }> {
      const request = await store.approvals.ofTenant(tenantId, requestId);
      if (!request) throw notFound('approval request');
      if (request.status !== 'pending') throw alreadyDecided(request.status);
      const roles = verdict.approve ? (verdict.roles ?? null) : null;
      if (roles) {
        const planned = request.planned as { roles?: string[] | null } | null;
        if (!planned?.roles) throw validationError('roles', 'this sign-in creates no new membership; its roles cannot be set here');
        checkTenantRoles('roles', roles, (await loadTenantRoles(store, tenantId)).roles);
        if (isOwner(roles) && !by.mayGrantOwner) throw await refuseOwnerGrant(store, tenantId, { type: 'admin', id: by.id }, `approval ${requestId}`);
      }
      const decided = await sender.decide(request, { approve: verdict.approve, by: by.id, reason: verdict.reason, roles });
      if (decided !== 'gone') return decided;
      // The run refused (already decided) or has ended (expired meanwhile): the request's state says which.
      const now = await store.approvals.byId(requestId);
      throw alreadyDecided(now && now.status !== 'pending' ? now.status : 'decided');
    },
  };
}
