import { describe, expect, it } from 'vitest';
import type { IdentityClaim } from '../../src/domain/claim';
import { planProvisioning, type ProvisioningState } from '../../src/domain/planner';

const claim: IdentityClaim = {
  tenantId: 't1',
  connectionId: 'c1',
  subject: 'sarah@sf.test',
  email: 'Sarah@SF.test',
  emailVerified: true,
  name: 'Sarah',
  groups: null,
  attributes: {},
};

const state = (over: Partial<ProvisioningState> = {}): ProvisioningState => ({
  tenant: { id: 't1', jitEnabled: true, defaultRoles: ['member'] },
  connection: { id: 'c1', tenantId: 't1', enabled: true },
  email: 'sarah@sf.test',
  linkedUserId: null,
  emailUserId: null,
  membership: null,
  ...over,
});

describe('planProvisioning', () => {
  it('first sign-in: create the user, link the identity, create the membership with the default roles', () => {
    expect(planProvisioning(state(), claim)).toEqual({
      kind: 'provision',
      userId: null,
      membership: null,
      actions: [
        { kind: 'createUser', email: 'sarah@sf.test', name: 'Sarah' },
        { kind: 'linkIdentity' },
        { kind: 'createMembership', roles: ['member'] },
      ],
    });
  });

  it('returning member: nothing to do', () => {
    const plan = planProvisioning(
      state({ linkedUserId: 'u1', membership: { id: 'm1', userId: 'u1', roles: ['admin'], status: 'active' } }),
      claim,
    );
    expect(plan).toEqual({ kind: 'provision', userId: 'u1', membership: { id: 'm1', roles: ['admin'] }, actions: [] });
  });

  it('linked identity without membership in this tenant: membership only', () => {
    const plan = planProvisioning(state({ linkedUserId: 'u1' }), claim);
    expect(plan).toEqual({ kind: 'provision', userId: 'u1', membership: null, actions: [{ kind: 'createMembership', roles: ['member'] }] });
  });

  it('ignores a membership of another user', () => {
    const plan = planProvisioning(
      state({ linkedUserId: 'u1', membership: { id: 'm9', userId: 'u9', roles: ['admin'], status: 'active' } }),
      claim,
    );
    expect(plan).toMatchObject({ kind: 'provision', actions: [{ kind: 'createMembership' }] });
  });

  it.each([
    ['tenant gone', state({ tenant: null }), 'tenant_not_found'],
    ['connection gone', state({ connection: null }), 'connection_disabled'],
    ['connection disabled', state({ connection: { id: 'c1', tenantId: 't1', enabled: false } }), 'connection_disabled'],
    ['connection of another tenant', state({ connection: { id: 'c1', tenantId: 't2', enabled: true } }), 'connection_disabled'],
    ['no usable email', state({ email: null }), 'email_missing'],
    ['email held by another account (never link silently)', state({ emailUserId: 'u2' }), 'account_exists_link_required'],
    ['JIT disabled', state({ tenant: { id: 't1', jitEnabled: false, defaultRoles: ['member'] } }), 'jit_disabled'],
    [
      'suspended member',
      state({ linkedUserId: 'u1', membership: { id: 'm1', userId: 'u1', roles: [], status: 'suspended' } }),
      'membership_suspended',
    ],
    ['JIT disabled for a linked identity without membership', state({ linkedUserId: 'u1', tenant: { id: 't1', jitEnabled: false, defaultRoles: [] } }), 'jit_disabled'],
  ])('denies: %s', (_name, s, reason) => {
    expect(planProvisioning(s, claim)).toEqual({ kind: 'deny', reason });
  });
});
