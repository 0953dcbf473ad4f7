import { describe, expect, it } from 'vitest';
import { plan } from '../../src/domain/plan';

describe('plan: a lifecycle change by an admin', () => {
  const member = (status: 'active' | 'suspended', isOwner = false) => ({ status, isOwner });

  it('suspends an active member (sessions end, grants kept), reactivates a suspended one, removes either (grants revoked)', () => {
    expect(plan({ member: member('active'), activeOwners: 1 }, { kind: 'lifecycle', action: 'suspend', by: { kind: 'admin' } })).toEqual({
      kind: 'proceed',
      status: 'suspended',
      revokeGrants: false,
      endSessions: true,
    });
    expect(plan({ member: member('suspended'), activeOwners: 1 }, { kind: 'lifecycle', action: 'reactivate', by: { kind: 'admin' } })).toEqual({
      kind: 'proceed',
      status: 'active',
      revokeGrants: false,
      endSessions: false,
    });
    expect(plan({ member: member('suspended'), activeOwners: 1 }, { kind: 'lifecycle', action: 'remove', by: { kind: 'admin' } })).toEqual({
      kind: 'proceed',
      status: 'removed',
      revokeGrants: true,
      endSessions: true,
    });
  });

  it('does nothing twice, and refuses a member that does not exist', () => {
    expect(plan({ member: member('suspended'), activeOwners: 0 }, { kind: 'lifecycle', action: 'suspend', by: { kind: 'admin' } })).toEqual({
      kind: 'unchanged',
    });
    expect(plan({ member: member('active'), activeOwners: 0 }, { kind: 'lifecycle', action: 'reactivate', by: { kind: 'admin' } })).toEqual({
      kind: 'unchanged',
    });
    expect(plan({ member: null, activeOwners: 3 }, { kind: 'lifecycle', action: 'remove', by: { kind: 'admin' } })).toEqual({
      kind: 'refuse',
      reason: 'member_not_found',
    });
  });

  it('never takes away the last active owner; another owner, or an already suspended one, may go', () => {
    expect(plan({ member: member('active', true), activeOwners: 1 }, { kind: 'lifecycle', action: 'suspend', by: { kind: 'admin' } })).toEqual({
      kind: 'refuse',
      reason: 'last_owner',
    });
    expect(plan({ member: member('active', true), activeOwners: 1 }, { kind: 'lifecycle', action: 'remove', by: { kind: 'admin' } })).toEqual({
      kind: 'refuse',
      reason: 'last_owner',
    });
    expect(plan({ member: member('active', true), activeOwners: 2 }, { kind: 'lifecycle', action: 'remove', by: { kind: 'admin' } })).toMatchObject({
      kind: 'proceed',
    });
    expect(plan({ member: member('suspended', true), activeOwners: 1 }, { kind: 'lifecycle', action: 'remove', by: { kind: 'admin' } })).toMatchObject({
      kind: 'proceed',
    });
  });
});

describe('plan: a lifecycle change, the same rule for a directory', () => {
  const dir = { kind: 'directory' as const, by: 'directory:d1' };
  const member = (status: 'active' | 'suspended', isOwner = false, suspendedBy: string | null = null) => ({ status, isOwner, suspendedBy });

  it('suspends keeping grants and removes revoking them, exactly as an admin does', () => {
    for (const by of [dir, { kind: 'admin' as const }]) {
      expect(plan({ member: member('active'), activeOwners: 1 }, { kind: 'lifecycle', action: 'suspend', by })).toEqual({
        kind: 'proceed',
        status: 'suspended',
        revokeGrants: false,
        endSessions: true,
      });
      expect(plan({ member: member('active'), activeOwners: 1 }, { kind: 'lifecycle', action: 'remove', by })).toEqual({
        kind: 'proceed',
        status: 'removed',
        revokeGrants: true,
        endSessions: true,
      });
    }
  });

  it('restores only a suspension the directory made; an admin restores any', () => {
    expect(plan({ member: member('suspended', false, 'directory:d1'), activeOwners: 1 }, { kind: 'lifecycle', action: 'reactivate', by: dir })).toMatchObject({
      kind: 'proceed',
      status: 'active',
    });
    expect(plan({ member: member('suspended', false, 'admin'), activeOwners: 1 }, { kind: 'lifecycle', action: 'reactivate', by: dir })).toEqual({
      kind: 'unchanged',
      reason: 'suspended_by_other',
    });
    expect(plan({ member: member('suspended', false, 'directory:d2'), activeOwners: 1 }, { kind: 'lifecycle', action: 'reactivate', by: dir })).toEqual({
      kind: 'unchanged',
      reason: 'suspended_by_other',
    });
    expect(
      plan({ member: member('suspended', false, 'directory:d1'), activeOwners: 1 }, { kind: 'lifecycle', action: 'reactivate', by: { kind: 'admin' } }),
    ).toMatchObject({
      kind: 'proceed',
      status: 'active',
    });
  });

  it('offboards the last owner (the directory is the source of record) and raises the alert; an admin is refused', () => {
    const lastOwner = { member: member('active', true), activeOwners: 1 };
    expect(plan(lastOwner, { kind: 'lifecycle', action: 'suspend', by: dir })).toEqual({
      kind: 'proceed',
      status: 'suspended',
      revokeGrants: false,
      endSessions: true,
      alert: 'tenant.no_active_owner',
    });
    expect(plan(lastOwner, { kind: 'lifecycle', action: 'remove', by: dir })).toEqual({
      kind: 'proceed',
      status: 'removed',
      revokeGrants: true,
      endSessions: true,
      alert: 'tenant.no_active_owner',
    });
    expect(plan(lastOwner, { kind: 'lifecycle', action: 'suspend', by: { kind: 'admin' } })).toEqual({ kind: 'refuse', reason: 'last_owner' });
    expect(plan({ member: member('active', true), activeOwners: 2 }, { kind: 'lifecycle', action: 'suspend', by: dir })).not.toHaveProperty('alert');
  });
});
