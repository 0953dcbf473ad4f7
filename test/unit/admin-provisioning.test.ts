import { describe, expect, it } from 'vitest';
import { plan, type AdminProvisioningState, type MemberRequest } from '../../src/domain/plan';

const request: MemberRequest = { email: 'Ana@Acq.test', name: 'Ana', roles: ['member'], groups: ['Support'], externalId: null };
const state = (over: Partial<AdminProvisioningState> = {}): AdminProvisioningState => ({
  tenant: {
    id: 't1',
    roles: ['owner', 'admin', 'member'],
    defaultRoles: ['member'],
    groups: ['Support'],
    verifiedDomains: ['acq.test'],
    linkPolicy: 'auto',
    linkFallback: 'deny',
  },
  email: 'ana@acq.test',
  emailUserId: null,
  domainOwnerTenantId: 't1',
  membership: null,
  candidateIsPrivileged: false,
  candidateIsExcluded: false,
  ...over,
});

describe('plan: a member the admin API or an import adds', () => {
  it('creates a new account in a verified domain, with the roles and groups asked for', () => {
    expect(plan(state(), { kind: 'adminCreate', request })).toEqual({ outcome: 'created', roles: ['member'], groups: ['Support'] });
    expect(plan(state(), { kind: 'adminCreate', request: { ...request, roles: [], groups: [] } })).toEqual({
      outcome: 'created',
      roles: ['member'],
      groups: [],
    });
  });

  it('fails rows it cannot read: bad email, unknown role, unknown group', () => {
    expect(plan(state({ email: null }), { kind: 'adminCreate', request: { ...request, email: 'not-an-email' } })).toMatchObject({
      outcome: 'failed',
      reason: 'email_invalid',
    });
    expect(plan(state(), { kind: 'adminCreate', request: { ...request, roles: ['superuser'] } })).toEqual({
      outcome: 'failed',
      reason: 'unknown_role',
      detail: 'superuser',
    });
    expect(plan(state(), { kind: 'adminCreate', request: { ...request, groups: ['Nope'] } })).toEqual({
      outcome: 'failed',
      reason: 'unknown_group',
      detail: 'Nope',
    });
    expect(plan(state({ tenant: null }), { kind: 'adminCreate', request })).toMatchObject({ outcome: 'failed', reason: 'tenant_not_found' });
  });

  it("never provisions another tenant's verified domain, nor claims an unverified one", () => {
    expect(plan(state({ domainOwnerTenantId: 't2' }), { kind: 'adminCreate', request })).toMatchObject({
      outcome: 'skipped',
      reason: 'domain_owned_by_other_tenant',
    });
    const unverified = state({ tenant: { ...state().tenant!, verifiedDomains: [] }, domainOwnerTenantId: null });
    expect(plan(unverified, { kind: 'adminCreate', request })).toMatchObject({ outcome: 'skipped', reason: 'domain_not_verified' });
    // An import row is the admin's word too (an address its owner proved, an accepted invitation, creates: plan-intents.test.ts).
    expect(plan(unverified, { kind: 'importRow', request })).toMatchObject({ outcome: 'skipped', reason: 'domain_not_verified' });
  });

  it('links an existing account (acquisitions) only as the link policy says: auto links, approval is pending, deny skips', () => {
    expect(plan(state({ emailUserId: 'u9' }), { kind: 'adminCreate', request })).toEqual({
      outcome: 'linked',
      userId: 'u9',
      roles: ['member'],
      groups: ['Support'],
    });
    const approval = state({ emailUserId: 'u9', tenant: { ...state().tenant!, linkPolicy: 'approval' } });
    expect(plan(approval, { kind: 'adminCreate', request })).toEqual({ outcome: 'pending', reason: 'link_requires_approval', detail: 'policy_approval' });
    expect(plan(state({ emailUserId: 'u9', tenant: { ...state().tenant!, linkPolicy: 'deny' } }), { kind: 'adminCreate', request })).toMatchObject({
      outcome: 'skipped',
      reason: 'link_refused',
    });
    expect(plan(state({ emailUserId: 'u9', candidateIsPrivileged: true }), { kind: 'adminCreate', request })).toMatchObject({
      outcome: 'skipped',
      detail: 'privileged_account',
    });
  });

  it("an approved import row's link is made; one the rules now refuse (policy deny, a privileged account under auto/deny) stays refused whatever the approval", () => {
    const approval = state({ emailUserId: 'u9', tenant: { ...state().tenant!, linkPolicy: 'approval' } });
    expect(plan(approval, { kind: 'importRow', request: request, linkApproved: true })).toEqual({
      outcome: 'linked',
      userId: 'u9',
      roles: ['member'],
      groups: ['Support'],
    });
    expect(plan(state({ emailUserId: 'u9', candidateIsPrivileged: true }), { kind: 'importRow', request: request, linkApproved: true })).toMatchObject({
      outcome: 'skipped',
      reason: 'link_refused',
      detail: 'privileged_account',
    });
    expect(
      plan(state({ emailUserId: 'u9', tenant: { ...state().tenant!, linkPolicy: 'deny' } }), { kind: 'importRow', request: request, linkApproved: true }),
    ).toMatchObject({ outcome: 'skipped', reason: 'link_refused' });
    expect(plan({ ...approval, membership: { id: 'm', status: 'active' } }, { kind: 'importRow', request: request, linkApproved: true })).toEqual({
      outcome: 'unchanged',
      userId: 'u9',
    });
  });

  it('leaves an existing member as they are; a suspended one is skipped', () => {
    expect(plan(state({ emailUserId: 'u9', membership: { id: 'm', status: 'active' } }), { kind: 'adminCreate', request })).toEqual({
      outcome: 'unchanged',
      userId: 'u9',
    });
    expect(plan(state({ emailUserId: 'u9', membership: { id: 'm', status: 'suspended' } }), { kind: 'adminCreate', request })).toMatchObject({
      outcome: 'skipped',
      reason: 'membership_suspended',
    });
  });
});
