import { createHash } from 'node:crypto';
import type { Grant, GrantSource } from '../domain/groups';
import { isDuplicateKeyError } from '../errors';
import type { Types } from 'mongoose';
import type { Models } from './models';
import { sameRun, type RunRef } from '../domain/runRef';

/** `_id` of a grant: the membership, then a hash (group names come from IdPs and may hold any character). */
export const grantId = (membershipId: string, g: Grant): string =>
  `${membershipId}:${createHash('sha256').update(`${g.kind}\u0000${g.source}\u0000${g.value}`).digest('hex').slice(0, 32)}`;

export interface HeldGrant extends Grant {
  grantedAt: Date | null;
  grantedBy: string | null;
  createdBy: RunRef | null;
}

interface GrantRow {
  kind: string;
  value: string;
  source: string;
  grantedBy?: string | null;
  createdBy?: RunRef | null;
  createdAt?: Date;
}

const held = (g: GrantRow): HeldGrant => ({
  kind: g.kind === 'role' ? 'role' : 'group',
  value: g.value,
  source: g.source as GrantSource,
  grantedAt: g.createdAt ?? null,
  grantedBy: g.grantedBy ?? null,
  createdBy: g.createdBy ?? null,
});

/**
 * Every grant of these memberships, by membership `_id`: one read per
 * membership by the indexed `membershipId` (an equality FerretDB pushes down;
 * never `$in`, which it does not), each returning that member's own grants.
 */
export async function grantsOf(models: Models, membershipIds: readonly string[]): Promise<Map<string, HeldGrant[]>> {
  const ids = [...new Set(membershipIds)];
  const rows = await Promise.all(ids.map((membershipId) => models.grants.find({ membershipId }).sort({ _id: 1 }).lean()));
  return new Map(ids.map((id, i) => [id, (rows[i] ?? []).map(held)]));
}

export type GrantResult = 'granted' | 'already-granted';

/**
 * Add a grant unless the member holds it from this source: an insert on the
 * grant's unique `_id`. `granted` also when an earlier attempt of the same
 * run wrote it (a retry), so its caller audits exactly once per run.
 */
export async function applyGrant(
  models: Models,
  member: { membershipId: string; tenantId: string; userId: string },
  grant: Grant,
  by: { grantedBy: string | null; run: RunRef | null },
): Promise<GrantResult> {
  const _id = grantId(member.membershipId, grant);
  // Flag first: a reader that sees no flag can trust that no grant exists.
  await models.memberships.updateOne({ _id: member.membershipId, hasGrants: { $ne: true } }, { $set: { hasGrants: true } });
  try {
    await models.grants.create({ _id, ...member, ...grant, grantedBy: by.grantedBy, createdBy: by.run });
    return 'granted';
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
  }
  const existing = await models.grants.findById(_id).lean();
  return by.run && existing && sameRun(existing.createdBy, by.run) ? 'granted' : 'already-granted';
}

/** Whether the member holds the grant from its source. */
export async function holdsGrant(models: Models, membershipId: string, grant: Grant): Promise<boolean> {
  return (await models.grants.findById(grantId(membershipId, grant)).lean()) !== null;
}

/** Remove the grant (of its source only); a no-op when it is not held. */
export async function removeGrant(models: Models, membershipId: string, grant: Grant): Promise<void> {
  await models.grants.deleteOne({ _id: grantId(membershipId, grant) });
}

/** The audit fields of a grant or a revoke (one shape for sign-ins and admins). */
export const grantEvent = (grant: Grant, verb: 'granted' | 'revoked', userId: string) => ({
  action: `${grant.kind}.${verb}`,
  target: { type: grant.kind, id: grant.value },
  userId,
  [verb === 'granted' ? 'after' : 'before']: { [grant.kind]: grant.value, source: grant.source },
});

/** The grant reads and writes the libraries make, bound to the models (src/store/store.ts). */
export function createGrantStore(models: Models) {
  return {
    /** grantsOf: every grant of these memberships, by membership `_id`. */
    of: (membershipIds: readonly string[]) => grantsOf(models, membershipIds),
    /** applyGrant: add a grant unless the member holds it from this source. */
    apply: (member: { membershipId: string; tenantId: string; userId: string }, grant: Grant, by: { grantedBy: string | null; run: RunRef | null }) =>
      applyGrant(models, member, grant, by),
    /** holdsGrant: whether the member holds the grant from its source. */
    holds: (membershipId: string, grant: Grant) => holdsGrant(models, membershipId, grant),
    /** removeGrant: remove the grant (of its source only). */
    remove: (membershipId: string, grant: Grant) => removeGrant(models, membershipId, grant),
    /** The tenant's grants of role `role` or of one of these groups (only the membership read; one row per grant). */
    holdersOfRole: (tenantId: Types.ObjectId, role: string, groups: readonly string[]) =>
      models.grants
        .find({ tenantId, $or: [{ kind: 'role', value: role }, ...(groups.length ? [{ kind: 'group', value: { $in: groups } }] : [])] }, { membershipId: 1 })
        .lean(),
  };
}
