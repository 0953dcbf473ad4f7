import { describe, expect, it } from 'vitest';
import type { IdentityClaim } from '../../src/domain/claim';
import { CLAIM_LIMITS, checkClaimBounds, claimNulField, claimTooLarge } from '../../src/domain/claimBounds';

const claim = (over: Partial<IdentityClaim> = {}): IdentityClaim => ({
  tenantId: 't',
  connectionId: 'c',
  subject: 's',
  email: 'a@b.test',
  emailVerified: true,
  name: 'A',
  groups: ['g'],
  attributes: [{ name: 'email', values: ['a@b.test'] }],
  ...over,
});

describe('claim bounds', () => {
  it('a real-world claim fits (Entra ID: 150 group IDs and a dozen claim URIs)', () => {
    const groups = Array.from({ length: 150 }, (_, i) => `0d4a7a2c-6a3e-4a43-9d6f-${String(i).padStart(12, '0')}`);
    const attributes = Array.from({ length: 12 }, (_, i) => ({ name: `http://schemas.microsoft.com/identity/claims/c${i}`, values: ['v'] }));
    expect(claimTooLarge(claim({ groups, attributes }))).toBeNull();
    expect(checkClaimBounds(claim())).toEqual(claim());
  });

  it('names the first bound exceeded', () => {
    expect(claimTooLarge(claim({ groups: Array.from({ length: CLAIM_LIMITS.groups + 1 }, (_, i) => `g${i}`) }))).toMatchObject({ what: 'groups' });
    expect(claimTooLarge(claim({ name: 'n'.repeat(CLAIM_LIMITS.nameChars + 1) }))).toMatchObject({ what: 'name length' });
    expect(claimTooLarge(claim({ attributes: [{ name: 'x', values: ['v'.repeat(CLAIM_LIMITS.valueChars + 1)] }] }))).toMatchObject({
      what: 'value length of attribute "x"',
    });
    const many = Array.from({ length: 90 }, (_, i) => ({ name: `a${i}`, values: Array.from({ length: 10 }, () => 'v'.repeat(400)) }));
    expect(claimTooLarge(claim({ attributes: many }))).toMatchObject({ what: 'total size in bytes' });
  });

  it('refuses with claim_too_large (400) and a message for the IdP admin', () => {
    expect(() => checkClaimBounds(claim({ groups: Array.from({ length: 1_001 }, (_, i) => `g${i}`) }))).toThrow(/groups is 1001, the limit is 1000/);
  });

  it('refuses a NUL character anywhere in the claim with claim_invalid (400), naming the part, not the value', () => {
    expect(claimNulField(claim())).toBeNull();
    expect(claimNulField(claim({ name: 'Ada\u0000' }))).toBe('name');
    expect(claimNulField(claim({ groups: ['ok', 'b\u0000d'] }))).toBe('groups');
    expect(claimNulField(claim({ attributes: [{ name: 'x\u0000', values: [] }] }))).toBe('attributes');
    expect(claimNulField(claim({ attributes: [{ name: 'x', values: ['\u0000'] }] }))).toBe('attributes');
    expect(() => checkClaimBounds(claim({ email: 'ada\u0000@x.test' }))).toThrow(expect.objectContaining({ code: 'claim_invalid', status: 400 }));
  });
});
