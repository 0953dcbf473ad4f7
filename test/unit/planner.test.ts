import { describe, expect, it } from 'vitest';
import type { IdentityClaim } from '../../src/domain/claim';
import { DEFAULT_APPROVAL_POLICY } from '../../src/domain/approval';
import { DEFAULT_GROUP_SYNC, tenantRoles } from '../../src/domain/groups';
import { plan, type ProvisioningState } from '../../src/domain/plan';

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

describe('plan: a sign-in (and a directory push)', () => {
  it('first sign-in: create the user, link the identity, create the membership with the default roles', () => {
    expect(plan(state(), { kind: 'signIn', claim })).toEqual({
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
    const planned = plan(state(), { kind: 'signIn', claim: { ...claim, emailVerified: false } });
    expect(planned).toMatchObject({
      kind: 'provision',
      via: 'jit',
      actions: [{ kind: 'createUser', email: 'sarah@sf.test', claimEmail: false }, { kind: 'linkIdentity' }, { kind: 'createMembership' }],
    });
  });

  it('returning member: nothing to do', () => {
    const planned = plan(state({ linkedUserId: 'u1', membership: { id: 'm1', userId: 'u1', roles: ['admin'], status: 'active' } }), { kind: 'signIn', claim });
    expect(planned).toEqual({ kind: 'provision', via: 'returning', userId: 'u1', membership: { id: 'm1', roles: ['admin'] }, actions: [], groupActions: [] });
  });

  it('linked identity without membership in this tenant: membership only', () => {
    const planned = plan(state({ linkedUserId: 'u1' }), { kind: 'signIn', claim });
    expect(planned).toEqual({
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
    const returning = plan(state({ groups, linkedUserId: 'u1', membership: { id: 'm1', userId: 'u1', roles: ['member'], status: 'active' } }), {
      kind: 'signIn',
      claim: withGroups,
    });
    expect(returning).toMatchObject({
      groupActions: [
        { kind: 'revoke', grant: { kind: 'group', value: 'old', source: 'idp:c1' } },
        { kind: 'grant', grant: { kind: 'group', value: 'engineering', source: 'idp:c1' }, createGroup: false },
      ],
    });
    expect(plan(state({ groups }), { kind: 'signIn', claim: withGroups })).toMatchObject({
      via: 'jit',
      groupActions: [{ kind: 'grant', grant: { value: 'engineering' } }],
    });
  });

  it('the approval policy parks a plan that fires a trigger (new account; admin from groups)', () => {
    const tenant = { id: 't1', jitEnabled: true, defaultRoles: ['member'], approval: { when: ['new-accounts' as const], expirySeconds: 60 } };
    expect(plan(state({ tenant }), { kind: 'signIn', claim })).toMatchObject({
      kind: 'approval',
      reasons: ['new-accounts'],
      expirySeconds: 60,
      then: { via: 'jit' },
    });
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
    expect(plan(returning, { kind: 'signIn', claim: { ...claim, groups: ['admins'] } })).toMatchObject({ kind: 'approval', reasons: ['privileged-grant'] });
    expect(plan(returning, { kind: 'signIn', claim: { ...claim, groups: [] } })).toMatchObject({ kind: 'provision', via: 'returning' });
  });

  it('"unverified-domain" parks a new member whose IdP did not verify the address, even on a domain the tenant verified', () => {
    const tenant = { id: 't1', jitEnabled: true, defaultRoles: ['member'], approval: { when: ['unverified-domain' as const], expirySeconds: 60 } };
    expect(plan(state({ tenant }), { kind: 'signIn', claim })).toMatchObject({ kind: 'provision', via: 'jit' });
    expect(plan(state({ tenant }), { kind: 'signIn', claim: { ...claim, emailVerified: false } })).toMatchObject({
      kind: 'approval',
      reasons: ['unverified-domain'],
    });
    const otherDomain = state({ tenant, linking: { ...state().linking, tenantVerifiedDomains: ['other.test'] } });
    expect(plan(otherDomain, { kind: 'signIn', claim })).toMatchObject({ kind: 'approval', reasons: ['unverified-domain'] });
  });

  it('ignores a membership of another user', () => {
    const planned = plan(state({ linkedUserId: 'u1', membership: { id: 'm9', userId: 'u9', roles: ['admin'], status: 'active' } }), { kind: 'signIn', claim });
    expect(planned).toMatchObject({ kind: 'provision', actions: [{ kind: 'createMembership' }] });
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
    expect(plan(s, { kind: 'signIn', claim })).toEqual({ kind: 'deny', reason });
  });

  describe('an authoritative directory', () => {
    const authoritative = { id: 't1', jitEnabled: true, defaultRoles: ['member'], approval: DEFAULT_APPROVAL_POLICY, directoryAuthoritative: true };

    it('a sign-in creates no membership the directory did not push: not a new account, not a link of an existing one', () => {
      expect(plan(state({ tenant: authoritative }), { kind: 'signIn', claim })).toEqual({ kind: 'deny', reason: 'not_provisioned_by_directory' });
      expect(plan(state({ tenant: authoritative, emailUserId: 'u9' }), { kind: 'signIn', claim })).toEqual({
        kind: 'deny',
        reason: 'not_provisioned_by_directory',
      });
      expect(plan(state({ tenant: authoritative, linkedUserId: 'u1' }), { kind: 'signIn', claim })).toEqual({
        kind: 'deny',
        reason: 'not_provisioned_by_directory',
      });
    });

    it('a person the directory pushed signs in (linking the IdP identity to that account); the directory itself still provisions', () => {
      const pushed = { id: 'm1', userId: 'u1', roles: ['member'], status: 'active' as const };
      expect(plan(state({ tenant: authoritative, emailUserId: 'u1', membership: pushed }), { kind: 'signIn', claim })).toMatchObject({
        kind: 'provision',
        via: 'link',
        userId: 'u1',
      });
      const directory = state({ tenant: authoritative, connection: { id: 'd1', tenantId: 't1', enabled: true, directory: true } });
      expect(plan(directory, { kind: 'directory', claim: { ...claim, connectionId: 'd1', protocol: 'scim' } })).toMatchObject({
        kind: 'provision',
        via: 'jit',
      });
    });
  });

  describe("the tenant's subject rule names a directory User", () => {
    const pushed = { id: 'm7', userId: 'u7', roles: ['member'], status: 'active' as const };

    it("links the identity to that User's account, whatever account the email names and whatever the link policy", () => {
      const planned = plan(state({ directoryUserId: 'u7', emailUserId: 'u9', membership: pushed, linking: { ...state().linking, policy: 'deny' } }), {
        kind: 'signIn',
        claim,
      });
      expect(planned).toEqual({
        kind: 'provision',
        via: 'link',
        userId: 'u7',
        membership: { id: 'm7', roles: ['member'] },
        actions: [{ kind: 'linkIdentity' }],
        groupActions: [],
      });
    });

    it('a suspended User is refused; an authoritative directory lets its own person in; a linked identity is what it is linked to', () => {
      expect(plan(state({ directoryUserId: 'u7', membership: { ...pushed, status: 'suspended' } }), { kind: 'signIn', claim })).toEqual({
        kind: 'deny',
        reason: 'membership_suspended',
      });
      const authoritative = { id: 't1', jitEnabled: false, defaultRoles: ['member'], approval: DEFAULT_APPROVAL_POLICY, directoryAuthoritative: true };
      expect(plan(state({ tenant: authoritative, directoryUserId: 'u7', membership: pushed }), { kind: 'signIn', claim })).toMatchObject({
        kind: 'provision',
        userId: 'u7',
      });
      expect(plan(state({ tenant: authoritative, directoryUserId: 'u7' }), { kind: 'signIn', claim })).toEqual({
        kind: 'deny',
        reason: 'not_provisioned_by_directory',
      });
    });

    it('an account privileged somewhere or excluded is never linked silently: the fallback decides', () => {
      const privileged = { ...state().linking, candidateIsPrivileged: true };
      expect(plan(state({ directoryUserId: 'u7', membership: pushed, linking: privileged }), { kind: 'signIn', claim })).toEqual({
        kind: 'deny',
        reason: 'link_refused',
        detail: 'privileged_account',
      });
      expect(
        plan(state({ directoryUserId: 'u7', membership: pushed, linking: { ...privileged, fallback: 'approval' } }), { kind: 'signIn', claim }),
      ).toMatchObject({
        kind: 'approval',
        reasons: ['privileged_account'],
        then: { via: 'link', userId: 'u7' },
      });
      expect(plan(state({ directoryUserId: 'u7', linking: { ...state().linking, candidateIsExcluded: true } }), { kind: 'signIn', claim })).toMatchObject({
        kind: 'deny',
        detail: 'excluded_account',
      });
    });

    it('a directory push itself is not matched by the rule', () => {
      const directory = state({ directoryUserId: 'u7', connection: { id: 'd1', tenantId: 't1', enabled: true, directory: true } });
      expect(plan(directory, { kind: 'directory', claim: { ...claim, connectionId: 'd1', protocol: 'scim' } })).toMatchObject({
        kind: 'provision',
        via: 'jit',
      });
    });
  });

  it('a returning member with every-sign-in sync gets the attribute actions of the policy', () => {
    const planned = plan(
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
      { kind: 'signIn', claim },
    );
    expect(planned).toMatchObject({ kind: 'provision', via: 'returning', actions: [{ kind: 'updateAttribute', field: 'name', from: 'Old', to: 'Sarah' }] });
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
      expect(plan(state({ emailUserId: 'u-peter' }), { kind: 'signIn', claim })).toEqual(linkToPeter);
    });

    it('links without a second membership when the account is already a member here', () => {
      const planned = plan(state({ emailUserId: 'u-peter', membership: { id: 'm1', userId: 'u-peter', roles: ['member'], status: 'active' } }), {
        kind: 'signIn',
        claim,
      });
      expect(planned).toMatchObject({ kind: 'provision', via: 'link', actions: [{ kind: 'linkIdentity' }] });
    });

    it.each([
      ['an unverified email', { emailVerified: false }, {}, 'link_refused', 'email_not_verified'],
      ['an unverified domain', {}, { tenantVerifiedDomains: [], domainOwnerTenantId: null }, 'link_refused', 'domain_not_verified'],
      ['a privileged account', {}, { candidateIsPrivileged: true }, 'link_refused', 'privileged_account'],
      ['an excluded account', {}, { candidateIsExcluded: true }, 'link_refused', 'excluded_account'],
      ['policy deny', {}, { policy: 'deny' as const }, 'link_refused', 'policy_deny'],
    ])('does not link %s', (_n, claimOver, linkingOver, reason, detail) => {
      const planned = plan(state({ emailUserId: 'u-peter', linking: { ...state().linking, ...linkingOver } }), {
        kind: 'signIn',
        claim: { ...claim, ...claimOver },
      });
      expect(planned).toEqual({ kind: 'deny', reason, detail });
    });

    it('parks the link for an admin when the fallback (or the policy) is approval, carrying the plan to run once approved', () => {
      const planned = plan(state({ emailUserId: 'u-peter', linking: { ...state().linking, candidateIsPrivileged: true, fallback: 'approval' } }), {
        kind: 'signIn',
        claim,
      });
      expect(planned).toEqual({
        kind: 'approval',
        reasons: ['privileged_account'],
        expirySeconds: DEFAULT_APPROVAL_POLICY.expirySeconds,
        then: linkToPeter,
      });
    });
  });
});
