import type { Types } from 'mongoose';
import { recordAction } from '../store/audit';
import type { Models } from '../store/models';
import { setUserField } from '../store/userAttributes';
import { applyEmailChange } from '../store/emailChange';
import type { SyncedField } from '../domain/attributeSync';
import { conflict as conflictError, notFound } from '../errors';

type Actor = { type: 'admin'; id: string | null };
export type Resolution = 'use-idp' | 'keep-local';

/** Open attribute conflicts of a tenant (conflict policy `review`) and their resolution by an admin. */
export function createConflictLibrary(models: Models) {
  return {
    async listOpen(tenantId: Types.ObjectId) {
      const rows = await models.conflicts.find({ tenantId }).sort({ createdAt: 1 }).limit(500).lean();
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
      const conflict = await models.conflicts.findOne({ _id: conflictId, tenantId }).lean();
      if (!conflict) throw notFound('open conflict');
      if (resolution === 'use-idp' && conflict.field === 'email') {
        const outcome = await applyEmailChange(models, String(conflict.userId), conflict.local ?? null, conflict.asserted);
        if (outcome === 'held-by-other')
          throw conflictError('email_held_by_other_account', 'another account holds this email; resolve that first or keep the local value');
      } else if (resolution === 'use-idp') {
        await setUserField(models, String(conflict.userId), conflict.field as Exclude<SyncedField, 'email'>, conflict.asserted);
      }
      if (!(await models.conflicts.findOneAndDelete({ _id: conflictId, tenantId }).lean())) throw notFound('open conflict');
      await recordAction(models, {
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
