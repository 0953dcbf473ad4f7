import { describe, expect, it } from 'vitest';
import { planLifecycle } from '../../src/domain/memberLifecycle';

describe('planLifecycle', () => {
  const member = (status: 'active' | 'suspended', isOwner = false) => ({ status, isOwner });

  it('suspends an active member (sessions end, grants kept), reactivates a suspended one, removes either (grants revoked)', () => {
    expect(planLifecycle('suspend', { member: member('active'), activeOwners: 1 })).toEqual({ kind: 'proceed', status: 'suspended', revokeGrants: false, endSessions: true });
    expect(planLifecycle('reactivate', { member: member('suspended'), activeOwners: 1 })).toEqual({ kind: 'proceed', status: 'active', revokeGrants: false, endSessions: false });
    expect(planLifecycle('remove', { member: member('suspended'), activeOwners: 1 })).toEqual({ kind: 'proceed', status: 'removed', revokeGrants: true, endSessions: true });
  });

  it('does nothing twice, and refuses a member that does not exist', () => {
    expect(planLifecycle('suspend', { member: member('suspended'), activeOwners: 0 })).toEqual({ kind: 'unchanged' });
    expect(planLifecycle('reactivate', { member: member('active'), activeOwners: 0 })).toEqual({ kind: 'unchanged' });
    expect(planLifecycle('remove', { member: null, activeOwners: 3 })).toEqual({ kind: 'refuse', reason: 'member_not_found' });
  });

  it('never takes away the last active owner; another owner, or an already suspended one, may go', () => {
    expect(planLifecycle('suspend', { member: member('active', true), activeOwners: 1 })).toEqual({ kind: 'refuse', reason: 'last_owner' });
    expect(planLifecycle('remove', { member: member('active', true), activeOwners: 1 })).toEqual({ kind: 'refuse', reason: 'last_owner' });
    expect(planLifecycle('remove', { member: member('active', true), activeOwners: 2 })).toMatchObject({ kind: 'proceed' });
    expect(planLifecycle('remove', { member: member('suspended', true), activeOwners: 1 })).toMatchObject({ kind: 'proceed' });
  });
});
