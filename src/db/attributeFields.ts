import { isCustomField, type SyncedField } from '../domain/attributeSync';

/** The `$set` that writes a synced field (not `email`: that moves a claim, see emailChange.ts). */
export function fieldSet(field: SyncedField, value: string | null): Record<string, string | null> {
  return isCustomField(field) ? { [`attributes.${field.slice('attr:'.length)}`]: value } : { [field]: value };
}
