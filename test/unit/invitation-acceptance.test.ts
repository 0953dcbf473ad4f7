import { describe, expect, it } from 'vitest';
import { DEFAULT_APPROVAL_POLICY } from '../../src/domain/approval';
import type { IdentityClaim } from '../../src/domain/claim';
import { DEFAULT_GROUP_SYNC, tenantRoles } from '../../src/domain/groups';
import { planProvisioning, type ProvisioningState } from '../../src/domain/planner';
import { invitationState } from '../../workflows/invitationAcceptanceFlow';

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

describe('an invitation seen by the sign-in planner', () => {
  it("is the admin's yes: a new account and membership although JIT is off and new accounts ask approval", () => {
    expect(planProvisioning(invitationState(state(), sso, 'ann@inv.test'), sso)).toMatchObject({ kind: 'provision', via: 'jit' });
  });

  it("approves linking the named address's account, but never a privileged one, never under deny, never another address", () => {
    expect(planProvisioning(invitationState(state({ emailUserId: 'u9' }), sso, 'ann@inv.test'), sso)).toMatchObject({
      kind: 'provision',
      via: 'link',
      userId: 'u9',
    });
    const privileged = state({ emailUserId: 'u9', linking: { ...state().linking, candidateIsPrivileged: true } });
    expect(planProvisioning(invitationState(privileged, sso, 'ann@inv.test'), sso)).toMatchObject({ kind: 'deny', detail: 'privileged_account' });
    const denied = state({ emailUserId: 'u9', linking: { ...state().linking, policy: 'deny' } });
    expect(planProvisioning(invitationState(denied, sso, 'ann@inv.test'), sso)).toMatchObject({ kind: 'deny', reason: 'link_refused' });
    // allowAnyEmail accepted by another address: the tenant's link policy as it is (approval).
    expect(planProvisioning(invitationState(state({ emailUserId: 'u9' }), sso, 'someone@inv.test'), sso)).toMatchObject({ kind: 'approval' });
  });

  it("keeps a directory's hold and the cross-tenant rule", () => {
    expect(planProvisioning(invitationState(state({ directoryHold: true }), sso, 'ann@inv.test'), sso)).toEqual({
      kind: 'deny',
      reason: 'membership_suspended',
    });
    expect(planProvisioning(invitationState(state({ linking: { ...state().linking, domainOwnerTenantId: 't2' } }), sso, 'ann@inv.test'), sso)).toMatchObject({
      kind: 'deny',
      reason: 'domain_owned_by_other_tenant',
    });
  });

  it('trusts a code-proven address to link its own account in a domain nobody verified — but not a privileged one (a mailbox can change hands)', () => {
    const code: IdentityClaim = { ...sso, protocol: 'email', email: 'bob@freelance.test', subject: 'bob@freelance.test', connectionId: 'c1' };
    const world = state({ email: 'bob@freelance.test', emailUserId: 'u5', linking: { ...state().linking, domainOwnerTenantId: null } });
    expect(planProvisioning(invitationState(world, code, 'bob@freelance.test'), code)).toMatchObject({ kind: 'provision', via: 'link', userId: 'u5' });
    const privileged = { ...world, linking: { ...world.linking, candidateIsPrivileged: true } };
    expect(planProvisioning(invitationState(privileged, code, 'bob@freelance.test'), code)).toMatchObject({ kind: 'deny', detail: 'privileged_account' });
  });

  it('another address (any address may accept) keeps the link approval the tenant asks for', () => {
    const world = state({
      emailUserId: 'u9',
      linking: { ...state().linking, policy: 'auto' },
      tenant: { ...state().tenant!, approval: { ...DEFAULT_APPROVAL_POLICY, when: ['new-accounts', 'links'] } },
    });
    expect(planProvisioning(invitationState(world, sso, 'someone@inv.test'), sso)).toMatchObject({ kind: 'approval', reasons: ['links'] });
    expect(planProvisioning(invitationState(world, sso, 'ann@inv.test'), sso)).toMatchObject({ kind: 'provision', via: 'link' });
  });
});
