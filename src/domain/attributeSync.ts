/**
 * Keeping an account's attributes in step with the IdP on later sign-ins.
 * Pure: decides which updates to make and which conflicts to open.
 *
 * - `on-first-sign-in`: the IdP's values are used only when the account is created;
 * - `every-sign-in`: a changed value is applied, kept, or sent for review per the tenant's conflict policy;
 * - an attribute the IdP did not send is not a change (absent is not empty);
 * - `review` opens one conflict per account and field, not one per sign-in;
 * - a changed email is applied only if no other account holds it; otherwise it is a conflict.
 */
export type AttributeSyncMode = 'on-first-sign-in' | 'every-sign-in';
export type ConflictPolicy = 'idp-wins' | 'keep-local' | 'review';
/** `name`, `email`, or a mapped custom attribute `attr:<name>`. */
export type SyncedField = 'name' | 'email' | `attr:${string}`;
export const customField = (name: string): SyncedField => `attr:${name}`;
export const isCustomField = (field: string): field is `attr:${string}` => field.startsWith('attr:');

export interface AttributeSyncInput {
  mode: AttributeSyncMode;
  policy: ConflictPolicy;
  /** The account's current values, by field (missing = unset). */
  account: Partial<Record<SyncedField, string | null>>;
  /** What the IdP asserted, by field; only these fields are considered (absent is not a change). */
  asserted: Partial<Record<SyncedField, string | null>>;
  /** Fields with an open conflict for this account in this tenant. */
  openConflicts: readonly SyncedField[];
  /** The asserted (normalized) email belongs to another account. */
  emailHeldByOther: boolean;
}

export type AttributeAction =
  | { kind: 'updateAttribute'; field: SyncedField; from: string | null; to: string }
  | { kind: 'openConflict'; field: SyncedField; local: string | null; asserted: string };

export function planAttributeSync(input: AttributeSyncInput): AttributeAction[] {
  if (input.mode !== 'every-sign-in') return [];
  const actions: AttributeAction[] = [];
  for (const [key, asserted] of Object.entries(input.asserted)) {
    const field = key as SyncedField;
    const local = input.account[field] ?? null;
    if (asserted === null || asserted === undefined || asserted === local || input.policy === 'keep-local') continue;
    const blocked = field === 'email' && input.emailHeldByOther;
    if (input.policy === 'idp-wins' && !blocked) actions.push({ kind: 'updateAttribute', field, from: local, to: asserted });
    else if (!input.openConflicts.includes(field)) actions.push({ kind: 'openConflict', field, local, asserted });
  }
  return actions;
}
