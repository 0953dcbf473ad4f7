import { isDuplicateKeyError } from '../errors';
import type { Models } from './models';
import { syncUserSearch } from './memberSearch';

/**
 * Move an account to a new (normalized) email without transactions: claim the
 * new email first (its `_id` is the email, so another account's claim wins),
 * then update the account, then release the old claim if it is still ours.
 * Safe to repeat after a crash at any point.
 */
export async function applyEmailChange(models: Models, userId: string, from: string | null, to: string): Promise<'applied' | 'held-by-other'> {
  try {
    await models.userEmails.updateOne({ _id: to }, { $setOnInsert: { userId } }, { upsert: true });
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
  }
  const claim = await models.userEmails.findById(to).lean();
  if (!claim || String(claim.userId) !== userId) return 'held-by-other';
  await models.users.updateOne({ _id: userId }, { $set: { email: to, displayEmail: to } });
  await syncUserSearch(models, userId);
  if (from && from !== to) await models.userEmails.deleteOne({ _id: from, userId });
  return 'applied';
}
