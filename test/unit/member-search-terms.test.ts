import { describe, expect, it } from 'vitest';
import { TERM_MAX_LENGTH, lookupTerm, matchesQuery, normalizeQuery, searchTerms } from '../../src/domain/memberSearch';

describe('member search terms', () => {
  it('holds every lowercased prefix of the email, of the whole name and of each word of the name', () => {
    const terms = searchTerms('Ada.L@Example.test', 'Ada  Lovelace');
    for (const t of ['a', 'ad', 'ada.l@example.test', 'ada ', 'ada  lovelace', 'l', 'love', 'lovelace']) expect(terms).toContain(t);
    expect(terms).not.toContain('example');
    expect(terms).not.toContain('Ada');
    expect(new Set(terms).size).toBe(terms.length);
    expect([...terms].sort()).toEqual(terms);
  });

  it('an account without email or name has no terms (and missing parts add none)', () => {
    expect(searchTerms(null, null)).toEqual([]);
    expect(searchTerms(undefined, '   ')).toEqual([]);
    expect(searchTerms('x@y.test', null)).toEqual(['x', 'x@', 'x@y', 'x@y.', 'x@y.t', 'x@y.te', 'x@y.tes', 'x@y.test']);
  });

  it('keeps prefixes up to the maximum length, and a longer query looks up its first characters', () => {
    const long = `${'a'.repeat(50)}@example.test`;
    const terms = searchTerms(long, null);
    expect(Math.max(...terms.map((t) => t.length))).toBe(TERM_MAX_LENGTH);
    expect(terms).toHaveLength(TERM_MAX_LENGTH);
    const q = normalizeQuery(long.slice(0, 40));
    expect(terms).toContain(lookupTerm(q));
    expect(matchesQuery(q, long, null)).toBe(true);
    expect(matchesQuery(`${q}x`, long, null)).toBe(false);
  });

  it('counts characters, not UTF-16 units', () => {
    const terms = searchTerms(null, 'Zoë 😀mily');
    expect(terms).toContain('😀');
    expect(terms).toContain('zoë');
  });

  it('matches as the terms are written: every query that matches an account is one of its terms (up to the maximum length)', () => {
    const accounts: Array<[string | null, string | null]> = [
      ['Peter.Smith@corp.test', 'Peter  Smith'],
      ['x@y.test', null],
      [null, 'Ørjan Ås'],
    ];
    for (const [email, name] of accounts) {
      const terms = new Set(searchTerms(email, name));
      for (const source of [email ?? '', name ?? '']) {
        for (let i = 1; i <= source.length; i++) {
          const q = normalizeQuery(source.slice(0, i));
          if (!q) continue;
          expect(matchesQuery(q, email, name)).toBe(true);
          expect(terms.has(lookupTerm(q))).toBe(true);
        }
      }
    }
  });

  it('matches a prefix of the email, the name or a word of the name, case-insensitively; nothing else', () => {
    expect(matchesQuery(normalizeQuery('  SMI '), 'p@corp.test', 'Peter Smith')).toBe(true);
    expect(matchesQuery('corp', 'p@corp.test', 'Peter Smith')).toBe(false);
    expect(matchesQuery('mith', 'p@corp.test', 'Peter Smith')).toBe(false);
    expect(matchesQuery('', null, null)).toBe(true);
    expect(matchesQuery('a', null, null)).toBe(false);
  });
});
