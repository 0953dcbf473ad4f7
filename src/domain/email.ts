// The userland punycode package, not Node's deprecated built-in: this module
// also runs inside the deterministic workflow sandbox, which has no Node APIs.
import { toASCII } from 'punycode/punycode.es6.js';

const LOCAL_PART = /^[^\s@"<>()[\]\\,;:]{1,64}$/;

/**
 * Normalize an email for identity comparison: trim, lower-case, drop a
 * trailing dot of the domain, and compare internationalized domains in their
 * ASCII (punycode) form. No fuzzy matching: anything else stays distinct.
 * Returns null for a value that is not an email.
 */
export function normalizeEmail(input: string): string | null {
  const trimmed = input.trim();
  const at = trimmed.lastIndexOf('@');
  if (at <= 0 || at === trimmed.length - 1) return null;
  const local = trimmed.slice(0, at).toLowerCase();
  let domain = trimmed.slice(at + 1).toLowerCase();
  if (domain.endsWith('.')) domain = domain.slice(0, -1);
  if (!LOCAL_PART.test(local)) return null;
  let ascii: string;
  try {
    ascii = toASCII(domain);
  } catch {
    return null;
  }
  if (!ascii.includes('.') || ascii.length > 253) return null;
  if (!/^[a-z0-9.-]+$/.test(ascii) || ascii.split('.').some((label) => label.length === 0 || label.length > 63)) return null;
  return `${local}@${ascii}`;
}

export { emailDomain } from './emailParts';
