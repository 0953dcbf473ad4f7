import { Types } from 'mongoose';
import { isCustomField, type SyncedField } from '../domain/attributeSync';
import type { Models } from './models';
import { userAttributeKey } from './models/userAttribute';
import { syncUserSearch } from './memberSearch';

/** A custom attribute's app name from its synced field (`attr:<name>`). */
const appName = (field: `attr:${string}`): string => field.slice('attr:'.length);

/** Attributes an account had before they moved to `user_attributes` (an object by app name). */
function legacyValues(raw: unknown): Map<string, string> {
  const out = new Map<string, string>();
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return out;
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) if (typeof v === 'string') out.set(k, v);
  return out;
}

/** Set one custom attribute (one document per account and name: an upsert by `_id`, safe to retry). */
export async function setCustomAttribute(models: Models, userId: string, name: string, value: string | null): Promise<void> {
  await models.userAttributes.updateOne(
    { _id: userAttributeKey(userId, name) },
    { $set: { value }, $setOnInsert: { userId: new Types.ObjectId(userId), name } },
    { upsert: true },
  );
}

/** Write a synced field of an account: the name on the account, a custom attribute as its own document. (Email moves a claim: emailChange.ts.) */
export async function setUserField(models: Models, userId: string, field: Exclude<SyncedField, 'email'>, value: string | null): Promise<void> {
  if (isCustomField(field)) await setCustomAttribute(models, userId, appName(field), value);
  else {
    await models.users.updateOne({ _id: new Types.ObjectId(userId) }, { $set: { name: value } });
    await syncUserSearch(models, userId);
  }
}

/** The account's values of the named custom attributes (`_id` lookups in parallel; null when unset). */
export async function readCustomAttributes(
  models: Models,
  user: { _id: Types.ObjectId; attributes?: unknown },
  names: readonly string[],
): Promise<Record<string, string | null>> {
  const legacy = legacyValues(user.attributes);
  const docs = await Promise.all(names.map((n) => models.userAttributes.findById(userAttributeKey(String(user._id), n)).lean()));
  return Object.fromEntries(names.map((n, i) => [n, docs[i] ? (docs[i]?.value ?? null) : (legacy.get(n) ?? null)]));
}

/** Every custom attribute of an account, by name (admin API). */
export async function listCustomAttributes(
  models: Models,
  user: { _id: Types.ObjectId; attributes?: unknown },
): Promise<Array<{ name: string; value: string | null }>> {
  const merged = new Map<string, string | null>(legacyValues(user.attributes));
  for (const doc of await models.userAttributes.find({ userId: user._id }).lean()) merged.set(doc.name, doc.value ?? null);
  return [...merged].sort(([a], [b]) => a.localeCompare(b)).map(([name, value]) => ({ name, value }));
}
