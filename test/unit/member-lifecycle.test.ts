import { describe, expect, it } from 'vitest';
import { planLifecycle } from '../../src/domain/memberLifecycle';

describe('planLifecycle', () => {
  const member = (status: 'active' | 'suspended', isOwner = false) => ({ status, isOwner });

  it('suspends an active member (sessions end, grants kept), reactivates a suspended one, removes either (grants revoked)', () => {
    expect(planLifecycle('suspend', { member: member('active'), activeOwners: 1 })).toEqual({
      kind: 'proceed',
      status: 'suspended',
      revokeGrants: false,
      endSessions: true,
    });
    expect(planLifecycle('reactivate', { member: member('suspended'), activeOwners: 1 })).toEqual({
      kind: 'proceed',
      status: 'active',
      revokeGrants: false,
      endSessions: false,
    });
    expect(planLifecycle('remove', { member: member('suspended'), activeOwners: 1 })).toEqual({
      kind: 'proceed',
      status: 'removed',
      revokeGrants: true,
      endSessions: true,
    });
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

describe('planLifecycle: the same rule for a directory', () => {
  const dir = { kind: 'directory' as const, by: 'directory:d1' };
  const member = (status: 'active' | 'suspended', isOwner = false, suspendedBy: string | null = null) => ({ status, isOwner, suspendedBy });

  it('suspends keeping grants and removes revoking them, exactly as an admin does', () => {
    for (const by of [dir, { kind: 'admin' as const }]) {
      expect(planLifecycle('suspend', { member: member('active'), activeOwners: 1 }, by)).toEqual({
        kind: 'proceed',
        status: 'suspended',
        revokeGrants: false,
        endSessions: true,
      });
      expect(planLifecycle('remove', { member: member('active'), activeOwners: 1 }, by)).toEqual({
        kind: 'proceed',
        status: 'removed',
        revokeGrants: true,
        endSessions: true,
      });
    }
  });

  it('restores only a suspension the directory made; an admin restores any', () => {
    expect(planLifecycle('reactivate', { member: member('suspended', false, 'directory:d1'), activeOwners: 1 }, dir)).toMatchObject({
      kind: 'proceed',
      status: 'active',
    });
    expect(planLifecycle('reactivate', { member: member('suspended', false, 'admin'), activeOwners: 1 }, dir)).toEqual({
      kind: 'unchanged',
      reason: 'suspended_by_other',
    });
    expect(planLifecycle('reactivate', { member: member('suspended', false, 'directory:d2'), activeOwners: 1 }, dir)).toEqual({
      kind: 'unchanged',
      reason: 'suspended_by_other',
    });
    expect(planLifecycle('reactivate', { member: member('suspended', false, 'directory:d1'), activeOwners: 1 })).toMatchObject({
      kind: 'proceed',
      status: 'active',
    });
  });

  it('offboards the last owner (the directory is the source of record) and raises the alert; an admin is refused', () => {
    const lastOwner = { member: member('active', true), activeOwners: 1 };
    expect(planLifecycle('suspend', lastOwner, dir)).toEqual({
      kind: 'proceed',
      status: 'suspended',
      revokeGrants: false,
      endSessions: true,
      alert: 'tenant.no_active_owner',
    });
    expect(planLifecycle('remove', lastOwner, dir)).toEqual({
      kind: 'proceed',
      status: 'removed',
      revokeGrants: true,
      endSessions: true,
      alert: 'tenant.no_active_owner',
    });
    expect(planLifecycle('suspend', lastOwner)).toEqual({ kind: 'refuse', reason: 'last_owner' });
    expect(planLifecycle('suspend', { member: member('active', true), activeOwners: 2 }, dir)).not.toHaveProperty('alert');
  });
});
