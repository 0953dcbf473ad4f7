import { Types } from 'mongoose';
import { z } from 'zod';
import { validationError } from '../errors';

export const paginationQuery = {
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(64).optional(),
};

export function decodeCursor(cursor: string | undefined): Types.ObjectId | null {
  if (!cursor) return null;
  const raw = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!Types.ObjectId.isValid(raw) || raw.length !== 24) throw validationError('cursor', 'is not a valid cursor');
  return new Types.ObjectId(raw);
}

export const encodeCursor = (id: Types.ObjectId): string => Buffer.from(id.toHexString(), 'utf8').toString('base64url');

/** Fetch limit+1 to know whether another page exists. */
export function page<T extends { _id: Types.ObjectId }>(rows: T[], limit: number): { rows: T[]; nextCursor: string | null } {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  const last = kept[kept.length - 1];
  return { rows: kept, nextCursor: more && last ? encodeCursor(last._id) : null };
}
