import { createHmac } from 'node:crypto';
import type { Config } from '../config';
import { normalizeEmail } from '../domain/email';

/** What the `OnrampEmail` search attribute holds for an address ('' for none). */
export type EmailSearchValue = (email: string | null | undefined) => string;

/** Version prefix of the keyed hash, so a later scheme can sit beside it. */
export const EMAIL_HASH_PREFIX = 'h1:';

/**
 * `OnrampEmail` holds HMAC-SHA256(key, normalized address) — equal addresses
 * give equal values, so ops can search a person's runs (`onramp runs --email`
 * computes it) while the Temporal UI and its operator never read the address —
 * or, configured `clear`, the normalized address itself.
 */
export function emailSearchValue({ mode, hashKey }: Config['temporal']['searchEmail']): EmailSearchValue {
  return (email) => {
    const trimmed = (email ?? '').trim();
    if (!trimmed) return '';
    const normalized = normalizeEmail(trimmed) ?? trimmed.toLowerCase();
    if (mode === 'clear') return normalized.slice(0, 200);
    return `${EMAIL_HASH_PREFIX}${createHmac('sha256', hashKey).update(normalized).digest('base64url')}`;
  };
}
