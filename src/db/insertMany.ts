import { isDuplicateKeyError } from '../errors';

/** What insertManyOnce needs of a mongoose model. */
interface InsertableModel {
  insertMany(docs: object[], options: { ordered: false }): Promise<unknown>;
}

/**
 * Insert documents in one unordered batch; those whose unique key exists
 * (an earlier attempt of the same step, a concurrent writer) are skipped,
 * the rest inserted. Any other failure is thrown. Callers read back what they
 * need to know (FerretDB and MongoDB report the skipped ones differently).
 */
export async function insertManyOnce(model: InsertableModel, docs: object[]): Promise<void> {
  if (docs.length === 0) return;
  try {
    await model.insertMany(docs, { ordered: false });
  } catch (err) {
    const writeErrors = (err as { writeErrors?: unknown }).writeErrors;
    const errors = Array.isArray(writeErrors) ? writeErrors : [err];
    const only = errors.every((e) => isDuplicateKeyError(e) || isDuplicateKeyError((e as { err?: unknown }).err));
    if (!only) throw err;
  }
}
