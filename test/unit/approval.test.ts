import { describe, expect, it } from 'vitest';
import { approvalTriggers, type PlannedSignIn } from '../../src/domain/approval';

const signIn = (over: Partial<PlannedSignIn> = {}): PlannedSignIn => ({
  newMember: false,
  link: false,
  emailDomainVerified: true,
  rolesBefore: ['member'],
  rolesAfter: ['member'],
  ...over,
});
const all = { when: ['new-accounts', 'links', 'unverified-domain', 'privileged-grant'] as const };

describe('approvalTriggers', () => {
  it('never (empty policy) asks for nothing', () => {
    expect(approvalTriggers({ when: [] }, signIn({ newMember: true, link: true, emailDomainVerified: false, rolesAfter: ['owner'] }))).toEqual([]);
  });

  it('a returning member with nothing new fires nothing', () => {
    expect(approvalTriggers(all, signIn())).toEqual([]);
  });

  it('new member, link and unverified domain', () => {
    expect(approvalTriggers(all, signIn({ newMember: true, emailDomainVerified: false, rolesBefore: [] }))).toEqual(['new-accounts', 'unverified-domain']);
    expect(approvalTriggers(all, signIn({ link: true }))).toEqual(['links']);
    expect(approvalTriggers({ when: ['unverified-domain'] }, signIn({ newMember: true, rolesBefore: [] }))).toEqual([]);
  });

  it('privileged-grant only for admin/owner the member does not hold yet', () => {
    expect(approvalTriggers(all, signIn({ rolesAfter: ['admin', 'member'] }))).toEqual(['privileged-grant']);
    expect(approvalTriggers(all, signIn({ rolesBefore: ['admin'], rolesAfter: ['admin', 'member'] }))).toEqual([]);
    expect(approvalTriggers(all, signIn({ rolesAfter: ['billing', 'member'] }))).toEqual([]);
  });

  it('fires only what the policy lists, combined', () => {
    const s = signIn({ newMember: true, rolesBefore: [], rolesAfter: ['owner'] });
    expect(approvalTriggers({ when: ['privileged-grant'] }, s)).toEqual(['privileged-grant']);
    expect(approvalTriggers({ when: ['privileged-grant', 'new-accounts'] }, s)).toEqual(['new-accounts', 'privileged-grant']);
  });
});
