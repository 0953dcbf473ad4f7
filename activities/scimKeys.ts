import type { ScimKeyStore } from '../src/store/scimKeys';
import { isDuplicateKeyError } from '../src/errors';
import type { ScimRefusal } from '../src/scim/userWrites';

/**
 * Hold unique values of a directory resource (a User's userName and
 * externalId, a Group's displayName and externalId) for it: inserts on unique
 * `_id`s (scim_keys). A value another resource holds is a refusal (409
 * uniqueness), and the keys this call inserted are given back, so nothing is
 * half-held. Idempotent: keys the resource already holds are kept.
 */
export async function claimKeys(
  scimKeys: ScimKeyStore,
  directoryId: string,
  target: string,
  keys: readonly { attribute: string; _id: string }[],
  resourceType: 'User' | 'Group',
): Promise<{ ok: true } | { ok: false; error: ScimRefusal }> {
  const inserted: string[] = [];
  for (const { attribute, _id } of keys) {
    const holder = await scimKeys.byId(_id);
    if (holder && holder.target === target) continue;
    if (!holder) {
      try {
        await scimKeys.insert(_id, directoryId, target);
        inserted.push(_id);
        continue;
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
        const winner = await scimKeys.byId(_id);
        if (winner?.target === target) continue;
      }
    }
    for (const k of inserted) await scimKeys.release(k, target);
    return {
      ok: false,
      error: { status: 409, scimType: 'uniqueness', detail: `another ${resourceType} of this directory has this ${attribute}`, code: 'scim_uniqueness' },
    };
  }
  return { ok: true };
}

/** Give back the keys in `previous` that `current` does not hold any more. */
export async function releaseKeys(scimKeys: ScimKeyStore, target: string, previous: readonly string[], current: readonly string[]): Promise<void> {
  const keep = new Set(current);
  for (const k of previous) if (!keep.has(k)) await scimKeys.release(k, target);
}
