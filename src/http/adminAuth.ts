import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { unauthorized } from '../errors';

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** Constant-time comparison of two secrets (of any lengths: their digests are compared). */
export const secretsMatch = (candidate: string, expected: string): boolean => timingSafeEqual(digest(candidate), digest(expected));

/** Bearer-token guard for the admin API; constant-time comparison of fixed-length digests. */
export function requireAdminToken(token: string): RequestHandler {
  const expected = digest(token);
  return (req, _res, next) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1] || !timingSafeEqual(digest(match[1]), expected)) {
      next(unauthorized('a valid admin bearer token is required'));
      return;
    }
    next();
  };
}
