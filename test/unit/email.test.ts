import { describe, expect, it } from 'vitest';
import { emailDomain, normalizeEmail } from '../../src/domain/email';

describe('normalizeEmail', () => {
  it.each([
    ['  Peter@MagicTech.TEST ', 'peter@magictech.test'],
    ['peter@magictech.test.', 'peter@magictech.test'],
    ['jörg@bücher.test', 'jörg@xn--bcher-kva.test'],
    ['JÖRG@BÜCHER.TEST', 'jörg@xn--bcher-kva.test'],
    ['a+tag@x.test', 'a+tag@x.test'],
  ])('%s → %s', (input, out) => {
    expect(normalizeEmail(input)).toBe(out);
  });

  it('keeps the IDN and its punycode form equal', () => {
    expect(normalizeEmail('a@bücher.test')).toBe(normalizeEmail('a@xn--bcher-kva.test'));
  });

  it('does no fuzzy matching: a lookalike domain stays distinct', () => {
    expect(normalizeEmail('peter@rnagictech.test')).not.toBe(normalizeEmail('peter@magictech.test'));
    expect(normalizeEmail('peter@magictech.test')).not.toBe(normalizeEmail('peter@magictеch.test')); // Cyrillic е
  });

  it.each(['', 'nobody', '@x.test', 'a@', 'a@localhost', 'a b@x.test', 'a@x..test', 'a@-'])('rejects %j', (input) => {
    expect(normalizeEmail(input)).toBeNull();
  });

  it('extracts the domain', () => {
    expect(emailDomain('a@x.test')).toBe('x.test');
  });
});
