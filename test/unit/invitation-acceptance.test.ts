import { describe, expect, it } from 'vitest';
import { DEFAULT_APPROVAL_POLICY } from '../../src/domain/approval';
import type { IdentityClaim } from '../../src/domain/claim';
import { DEFAULT_GROUP_SYNC, tenantRoles } from '../../src/domain/groups';
import { plan, type ProvisioningState } from '../../src/domain/plan';

const sso: IdentityClaim = {
  tenantId: 't1',
  connectionId: 'c1',
  subject: 'ann',
  email: 'ann@inv.test',
  emailVerified: true,
  name: 'Ann',
  groups: null,
  attributes: [],
  protocol: 'saml',
};
const state = (over: Partial<ProvisioningState> = {}): ProvisioningState => ({
  tenant: { id: 't1', jitEnabled: false, defaultRoles: ['member'], approval: { ...DEFAULT_APPROVAL_POLICY, when: ['new-accounts'] } },
  connection: { id: 'c1', tenantId: 't1', enabled: true },
  email: 'ann@inv.test',
  linkedUserId: null,
  emailUserId: null,
  membership: null,
  linking: {
    policy: 'approval',
    fallback: 'deny',
    tenantVerifiedDomains: ['inv.test'],
    connectionAllowedDomains: null,
    domainOwnerTenantId: 't1',
    candidateIsPrivileged: false,
    candidateIsExcluded: false,
  },
  attributes: { mode: 'on-first-sign-in', policy: 'review', account: null, assertedCustom: {}, openConflicts: [], emailHeldByOther: false },
  groups: { settings: DEFAULT_GROUP_SYNC, current: [], tenantRoles: tenantRoles([]), ownerFromIdp: false, groupRoles: {} },
  ...over,
});

describe('plan: an accepted invitation (the sign-in rules for a join the admin approved)', () => {
  it("is the admin's yes: a new account and membership although JIT is off and new accounts ask approval", () => {
    expect(plan(state(), { kind: 'invitation', claim: sso, invitedEmail: 'ann@inv.test', roles: [] })).toMatchObject({ kind: 'provision', via: 'jit' });
  });

  it("approves linking the named address's account, but never a privileged one, never under deny, never another address", () => {
    expect(plan(state({ emailUserId: 'u9' }), { kind: 'invitation', claim: sso, invitedEmail: 'ann@inv.test', roles: [] })).toMatchObject({
      kind: 'provision',
      via: 'link',
      userId: 'u9',
    });
    const privileged = state({ emailUserId: 'u9', linking: { ...state().linking, candidateIsPrivileged: true } });
    expect(plan(privileged, { kind: 'invitation', claim: sso, invitedEmail: 'ann@inv.test', roles: [] })).toMatchObject({
      kind: 'deny',
      detail: 'privileged_account',
    });
    const denied = state({ emailUserId: 'u9', linking: { ...state().linking, policy: 'deny' } });
    expect(plan(denied, { kind: 'invitation', claim: sso, invitedEmail: 'ann@inv.test', roles: [] })).toMatchObject({ kind: 'deny', reason: 'link_refused' });
    // allowAnyEmail accepted by another address: the tenant's link policy as it is (approval).
    expect(plan(state({ emailUserId: 'u9' }), { kind: 'invitation', claim: sso, invitedEmail: 'someone@inv.test', roles: [] })).toMatchObject({
      kind: 'approval',
    });
  });

  it("keeps a directory's hold and the cross-tenant rule", () => {
    expect(plan(state({ directoryHold: true }), { kind: 'invitation', claim: sso, invitedEmail: 'ann@inv.test', roles: [] })).toEqual({
      kind: 'deny',
      reason: 'membership_suspended',
    });
    expect(
      plan(state({ linking: { ...state().linking, domainOwnerTenantId: 't2' } }), { kind: 'invitation', claim: sso, invitedEmail: 'ann@inv.test', roles: [] }),
    ).toMatchObject({
      kind: 'deny',
      reason: 'domain_owned_by_other_tenant',
    });
  });

  it('trusts a code-proven address to link its own account in a domain nobody verified — but not a privileged one (a mailbox can change hands)', () => {
    const code: IdentityClaim = { ...sso, protocol: 'email', email: 'bob@freelance.test', subject: 'bob@freelance.test', connectionId: 'c1' };
    const world = state({ email: 'bob@freelance.test', emailUserId: 'u5', linking: { ...state().linking, domainOwnerTenantId: null } });
    expect(plan(world, { kind: 'invitation', claim: code, invitedEmail: 'bob@freelance.test', roles: [] })).toMatchObject({
      kind: 'provision',
      via: 'link',
      userId: 'u5',
    });
    const privileged = { ...world, linking: { ...world.linking, candidateIsPrivileged: true } };
    expect(plan(privileged, { kind: 'invitation', claim: code, invitedEmail: 'bob@freelance.test', roles: [] })).toMatchObject({
      kind: 'deny',
      detail: 'privileged_account',
    });
  });

  it('another address (any address may accept) keeps the link approval the tenant asks for', () => {
    const world = state({
      emailUserId: 'u9',
      linking: { ...state().linking, policy: 'auto' },
      tenant: { ...state().tenant!, approval: { ...DEFAULT_APPROVAL_POLICY, when: ['new-accounts', 'links'] } },
    });
    expect(plan(world, { kind: 'invitation', claim: sso, invitedEmail: 'someone@inv.test', roles: [] })).toMatchObject({
      kind: 'approval',
      reasons: ['links'],
    });
    expect(plan(world, { kind: 'invitation', claim: sso, invitedEmail: 'ann@inv.test', roles: [] })).toMatchObject({ kind: 'provision', via: 'link' });
  });
});
