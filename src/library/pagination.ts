import { Types } from 'mongoose';
import { validationError } from '../errors';

/** A document `_id` a page can end on: an ObjectId or a string key. */
export type DocId = Types.ObjectId | string;

/** Cursors are opaque: the last row's `_id`, tagged with its type (ObjectId or string key). */
export function decodeCursor(cursor: string | undefined): DocId | null {
  if (!cursor) return null;
  const raw = Buffer.from(cursor, 'base64url').toString('utf8');
  const [tag, value] = [raw.slice(0, 2), raw.slice(2)];
  if (tag === 'o:' && /^[0-9a-f]{24}$/.test(value)) return new Types.ObjectId(value);
  if (tag === 's:' && value.length > 0 && value.length <= 600) return value;
  throw validationError('cursor', 'is not a valid cursor');
}

export const encodeCursor = (id: DocId): string =>
  Buffer.from(typeof id === 'string' ? `s:${id}` : `o:${id.toHexString()}`, 'utf8').toString('base64url');

/** Fetch limit+1 to know whether another page exists. */
export function page<T extends { _id: DocId }>(rows: T[], limit: number): { rows: T[]; nextCursor: string | null } {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  const last = kept[kept.length - 1];
  return { rows: kept, nextCursor: more && last ? encodeCursor(last._id) : null };
}
