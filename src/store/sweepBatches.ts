/** What a sweep needs of a model (any of onramp's mongoose models). */
export interface SweepableModel {
  find(
    filter: Record<string, unknown>,
    projection: { _id: 1 },
  ): { sort(by: { _id: 1 }): { skip(n: number): { limit(n: number): { lean(): PromiseLike<Array<{ _id?: unknown }>> } } } };
  deleteMany(filter: Record<string, unknown>): PromiseLike<{ deletedCount: number }>;
}

/** Documents one delete removes at most: FerretDB on PostgreSQL refuses a delete of more than 65,535 at once. */
export const SWEEP_BATCH = 50_000;

/**
 * Delete what `filter` matches in batches of at most `batch` documents, up
 * to `maxBatches` batches per call (the next sweep takes the rest), so a
 * backlog of any size — a stack that was down past its expiries — is worked
 * off instead of failing every sweep. A batch is the matches up to the
 * `batch`-th `_id` (an `$in` of thousands of IDs is no cheaper on FerretDB
 * v1: it pushes no `$in` down). `done` says nothing matched is left.
 */
export async function deleteInBatches(
  model: SweepableModel,
  filter: Record<string, unknown>,
  opts: { batch?: number; maxBatches?: number } = {},
): Promise<{ deleted: number; done: boolean }> {
  const batch = opts.batch ?? SWEEP_BATCH;
  const maxBatches = opts.maxBatches ?? 3;
  let deleted = 0;
  for (let n = 0; n < maxBatches; n++) {
    const [edge] = await model
      .find(filter, { _id: 1 })
      .sort({ _id: 1 })
      .skip(batch - 1)
      .limit(1)
      .lean();
    if (!edge) return { deleted: deleted + (await model.deleteMany(filter)).deletedCount, done: true };
    deleted += (await model.deleteMany({ $and: [filter, { _id: { $lte: edge._id } }] })).deletedCount;
  }
  return { deleted, done: false };
}
