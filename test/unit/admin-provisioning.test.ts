import { describe, expect, it } from 'vitest';
import { planAdminProvisioning, type AdminProvisioningState, type MemberRequest } from '../../src/domain/adminProvisioning';

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

describe('planAdminProvisioning', () => {
  it('creates a new account in a verified domain, with the roles and groups asked for', () => {
    expect(planAdminProvisioning(state(), request)).toEqual({ outcome: 'created', roles: ['member'], groups: ['Support'] });
    expect(planAdminProvisioning(state(), { ...request, roles: [], groups: [] })).toEqual({ outcome: 'created', roles: ['member'], groups: [] });
  });

  it('fails rows it cannot read: bad email, unknown role, unknown group', () => {
    expect(planAdminProvisioning(state({ email: null }), { ...request, email: 'not-an-email' })).toMatchObject({ outcome: 'failed', reason: 'email_invalid' });
    expect(planAdminProvisioning(state(), { ...request, roles: ['superuser'] })).toEqual({ outcome: 'failed', reason: 'unknown_role', detail: 'superuser' });
    expect(planAdminProvisioning(state(), { ...request, groups: ['Nope'] })).toEqual({ outcome: 'failed', reason: 'unknown_group', detail: 'Nope' });
    expect(planAdminProvisioning(state({ tenant: null }), request)).toMatchObject({ outcome: 'failed', reason: 'tenant_not_found' });
  });

  it("never provisions another tenant's verified domain, nor claims an unverified one unless its owner proved it", () => {
    expect(planAdminProvisioning(state({ domainOwnerTenantId: 't2' }), request)).toMatchObject({ outcome: 'skipped', reason: 'domain_owned_by_other_tenant' });
    const unverified = state({ tenant: { ...state().tenant!, verifiedDomains: [] }, domainOwnerTenantId: null });
    expect(planAdminProvisioning(unverified, request)).toMatchObject({ outcome: 'skipped', reason: 'domain_not_verified' });
    expect(planAdminProvisioning(unverified, request, { emailProven: true })).toMatchObject({ outcome: 'created' });
  });

  it('links an existing account (acquisitions) only as the link policy says: auto links, approval is pending, deny skips', () => {
    expect(planAdminProvisioning(state({ emailUserId: 'u9' }), request)).toEqual({ outcome: 'linked', userId: 'u9', roles: ['member'], groups: ['Support'] });
    const approval = state({ emailUserId: 'u9', tenant: { ...state().tenant!, linkPolicy: 'approval' } });
    expect(planAdminProvisioning(approval, request)).toEqual({ outcome: 'pending', reason: 'link_requires_approval', detail: 'policy_approval' });
    expect(planAdminProvisioning(state({ emailUserId: 'u9', tenant: { ...state().tenant!, linkPolicy: 'deny' } }), request)).toMatchObject({
      outcome: 'skipped',
      reason: 'link_refused',
    });
    expect(planAdminProvisioning(state({ emailUserId: 'u9', candidateIsPrivileged: true }), request)).toMatchObject({
      outcome: 'skipped',
      detail: 'privileged_account',
    });
  });

  it("an approved import row's link is made; one the rules now refuse (policy deny, a privileged account under auto/deny) stays refused whatever the approval", () => {
    const approval = state({ emailUserId: 'u9', tenant: { ...state().tenant!, linkPolicy: 'approval' } });
    expect(planAdminProvisioning(approval, request, { linkApproved: true })).toEqual({
      outcome: 'linked',
      userId: 'u9',
      roles: ['member'],
      groups: ['Support'],
    });
    expect(planAdminProvisioning(state({ emailUserId: 'u9', candidateIsPrivileged: true }), request, { linkApproved: true })).toMatchObject({
      outcome: 'skipped',
      reason: 'link_refused',
      detail: 'privileged_account',
    });
    expect(
      planAdminProvisioning(state({ emailUserId: 'u9', tenant: { ...state().tenant!, linkPolicy: 'deny' } }), request, { linkApproved: true }),
    ).toMatchObject({ outcome: 'skipped', reason: 'link_refused' });
    expect(planAdminProvisioning({ ...approval, membership: { id: 'm', status: 'active' } }, request, { linkApproved: true })).toEqual({
      outcome: 'unchanged',
      userId: 'u9',
    });
  });

  it('leaves an existing member as they are; a suspended one is skipped', () => {
    expect(planAdminProvisioning(state({ emailUserId: 'u9', membership: { id: 'm', status: 'active' } }), request)).toEqual({
      outcome: 'unchanged',
      userId: 'u9',
    });
    expect(planAdminProvisioning(state({ emailUserId: 'u9', membership: { id: 'm', status: 'suspended' } }), request)).toMatchObject({
      outcome: 'skipped',
      reason: 'membership_suspended',
    });
  });
});
