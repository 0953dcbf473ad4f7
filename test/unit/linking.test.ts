import { describe, expect, it } from 'vitest';
import { decideLink, domainBlocked, type LinkContext } from '../../src/domain/linking';

const peter: LinkContext = {
  tenantId: 'superfantasy',
  policy: 'auto',
  fallback: 'approval',
  emailVerified: true,
  emailDomain: 'magictech.test',
  tenantVerifiedDomains: ['superfantasy.test', 'magictech.test'],
  connectionAllowedDomains: null,
  domainOwnerTenantId: 'superfantasy',
  candidateUserIds: ['u-peter'],
  candidateIsPrivileged: false,
  candidateIsExcluded: false,
};

describe('decideLink', () => {
  it('auto-links a verified email of a verified domain the connection may assert (Peter)', () => {
    expect(decideLink(peter)).toEqual({ kind: 'link', userId: 'u-peter' });
  });

  it.each([
    ['domain the tenant has not verified', { tenantVerifiedDomains: ['superfantasy.test'], domainOwnerTenantId: null }, 'domain_not_verified'],
    ['domain outside the connection allow-list', { connectionAllowedDomains: ['superfantasy.test'] }, 'domain_not_allowed_for_connection'],
    ['privileged account', { candidateIsPrivileged: true }, 'privileged_account'],
    ['excluded account', { candidateIsExcluded: true }, 'excluded_account'],
  ] as const)('auto never links a %s: falls back to approval, or deny', (_n, over, reason) => {
    expect(decideLink({ ...peter, ...over })).toEqual({ kind: 'approval', reason });
    expect(decideLink({ ...peter, ...over, fallback: 'deny' })).toEqual({ kind: 'deny', reason });
  });

  it('several candidate accounts are a conflict, never a silent pick', () => {
    expect(decideLink({ ...peter, candidateUserIds: ['u1', 'u2'] })).toEqual({
      kind: 'conflict',
      reason: 'several_candidate_accounts',
      userIds: ['u1', 'u2'],
    });
  });

  it('a domain verified by another tenant is refused whatever the policy', () => {
    for (const policy of ['auto', 'approval', 'deny'] as const) {
      expect(decideLink({ ...peter, policy, domainOwnerTenantId: 'other' })).toEqual({ kind: 'deny', reason: 'domain_owned_by_other_tenant' });
    }
  });

  it('policy approval parks every link (with a verified email), naming why the domain is untrusted when it is', () => {
    expect(decideLink({ ...peter, policy: 'approval' })).toEqual({ kind: 'approval', reason: 'policy_approval' });
    expect(decideLink({ ...peter, policy: 'approval', tenantVerifiedDomains: [] })).toEqual({ kind: 'approval', reason: 'domain_not_verified' });
  });

  it('policy deny refuses', () => {
    expect(decideLink({ ...peter, policy: 'deny' })).toEqual({ kind: 'deny', reason: 'policy_deny' });
  });

  it('requires a candidate', () => {
    expect(() => decideLink({ ...peter, candidateUserIds: [] })).toThrow();
  });
});

describe('domainBlocked', () => {
  it('blocks only domains another tenant verified', () => {
    expect(domainBlocked('a', null)).toBe(false);
    expect(domainBlocked('a', 'a')).toBe(false);
    expect(domainBlocked('a', 'b')).toBe(true);
  });
});
