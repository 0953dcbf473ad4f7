import { ApplicationFailure } from '@temporalio/common';
import { conflictKey } from '../src/store/conflicts';
import type { SyncedField } from '../src/domain/attributeSync';
import { normalizeEmail } from '../src/domain/email';
import { FAILURE_TYPES } from '../src/domain/failureTypes';
import { actorOf } from '../src/domain/provisioningContext';
import { oid, type ActivitySupport, type RunScoped } from './support';

/** Attribute sync: applying an IdP's change, or recording a conflict for an admin. Every activity is idempotent (see support.ts). */
export function attributesActivities({ store, runAudit, insertOnce }: ActivitySupport) {
  return {
    /** Apply an attribute the IdP changed (policy idp-wins); audited with before and after. */
    async updateUserAttribute(
      input: RunScoped & { tenantId: string; connectionId: string; userId: string; field: SyncedField; from: string | null; to: string },
    ): Promise<'applied' | 'stale'> {
      if (input.field === 'email') {
        const email = normalizeEmail(input.to);
        if (!email) throw ApplicationFailure.nonRetryable('email is not valid', FAILURE_TYPES.invalidEmail);
        // Planned as free; if another account claimed it since, the run re-plans (into a conflict).
        if ((await store.conflicts.applyEmailChange(input.userId, input.from, email)) === 'held-by-other') return 'stale';
      } else {
        await store.conflicts.setUserField(input.userId, input.field, input.to);
      }
      await runAudit(input.run, `attribute.${input.field}.updated`, {
        tenantId: input.tenantId,
        actor: actorOf(input),
        action: 'user.attribute_updated',
        target: { type: 'user', id: input.userId },
        userId: input.userId,
        before: { field: input.field, value: input.from },
        after: { field: input.field, value: input.to },
      });
      return 'applied';
    },

    /** Record a disagreement for an admin (policy review): one open conflict per account, tenant and field. */
    async openConflict(
      input: RunScoped & { tenantId: string; connectionId: string; userId: string; field: SyncedField; local: string | null; asserted: string },
    ): Promise<void> {
      const _id = conflictKey(input.tenantId, input.userId, input.field);
      const fields = {
        tenantId: oid(input.tenantId),
        userId: oid(input.userId),
        connectionId: oid(input.connectionId),
        field: input.field,
        local: input.local,
        asserted: input.asserted,
      };
      await insertOnce(store.conflicts.keyed, _id, fields, input.run, () => ({
        step: `conflict.${input.field}.opened`,
        event: {
          tenantId: input.tenantId,
          actor: actorOf(input),
          action: 'conflict.opened',
          target: { type: 'conflict', id: _id },
          userId: input.userId,
          before: { field: input.field, value: input.local },
          after: { field: input.field, value: input.asserted },
        },
      }));
    },
  };
}
