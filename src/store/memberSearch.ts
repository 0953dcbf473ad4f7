import { Types } from 'mongoose';
import { searchTerms } from '../domain/memberSearch';
import { isDuplicateKeyError } from '../errors';
import type { Models } from './models';

/** A membership's search document as written: the membership, its account's email and name. */
export interface MemberSearchEntry {
  membershipId: string;
  tenantId: string;
  userId: string;
  email: string | null | undefined;
  name: string | null | undefined;
}

const oid = (id: string) => new Types.ObjectId(id);

/** Whether a (bulk) write failed only on duplicate keys: two upserts of one new document at once. */
function duplicatesOnly(err: unknown): boolean {
  const writeErrors = (err as { writeErrors?: Array<{ code?: unknown }> }).writeErrors;
  return isDuplicateKeyError(err) || (Array.isArray(writeErrors) && writeErrors.length > 0 && writeErrors.every((w) => w.code === 11000));
}

const fieldsOf = (e: MemberSearchEntry) => ({ tenantId: oid(e.tenantId), userId: oid(e.userId), terms: searchTerms(e.email, e.name) });

/**
 * Write search documents, each recomputed in full from the account's email
 * and name (so a repeated or raced write converges on what the account says
 * when it last ran): one upsert by `_id` each, a few at a time. Two writers
 * upserting one new document at once make the loser's insert a duplicate;
 * it is tried again as the update it now is. (Not one bulk write of upserts:
 * retried after a crash on the embedded FerretDB, that held an import's batch
 * step for good.)
 */
export async function writeMemberSearch(models: Models, entries: readonly MemberSearchEntry[]): Promise<void> {
  const upsert = async (e: MemberSearchEntry) => {
    const write = () => models.memberSearch.updateOne({ _id: e.membershipId }, { $set: fieldsOf(e) }, { upsert: true });
    try {
      await write();
    } catch (err) {
      if (!duplicatesOnly(err)) throw err;
      await write();
    }
  };
  for (let i = 0; i < entries.length; i += WRITE_CONCURRENCY) await Promise.all(entries.slice(i, i + WRITE_CONCURRENCY).map(upsert));
}

/** Search documents written at once by `writeMemberSearch`. */
const WRITE_CONCURRENCY = 10;

/** Recompute one membership's search document from its account as it is now (a missing account leaves it as it is). */
export async function syncMemberSearch(models: Models, m: { membershipId: string; tenantId: string; userId: string }): Promise<void> {
  const user = await models.users.findById(m.userId, { email: 1, name: 1 }).lean();
  if (user) await writeMemberSearch(models, [{ ...m, email: user.email, name: user.name }]);
}

/** Recompute the search documents of every membership of an account (after its email or name changed): its own few memberships. */
export async function syncUserSearch(models: Models, userId: string): Promise<void> {
  const [user, memberships] = await Promise.all([
    models.users.findById(userId, { email: 1, name: 1 }).lean(),
    models.memberships.find({ userId: oid(userId) }, { tenantId: 1, userId: 1 }).lean(),
  ]);
  if (!user) return;
  await writeMemberSearch(
    models,
    memberships.map((m) => ({ membershipId: m._id, tenantId: String(m.tenantId), userId, email: user.email, name: user.name })),
  );
}

/** Remove a membership's search document (before the membership goes); a no-op when there is none. */
export async function removeMemberSearch(models: Models, membershipId: string): Promise<void> {
  await models.memberSearch.deleteOne({ _id: membershipId });
}

const PROGRESS_ID = 'backfill';

/**
 * Give every membership made before search documents existed its document:
 * walks the memberships by `_id` in batches from where the last run stopped
 * (recorded after each batch), inserting only missing documents (a live
 * write's document stands), and records `done` at the end — after which it
 * reads one document and returns (`restart` walks them all again). Idempotent
 * and resumable; run by the sweeper.
 */
export async function backfillMemberSearch(
  models: Models,
  opts: { batch?: number; maxBatches?: number; restart?: boolean } = {},
): Promise<{ written: number; done: boolean }> {
  const size = opts.batch ?? 500;
  const progress = opts.restart ? null : await models.memberSearchProgress.findById(PROGRESS_ID).lean();
  if (progress?.done) return { written: 0, done: true };
  let after = progress?.after ?? '';
  let written = 0;
  for (let i = 0; i < (opts.maxBatches ?? 10); i++) {
    const batch = await models.memberships
      .find({ _id: { $gt: after } }, { tenantId: 1, userId: 1 })
      .sort({ _id: 1 })
      .limit(size)
      .lean();
    const first = batch[0];
    const last = batch[batch.length - 1];
    if (first && last) {
      const have = await models.memberSearch
        .find({ _id: { $gte: first._id, $lte: last._id } }, { _id: 1 })
        .limit(size)
        .lean();
      const present = new Set(have.map((d) => d._id));
      const missing = batch.filter((m) => !present.has(m._id));
      const users = await Promise.all(missing.map((m) => models.users.findById(m.userId, { email: 1, name: 1 }).lean()));
      const inserts = missing.flatMap((m, j) => {
        const user = users[j];
        if (!user) return [];
        const fields = fieldsOf({ membershipId: m._id, tenantId: String(m.tenantId), userId: String(m.userId), email: user.email, name: user.name });
        return [{ updateOne: { filter: { _id: m._id }, update: { $setOnInsert: fields }, upsert: true } }];
      });
      if (inserts.length > 0) {
        try {
          written += (await models.memberSearch.bulkWrite(inserts, { ordered: false })).upsertedCount;
        } catch (err) {
          // A live write made one of them meanwhile: it stands, the others were written.
          if (!duplicatesOnly(err)) throw err;
        }
      }
      after = last._id;
    }
    const done = batch.length < size;
    await models.memberSearchProgress.updateOne({ _id: PROGRESS_ID }, { $set: { after, done } }, { upsert: true });
    if (done) return { written, done: true };
  }
  return { written, done: false };
}
