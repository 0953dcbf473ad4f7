import type { Types } from 'mongoose';
import { isDuplicateKeyError, notFound, OnrampError } from '../errors';
import type { Models } from './models';

/** A tenant's domain row as stored (db/models/tenant.ts). */
export interface DomainRow {
  domain: string;
  verified: boolean;
  token: string | null;
  verifiedAt: Date | null;
}

/** A change not applied this long after it was taken is its dead writer's: the next writer applies it. */
const STALE_MS = 10_000;
/** How many times a writer reads again after another writer's change went first. */
const ATTEMPTS = 50;

const changeKey = (tenantId: Types.ObjectId, generation: number) => `${String(tenantId)}:${String(generation).padStart(10, '0')}`;
const pause = () => new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 25));

/**
 * Change a tenant's domain list in turn with every other writer of it. The
 * list is written whole (FerretDB v1 has no array filters or positional
 * updates, and its updates are not atomic), so two admins adding a domain
 * each at once would otherwise keep only one: each change is first taken as
 * the list's next generation by a unique insert, and a writer that lost the
 * turn reads the list again and applies its change to what the winner wrote.
 * `change` decides from the current rows (and may throw a refusal); it is
 * called again after each lost turn. Returns the rows before and after.
 */
export async function changeDomains(
  models: Models,
  tenantId: Types.ObjectId,
  change: (rows: DomainRow[]) => DomainRow[],
  now: () => Date = () => new Date(),
): Promise<{ before: DomainRow[]; after: DomainRow[] }> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
    const tenant = await models.tenants.findById(tenantId, { domains: 1, domainsGeneration: 1 }).lean();
    if (!tenant) throw notFound('tenant');
    const before = (tenant.domains ?? []) as DomainRow[];
    const after = change(before);
    const generation = (tenant.domainsGeneration ?? 0) + 1;
    const set = { domains: after, domainsGeneration: generation };
    try {
      await models.tenantDomainChanges.create({ _id: changeKey(tenantId, generation), tenantId, generation, set, at: now() });
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      await rollForward(models, tenantId, generation, now());
      await pause();
      continue;
    }
    await models.tenants.updateOne({ _id: tenantId }, { $set: set });
    return { before, after };
  }
  throw new OnrampError('concurrent_change', "The tenant's domains are being changed by many requests at once; try again.", { status: 409 });
}

/** A taken change whose writer died before writing the tenant: applied now, so the list does not stay stuck behind it. */
async function rollForward(models: Models, tenantId: Types.ObjectId, generation: number, now: Date): Promise<void> {
  const taken = await models.tenantDomainChanges.findById(changeKey(tenantId, generation)).lean();
  if (!taken || now.getTime() - taken.at.getTime() < STALE_MS) return;
  const current = await models.tenants.findById(tenantId, { domainsGeneration: 1 }).lean();
  if (current && (current.domainsGeneration ?? 0) < generation)
    await models.tenants.updateOne({ _id: tenantId }, { $set: taken.set as Record<string, unknown> });
}
