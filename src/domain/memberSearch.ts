/**
 * The member search's terms: what a member is found by when an admin types
 * the start of an email or a name. A member's search document holds every
 * lowercased prefix (up to TERM_MAX_LENGTH characters) of the email, of the
 * whole name and of each word of the name, so a search is one equality on a
 * term; the result is then checked against the live account by
 * `matchesQuery` (a stale term can hide a member, never show a wrong one).
 */

/** Longest prefix kept as a term: a longer query looks its first TERM_MAX_LENGTH characters up and is checked in full. */
export const TERM_MAX_LENGTH = 32;

const words = (name: string): string[] => name.split(/\s+/).filter(Boolean);

const prefixes = (text: string, into: Set<string>) => {
  const chars = [...text];
  for (let i = 1; i <= Math.min(chars.length, TERM_MAX_LENGTH); i++) into.add(chars.slice(0, i).join(''));
};

/** A query as the search compares it: trimmed and lowercased ('' is no query). */
export const normalizeQuery = (q: string | null | undefined): string => (q ?? '').trim().toLowerCase();

/** Every term of an account's email and name (lowercased prefixes), sorted. */
export function searchTerms(email: string | null | undefined, name: string | null | undefined): string[] {
  const out = new Set<string>();
  const e = (email ?? '').trim().toLowerCase();
  const n = (name ?? '').trim().toLowerCase();
  if (e) prefixes(e, out);
  if (n) {
    prefixes(n, out);
    for (const w of words(n)) prefixes(w, out);
  }
  return [...out].sort();
}

/** The term a (normalized, non-empty) query is looked up by. */
export const lookupTerm = (q: string): string => [...q].slice(0, TERM_MAX_LENGTH).join('');

/** Whether an account matches a (normalized) query: its email, its name or a word of its name starts with it. */
export function matchesQuery(q: string, email: string | null | undefined, name: string | null | undefined): boolean {
  if (!q) return true;
  const e = (email ?? '').toLowerCase();
  const n = (name ?? '').trim().toLowerCase();
  return e.startsWith(q) || n.startsWith(q) || words(n).some((w) => w.startsWith(q));
}
