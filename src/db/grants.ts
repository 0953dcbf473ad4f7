import { createHash } from 'node:crypto';
import type { Grant, GrantSource } from '../domain/groups';
import type { Models } from './models';
import { sameRun, type RunRef } from './models/runRef';

/**
 * The key of a grant in its membership's `grants` map: a hash, because group
 * names come from IdPs and may hold characters a field name cannot (`.`, `$`).
 */
export const grantKey = (g: Grant): string =>
  createHash('sha256').update(`${g.kind}\u0000${g.source}\u0000${g.value}`).digest('hex').slice(0, 32);

interface StoredGrant {
  kind: string;
  value: string;
  source: string;
  grantedAt?: Date;
  grantedBy?: string | null;
  run?: RunRef | null;
}

/** The grants of a membership as stored (a lean map, or a mongoose Map). */
export function grantsOf(
  membership: { grants?: unknown } | null,
): Array<Grant & { grantedAt: Date | null; grantedBy: string | null; run: RunRef | null }> {
  const raw = membership?.grants;
  const entries: StoredGrant[] = raw instanceof Map ? [...raw.values()] : raw && typeof raw === 'object' ? Object.values(raw) : [];
  return entries
    .filter((g) => (g.kind === 'group' || g.kind === 'role') && typeof g.value === 'string')
    .map((g) => ({
      kind: g.kind as Grant['kind'],
      value: g.value,
      source: g.source as GrantSource,
      grantedAt: g.grantedAt ?? null,
      grantedBy: g.grantedBy ?? null,
      run: g.run ?? null,
    }));
}

export type GrantResult = 'granted' | 'already-granted' | 'no-membership';

/**
 * Add a grant unless the member holds it from this source: one conditional
 * update of the membership. `granted` also when an earlier attempt of the
 * same run wrote it (a retry), so its caller audits exactly once per run.
 */
export async function applyGrant(
  models: Models,
  membershipId: string,
  grant: Grant,
  by: { grantedBy: string | null; run: RunRef | null; at: Date },
): Promise<GrantResult> {
  const key = grantKey(grant);
  const written = await models.memberships
    .findOneAndUpdate(
      { _id: membershipId, [`grants.${key}`]: { $exists: false } },
      { $set: { [`grants.${key}`]: { ...grant, grantedAt: by.at, grantedBy: by.grantedBy, run: by.run } } },
      { new: true },
    )
    .lean();
  if (written) return 'granted';
  const doc = await models.memberships.findById(membershipId).lean();
  if (!doc) return 'no-membership';
  const existing = (doc.grants as Record<string, StoredGrant> | undefined)?.[key];
  return by.run && existing && sameRun(existing.run, by.run) ? 'granted' : 'already-granted';
}

/** Whether the member holds the grant from its source. */
export async function holdsGrant(models: Models, membershipId: string, grant: Grant): Promise<boolean> {
  const doc = await models.memberships.findById(membershipId).lean();
  return Boolean((doc?.grants as Record<string, StoredGrant> | undefined)?.[grantKey(grant)]);
}

/** Remove the grant (of its source only); a no-op when it is not held. */
export async function removeGrant(models: Models, membershipId: string, grant: Grant): Promise<void> {
  await models.memberships.updateOne({ _id: membershipId }, { $unset: { [`grants.${grantKey(grant)}`]: '' } });
}
