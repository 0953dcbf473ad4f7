import { describe, expect, it } from 'vitest';
import type { IdentityClaim } from '../../src/domain/claim';
import { DEFAULT_APPROVAL_POLICY } from '../../src/domain/approval';
import { DEFAULT_GROUP_SYNC, tenantRoles } from '../../src/domain/groups';
import { planProvisioning, type ProvisioningState } from '../../src/domain/planner';

const claim: IdentityClaim = {
  tenantId: 't1',
  connectionId: 'c1',
  subject: 'sarah@sf.test',
  email: 'Sarah@SF.test',
  emailVerified: true,
  name: 'Sarah',
  groups: null,
  attributes: [],
};

const state = (over: Partial<ProvisioningState> = {}): ProvisioningState => ({
  tenant: { id: 't1', jitEnabled: true, defaultRoles: ['member'], approval: DEFAULT_APPROVAL_POLICY },
  connection: { id: 'c1', tenantId: 't1', enabled: true },
  email: 'sarah@sf.test',
  linkedUserId: null,
  emailUserId: null,
  membership: null,
  linking: {
    policy: 'auto',
    fallback: 'deny',
    tenantVerifiedDomains: ['sf.test'],
    connectionAllowedDomains: null,
    domainOwnerTenantId: 't1',
    candidateIsPrivileged: false,
    candidateIsExcluded: false,
  },
  attributes: { mode: 'on-first-sign-in', policy: 'review', account: null, assertedCustom: {}, openConflicts: [], emailHeldByOther: false },
  groups: { settings: DEFAULT_GROUP_SYNC, current: [], tenantRoles: tenantRoles([]), ownerFromIdp: false, groupRoles: {} },
  ...over,
});

describe('planProvisioning', () => {
  it('first sign-in: create the user, link the identity, create the membership with the default roles', () => {
    expect(planProvisioning(state(), claim)).toEqual({
      kind: 'provision',
      via: 'jit',
      userId: null,
      membership: null,
      actions: [
        { kind: 'createUser', email: 'sarah@sf.test', claimEmail: true, name: 'Sarah', attributes: {} },
        { kind: 'linkIdentity' },
        { kind: 'createMembership', roles: ['member'] },
      ],
      groupActions: [],
    });
  });

  it('first sign-in with an email the IdP did not verify: an account that does not claim the address', () => {
    const plan = planProvisioning(state(), { ...claim, emailVerified: false });
    expect(plan).toMatchObject({
      kind: 'provision',
      via: 'jit',
      actions: [{ kind: 'createUser', email: 'sarah@sf.test', claimEmail: false }, { kind: 'linkIdentity' }, { kind: 'createMembership' }],
    });
  });

  it('returning member: nothing to do', () => {
    const plan = planProvisioning(state({ linkedUserId: 'u1', membership: { id: 'm1', userId: 'u1', roles: ['admin'], status: 'active' } }), claim);
    expect(plan).toEqual({ kind: 'provision', via: 'returning', userId: 'u1', membership: { id: 'm1', roles: ['admin'] }, actions: [], groupActions: [] });
  });

  it('linked identity without membership in this tenant: membership only', () => {
    const plan = planProvisioning(state({ linkedUserId: 'u1' }), claim);
    expect(plan).toEqual({
      kind: 'provision',
      via: 'returning',
      userId: 'u1',
      membership: null,
      actions: [{ kind: 'createMembership', roles: ['member'] }],
      groupActions: [],
    });
  });

  it("plans grants and revokes from the groups claim: against the member's grants, or none for a new membership", () => {
    const groups = {
      settings: { ...DEFAULT_GROUP_SYNC, mode: 'full' as const, mappings: [{ value: 'eng', group: 'engineering', roles: [] }] },
      current: [{ kind: 'group' as const, value: 'old', source: 'idp:c1' as const }],
      tenantRoles: tenantRoles([]),
      ownerFromIdp: false,
      groupRoles: { engineering: [], old: [] },
    };
    const withGroups = { ...claim, groups: ['eng'] };
    const returning = planProvisioning(
      state({ groups, linkedUserId: 'u1', membership: { id: 'm1', userId: 'u1', roles: ['member'], status: 'active' } }),
      withGroups,
    );
    expect(returning).toMatchObject({
      groupActions: [
        { kind: 'revoke', grant: { kind: 'group', value: 'old', source: 'idp:c1' } },
        { kind: 'grant', grant: { kind: 'group', value: 'engineering', source: 'idp:c1' }, createGroup: false },
      ],
    });
    expect(planProvisioning(state({ groups }), withGroups)).toMatchObject({
      via: 'jit',
      groupActions: [{ kind: 'grant', grant: { value: 'engineering' } }],
    });
  });

  it('the approval policy parks a plan that fires a trigger (new account; admin from groups)', () => {
    const tenant = { id: 't1', jitEnabled: true, defaultRoles: ['member'], approval: { when: ['new-accounts' as const], expirySeconds: 60 } };
    expect(planProvisioning(state({ tenant }), claim)).toMatchObject({ kind: 'approval', reasons: ['new-accounts'], expirySeconds: 60, then: { via: 'jit' } });
    const returning = state({
      tenant: { ...tenant, approval: { when: ['privileged-grant'], expirySeconds: 60 } },
      linkedUserId: 'u1',
      membership: { id: 'm1', userId: 'u1', roles: ['member'], status: 'active' },
      groups: {
        settings: { ...DEFAULT_GROUP_SYNC, mode: 'full', mappings: [{ value: 'admins', group: 'administrators', roles: [] }] },
        current: [],
        tenantRoles: tenantRoles([]),
        ownerFromIdp: false,
        groupRoles: { administrators: ['admin'] },
      },
    });
    expect(planProvisioning(returning, { ...claim, groups: ['admins'] })).toMatchObject({ kind: 'approval', reasons: ['privileged-grant'] });
    expect(planProvisioning(returning, { ...claim, groups: [] })).toMatchObject({ kind: 'provision', via: 'returning' });
  });

  it('"unverified-domain" parks a new member whose IdP did not verify the address, even on a domain the tenant verified', () => {
    const tenant = { id: 't1', jitEnabled: true, defaultRoles: ['member'], approval: { when: ['unverified-domain' as const], expirySeconds: 60 } };
    expect(planProvisioning(state({ tenant }), claim)).toMatchObject({ kind: 'provision', via: 'jit' });
    expect(planProvisioning(state({ tenant }), { ...claim, emailVerified: false })).toMatchObject({ kind: 'approval', reasons: ['unverified-domain'] });
    const otherDomain = state({ tenant, linking: { ...state().linking, tenantVerifiedDomains: ['other.test'] } });
    expect(planProvisioning(otherDomain, claim)).toMatchObject({ kind: 'approval', reasons: ['unverified-domain'] });
  });

  it('ignores a membership of another user', () => {
    const plan = planProvisioning(state({ linkedUserId: 'u1', membership: { id: 'm9', userId: 'u9', roles: ['admin'], status: 'active' } }), claim);
    expect(plan).toMatchObject({ kind: 'provision', actions: [{ kind: 'createMembership' }] });
  });

  it.each([
    ['tenant gone', state({ tenant: null }), 'tenant_not_found'],
    ['connection gone', state({ connection: null }), 'connection_disabled'],
    ['connection disabled', state({ connection: { id: 'c1', tenantId: 't1', enabled: false } }), 'connection_disabled'],
    ['connection of another tenant', state({ connection: { id: 'c1', tenantId: 't2', enabled: true } }), 'connection_disabled'],
    ['no usable email', state({ email: null }), 'email_missing'],
    ['JIT disabled', state({ tenant: { id: 't1', jitEnabled: false, defaultRoles: ['member'], approval: DEFAULT_APPROVAL_POLICY } }), 'jit_disabled'],
    ['suspended member', state({ linkedUserId: 'u1', membership: { id: 'm1', userId: 'u1', roles: [], status: 'suspended' } }), 'membership_suspended'],
    [
      'JIT disabled for a linked identity without membership',
      state({ linkedUserId: 'u1', tenant: { id: 't1', jitEnabled: false, defaultRoles: [], approval: DEFAULT_APPROVAL_POLICY } }),
      'jit_disabled',
    ],
    ['JIT into a domain another tenant verified', state({ linking: { ...state().linking, domainOwnerTenantId: 't2' } }), 'domain_owned_by_other_tenant'],
  ])('denies: %s', (_name, s, reason) => {
    expect(planProvisioning(s, claim)).toEqual({ kind: 'deny', reason });
  });

  describe('an authoritative directory', () => {
    const authoritative = { id: 't1', jitEnabled: true, defaultRoles: ['member'], approval: DEFAULT_APPROVAL_POLICY, directoryAuthoritative: true };

    it('a sign-in creates no membership the directory did not push: not a new account, not a link of an existing one', () => {
      expect(planProvisioning(state({ tenant: authoritative }), claim)).toEqual({ kind: 'deny', reason: 'not_provisioned_by_directory' });
      expect(planProvisioning(state({ tenant: authoritative, emailUserId: 'u9' }), claim)).toEqual({ kind: 'deny', reason: 'not_provisioned_by_directory' });
      expect(planProvisioning(state({ tenant: authoritative, linkedUserId: 'u1' }), claim)).toEqual({ kind: 'deny', reason: 'not_provisioned_by_directory' });
    });

    it('a person the directory pushed signs in (linking the IdP identity to that account); the directory itself still provisions', () => {
      const pushed = { id: 'm1', userId: 'u1', roles: ['member'], status: 'active' as const };
      expect(planProvisioning(state({ tenant: authoritative, emailUserId: 'u1', membership: pushed }), claim)).toMatchObject({
        kind: 'provision',
        via: 'link',
        userId: 'u1',
      });
      const directory = state({ tenant: authoritative, connection: { id: 'd1', tenantId: 't1', enabled: true, directory: true } });
      expect(planProvisioning(directory, { ...claim, connectionId: 'd1', protocol: 'scim' })).toMatchObject({ kind: 'provision', via: 'jit' });
    });
  });

  describe("the tenant's subject rule names a directory User", () => {
    const pushed = { id: 'm7', userId: 'u7', roles: ['member'], status: 'active' as const };

    it("links the identity to that User's account, whatever account the email names and whatever the link policy", () => {
      const plan = planProvisioning(
        state({ directoryUserId: 'u7', emailUserId: 'u9', membership: pushed, linking: { ...state().linking, policy: 'deny' } }),
        claim,
      );
      expect(plan).toEqual({
        kind: 'provision',
        via: 'link',
        userId: 'u7',
        membership: { id: 'm7', roles: ['member'] },
        actions: [{ kind: 'linkIdentity' }],
        groupActions: [],
      });
    });

    it('a suspended User is refused; an authoritative directory lets its own person in; a linked identity is what it is linked to', () => {
      expect(planProvisioning(state({ directoryUserId: 'u7', membership: { ...pushed, status: 'suspended' } }), claim)).toEqual({
        kind: 'deny',
        reason: 'membership_suspended',
      });
      const authoritative = { id: 't1', jitEnabled: false, defaultRoles: ['member'], approval: DEFAULT_APPROVAL_POLICY, directoryAuthoritative: true };
      expect(planProvisioning(state({ tenant: authoritative, directoryUserId: 'u7', membership: pushed }), claim)).toMatchObject({
        kind: 'provision',
        userId: 'u7',
      });
      expect(planProvisioning(state({ tenant: authoritative, directoryUserId: 'u7' }), claim)).toEqual({
        kind: 'deny',
        reason: 'not_provisioned_by_directory',
      });
    });

    it('an account privileged somewhere or excluded is never linked silently: the fallback decides', () => {
      const privileged = { ...state().linking, candidateIsPrivileged: true };
      expect(planProvisioning(state({ directoryUserId: 'u7', membership: pushed, linking: privileged }), claim)).toEqual({
        kind: 'deny',
        reason: 'link_refused',
        detail: 'privileged_account',
      });
      expect(planProvisioning(state({ directoryUserId: 'u7', membership: pushed, linking: { ...privileged, fallback: 'approval' } }), claim)).toMatchObject({
        kind: 'approval',
        reasons: ['privileged_account'],
        then: { via: 'link', userId: 'u7' },
      });
      expect(planProvisioning(state({ directoryUserId: 'u7', linking: { ...state().linking, candidateIsExcluded: true } }), claim)).toMatchObject({
        kind: 'deny',
        detail: 'excluded_account',
      });
    });

    it('a directory push itself is not matched by the rule', () => {
      const directory = state({ directoryUserId: 'u7', connection: { id: 'd1', tenantId: 't1', enabled: true, directory: true } });
      expect(planProvisioning(directory, { ...claim, connectionId: 'd1', protocol: 'scim' })).toMatchObject({ kind: 'provision', via: 'jit' });
    });
  });

  it('a returning member with every-sign-in sync gets the attribute actions of the policy', () => {
    const plan = planProvisioning(
      state({
        linkedUserId: 'u1',
        membership: { id: 'm1', userId: 'u1', roles: ['member'], status: 'active' },
        attributes: {
          mode: 'every-sign-in',
          policy: 'idp-wins',
          account: { name: 'Old', email: 'sarah@sf.test' },
          assertedCustom: {},
          openConflicts: [],
          emailHeldByOther: false,
        },
      }),
      claim,
    );
    expect(plan).toMatchObject({ kind: 'provision', via: 'returning', actions: [{ kind: 'updateAttribute', field: 'name', from: 'Old', to: 'Sarah' }] });
  });

  describe('an account already holds the email (acquisitions)', () => {
    /** Peter's existing account gains this identity and a membership here. */
    const linkToPeter = {
      kind: 'provision',
      via: 'link',
      userId: 'u-peter',
      membership: null,
      actions: [{ kind: 'linkIdentity' }, { kind: 'createMembership', roles: ['member'] }],
      groupActions: [],
    };

    it('auto-links a trustworthy email: link the identity and add the membership — no new account', () => {
      expect(planProvisioning(state({ emailUserId: 'u-peter' }), claim)).toEqual(linkToPeter);
    });

    it('links without a second membership when the account is already a member here', () => {
      const plan = planProvisioning(state({ emailUserId: 'u-peter', membership: { id: 'm1', userId: 'u-peter', roles: ['member'], status: 'active' } }), claim);
      expect(plan).toMatchObject({ kind: 'provision', via: 'link', actions: [{ kind: 'linkIdentity' }] });
    });

    it.each([
      ['an unverified email', { emailVerified: false }, {}, 'link_refused', 'email_not_verified'],
      ['an unverified domain', {}, { tenantVerifiedDomains: [], domainOwnerTenantId: null }, 'link_refused', 'domain_not_verified'],
      ['a privileged account', {}, { candidateIsPrivileged: true }, 'link_refused', 'privileged_account'],
      ['an excluded account', {}, { candidateIsExcluded: true }, 'link_refused', 'excluded_account'],
      ['policy deny', {}, { policy: 'deny' as const }, 'link_refused', 'policy_deny'],
    ])('does not link %s', (_n, claimOver, linkingOver, reason, detail) => {
      const plan = planProvisioning(state({ emailUserId: 'u-peter', linking: { ...state().linking, ...linkingOver } }), { ...claim, ...claimOver });
      expect(plan).toEqual({ kind: 'deny', reason, detail });
    });

    it('parks the link for an admin when the fallback (or the policy) is approval, carrying the plan to run once approved', () => {
      const plan = planProvisioning(
        state({ emailUserId: 'u-peter', linking: { ...state().linking, candidateIsPrivileged: true, fallback: 'approval' } }),
        claim,
      );
      expect(plan).toEqual({
        kind: 'approval',
        reasons: ['privileged_account'],
        expirySeconds: DEFAULT_APPROVAL_POLICY.expirySeconds,
        then: linkToPeter,
      });
    });
  });
});
