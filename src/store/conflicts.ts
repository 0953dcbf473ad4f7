import type { Types } from 'mongoose';
import type { SyncedField } from '../domain/attributeSync';
import { applyEmailChange } from './emailChange';
import { keyedCollection } from './keyed';
import type { Models } from './models';
import { conflictKey, type ConflictDoc } from './models/conflict';
import { setUserField } from './userAttributes';

export { conflictKey };

/** Open attribute conflicts (conflict policy `review`) and the account writes that resolve them. */
export function createConflictStore(models: Models) {
  return {
    /** The tenant's first 500 open conflicts, oldest first. */
    open: (tenantId: Types.ObjectId) => models.conflicts.find({ tenantId }).sort({ createdAt: 1 }).limit(500).lean(),
    /** The tenant's open conflict with this ID, or null. */
    ofTenant: (tenantId: Types.ObjectId, id: string) => models.conflicts.findOne({ _id: id, tenantId }).lean(),
    /** Close (delete) the tenant's open conflict; returns it, or null when it was closed already. */
    close: (tenantId: Types.ObjectId, id: string) => models.conflicts.findOneAndDelete({ _id: id, tenantId }).lean(),
    /** applyEmailChange: move the account to the IdP's email (`held-by-other` when another account holds it). */
    applyEmailChange: (userId: string, from: string | null, to: string) => applyEmailChange(models, userId, from, to),
    /** setUserField: write a synced field (not the email) of the account. */
    setUserField: (userId: string, field: Exclude<SyncedField, 'email'>, value: string | null) => setUserField(models, userId, field, value),
    /** Conflicts opened once under their key (activities' insert-once). */
    keyed: keyedCollection<ConflictDoc>(models.conflicts),
    /** The open conflict of the account, tenant and field (read by its key), or null. */
    byKey: (tenantId: string, userId: string, field: SyncedField) => models.conflicts.findById(conflictKey(tenantId, userId, field)).lean(),
  };
}
