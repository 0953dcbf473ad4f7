import type { Types } from 'mongoose';
import type { Store } from '../store/store';
import type { SyncedField } from '../domain/attributeSync';
import { conflict as conflictError, notFound } from '../errors';

type Actor = { type: 'admin'; id: string | null };
export type Resolution = 'use-idp' | 'keep-local';

/** Open attribute conflicts of a tenant (conflict policy `review`) and their resolution by an admin. */
export function createConflictLibrary(store: Store) {
  return {
    async listOpen(tenantId: Types.ObjectId) {
      const rows = await store.conflicts.open(tenantId);
      return rows.map((c) => ({
        id: c._id,
        userId: String(c.userId),
        connectionId: String(c.connectionId),
        field: c.field,
        local: c.local ?? null,
        asserted: c.asserted,
        openedAt: c.createdAt ?? null,
      }));
    },

    /** Apply the IdP's value or keep the account's; the conflict closes either way, audited. */
    async resolve(tenantId: Types.ObjectId, conflictId: string, resolution: Resolution, actor: Actor) {
      const conflict = await store.conflicts.ofTenant(tenantId, conflictId);
      if (!conflict) throw notFound('open conflict');
      if (resolution === 'use-idp' && conflict.field === 'email') {
        const outcome = await store.conflicts.applyEmailChange(String(conflict.userId), conflict.local ?? null, conflict.asserted);
        if (outcome === 'held-by-other')
          throw conflictError('email_held_by_other_account', 'another account holds this email; resolve that first or keep the local value');
      } else if (resolution === 'use-idp') {
        await store.conflicts.setUserField(String(conflict.userId), conflict.field as Exclude<SyncedField, 'email'>, conflict.asserted);
      }
      if (!(await store.conflicts.close(tenantId, conflictId))) throw notFound('open conflict');
      await store.audit.recordAction({
        tenantId: String(tenantId),
        actor,
        action: 'conflict.resolved',
        target: { type: 'conflict', id: conflict._id },
        userId: String(conflict.userId),
        before: { field: conflict.field, value: conflict.local ?? null },
        after: { field: conflict.field, value: resolution === 'use-idp' ? conflict.asserted : (conflict.local ?? null) },
        reason: resolution,
      });
    },
  };
}
