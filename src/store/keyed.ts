import { isDuplicateKeyError } from '../errors';

/**
 * Insert-if-absent by a unique key. Two concurrent upserts can both miss and
 * one then fails with a duplicate key: the document exists, so read it.
 */
async function upsertOnce<T>(attempt: () => PromiseLike<T | null>, reread: () => PromiseLike<T | null>): Promise<T> {
  try {
    const doc = await attempt();
    if (doc) return doc;
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
  }
  const doc = await reread();
  if (!doc) throw new Error('document vanished after a duplicate-key upsert');
  return doc;
}

/** What a keyed collection needs of a mongoose model: an upsert by `_id`, and a read by `_id`. */
interface KeyedModel {
  findOneAndUpdate(filter: object, update: object, options: object): { lean(): PromiseLike<unknown> };
  findById(id: unknown): { lean(): PromiseLike<unknown> };
}

/** A collection whose documents are created once under a key chosen by the caller (activities' insert-once pattern). */
export interface KeyedCollection<D> {
  /** Insert `fields` as document `_id` unless it exists; answers the document as stored (a race reads the winner). */
  insertIfAbsent(_id: unknown, fields: Record<string, unknown>): Promise<D>;
}

/** The keyed view of a model, for a store area to hand to activities. */
export function keyedCollection<D>(model: KeyedModel): KeyedCollection<D> {
  return {
    insertIfAbsent: async (_id, fields) =>
      (await upsertOnce(
        () => model.findOneAndUpdate({ _id }, { $setOnInsert: fields }, { upsert: true, new: true }).lean(),
        () => model.findById(_id).lean(),
      )) as D,
  };
}
