import { Types } from 'mongoose';
import { OnrampError } from '../errors';

/** What a refused cursor is told, whether its shape or what it points at is wrong. */
export const NOT_A_CURSOR = 'is not a cursor this list handed out (send the nextCursor of the previous page, or none)';

/** A cursor of the right shape that points at nothing of this list (another tenant's import, a row past the end). */
export const notThisListsCursor = () => new OnrampError('invalid_cursor', `cursor: ${NOT_A_CURSOR}`, { status: 400 });

export type { DocId } from '../store/docId';
import type { DocId } from '../store/docId';

/**
 * What a list's rows are keyed and sorted by, and so what its cursor may
 * hold: `objectId` lists (tenants, audit events) end on an ObjectId, `key`
 * lists (memberships, approvals, directory resources) on a string key.
 */
export type CursorKind = 'objectId' | 'key';

/** The longest string key a cursor may carry (every key onramp writes is far shorter). */
export const CURSOR_KEY_MAX = 600;
/** The longest cursor a caller may send (base64url of the longest key, with room). */
export const CURSOR_MAX = 1024;

const OBJECT_ID = /^[0-9a-f]{24}$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
/** A key holds printable characters only: no control characters (NUL, newlines) reach a query. */
const PRINTABLE_KEY = new RegExp(`^[^\\u0000-\\u001f\\u007f\\ufffd]{1,${CURSOR_KEY_MAX}}$`, 'u');

/**
 * The one cursor decoder: a cursor is the last row's `_id`, tagged with its
 * type (`o:` ObjectId hex, `s:` string key) and base64url-encoded. Answers
 * the `_id` when the cursor is one a list of this kind hands out, and null
 * for anything else — a caller's input never reaches a query unchecked.
 */
export function decodeCursor(kind: CursorKind, cursor: string): DocId | null {
  if (cursor.length === 0 || cursor.length > CURSOR_MAX || !BASE64URL.test(cursor)) return null;
  const raw = Buffer.from(cursor, 'base64url').toString('utf8');
  const [tag, value] = [raw.slice(0, 2), raw.slice(2)];
  if (kind === 'objectId') return tag === 'o:' && OBJECT_ID.test(value) ? new Types.ObjectId(value) : null;
  return tag === 's:' && PRINTABLE_KEY.test(value) ? value : null;
}

export const encodeCursor = (id: DocId): string => Buffer.from(typeof id === 'string' ? `s:${id}` : `o:${id.toHexString()}`, 'utf8').toString('base64url');

/** Fetch limit+1 to know whether another page exists. */
export function page<T extends { _id: DocId }>(rows: T[], limit: number): { rows: T[]; nextCursor: string | null } {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  const last = kept[kept.length - 1];
  return { rows: kept, nextCursor: more && last ? encodeCursor(last._id) : null };
}
