import { isDuplicateKeyError } from '../errors';

/** What insertManyOnce needs of a mongoose model. */
export interface BulkInsertModel {
  insertMany(docs: object[], options: { ordered: false }): Promise<unknown>;
}

interface WriteErrorLike {
  code?: unknown;
  err?: { code?: unknown; op?: { _id?: unknown } };
  getOperation?: () => { _id?: unknown } | undefined;
}

/**
 * Insert documents in one unordered command; a document whose key is taken
 * (a unique index refused it: a retry of the same batch, or someone else's
 * write) is left as it is. Returns the `_id`s refused as duplicates, as
 * strings; any other failure is thrown.
 */
export async function insertManyOnce(model: BulkInsertModel, docs: ReadonlyArray<{ _id: unknown }>): Promise<Set<string>> {
  const refused = new Set<string>();
  if (docs.length === 0) return refused;
  try {
    await model.insertMany([...docs], { ordered: false });
  } catch (err) {
    const writeErrors = (err as { writeErrors?: WriteErrorLike[] }).writeErrors;
    if (!Array.isArray(writeErrors) || writeErrors.length === 0) {
      if (isDuplicateKeyError(err) && docs.length === 1) return new Set([String(docs[0]?._id)]);
      throw err;
    }
    for (const we of writeErrors) {
      const code = we.code ?? we.err?.code;
      const id = we.getOperation?.()?._id ?? we.err?.op?._id;
      if (code !== 11000 || id === undefined) throw err;
      refused.add(String(id));
    }
  }
  return refused;
}
