/**
 * One planner, six askers: the same world planned under each intent, so the
 * rules that differ by who asks (domain/plan.ts) read side by side.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { DEFAULT_APPROVAL_POLICY } from '../../src/domain/approval';
import type { IdentityClaim } from '../../src/domain/claim';
import { DEFAULT_GROUP_SYNC, tenantRoles } from '../../src/domain/groups';
import {
  plan,
  type AdminPlan,
  type AdminProvisioningState,
  type DirectoryPlan,
  type LifecycleFacts,
  type LifecyclePlan,
  type MemberRequest,
  type ProvisioningPlan,
  type ProvisioningState,
} from '../../src/domain/plan';
import { sourceFiles } from '../support/sourceFiles';

/** Dana, at acme.test, through the tenant's SAML connection or its directory. */
const sso: IdentityClaim = {
  tenantId: 't1',
  connectionId: 'c1',
  subject: 'dana',
  email: 'dana@acme.test',
  emailVerified: true,
  name: 'Dana',
  groups: null,
  attributes: [],
  protocol: 'saml',
};
const scim: IdentityClaim = { ...sso, connectionId: 'd1', subject: 'scim-dana', protocol: 'scim' };
const SAML = { id: 'c1', tenantId: 't1', enabled: true };
const DIRECTORY = { id: 'd1', tenantId: 't1', enabled: true, directory: true };

/** The world a sign-in, a directory push and an invitation read (the connection is the asker's own). */
const world = (over: Partial<ProvisioningState> = {}, tenant: Partial<NonNullable<ProvisioningState['tenant']>> = {}): ProvisioningState => ({
  tenant: { id: 't1', jitEnabled: true, defaultRoles: ['member'], approval: DEFAULT_APPROVAL_POLICY, ...tenant },
  connection: SAML,
  email: 'dana@acme.test',
  linkedUserId: null,
  emailUserId: null,
  membership: null,
  linking: {
    policy: 'auto',
    fallback: 'deny',
    tenantVerifiedDomains: ['acme.test'],
    connectionAllowedDomains: null,
    domainOwnerTenantId: 't1',
    candidateIsPrivileged: false,
    candidateIsExcluded: false,
  },
  attributes: { mode: 'on-first-sign-in', policy: 'review', account: null, assertedCustom: {}, openConflicts: [], emailHeldByOther: false },
  groups: { settings: DEFAULT_GROUP_SYNC, current: [], tenantRoles: tenantRoles([]), ownerFromIdp: false, groupRoles: {} },
  ...over,
});
/** The same world, as the directory's push loads it (through its own connection). */
const pushed = (w: ProvisioningState): ProvisioningState => ({ ...w, connection: DIRECTORY });
const signIn = (w: ProvisioningState) => plan(w, { kind: 'signIn', claim: sso });
const directory = (w: ProvisioningState) => plan(pushed(w), { kind: 'directory', claim: scim });
const invitation = (w: ProvisioningState, roles: string[] = []) => plan(w, { kind: 'invitation', claim: sso, invitedEmail: 'dana@acme.test', roles });

/** The same person as the admin API and an import row ask for her. */
const dana: MemberRequest = { email: 'dana@acme.test', name: 'Dana', roles: [], groups: [], externalId: null };
const adminWorld = (
  over: Partial<AdminProvisioningState> = {},
  tenant: Partial<NonNullable<AdminProvisioningState['tenant']>> = {},
): AdminProvisioningState => ({
  tenant: {
    id: 't1',
    roles: ['owner', 'admin', 'member'],
    defaultRoles: ['member'],
    groups: [],
    verifiedDomains: ['acme.test'],
    linkPolicy: 'auto',
    linkFallback: 'deny',
    ...tenant,
  },
  email: 'dana@acme.test',
  emailUserId: null,
  domainOwnerTenantId: 't1',
  membership: null,
  candidateIsPrivileged: false,
  candidateIsExcluded: false,
  ...over,
});

describe('plan(world, intent): one world, the rule of each asker', () => {
  it('JIT off: a sign-in is denied, a directory push and an accepted invitation join', () => {
    const jitOff = world({}, { jitEnabled: false });
    expect(signIn(jitOff)).toEqual({ kind: 'deny', reason: 'jit_disabled' });
    expect(directory(jitOff)).toMatchObject({ kind: 'provision', via: 'jit', reactivate: false });
    expect(invitation(jitOff)).toMatchObject({ kind: 'provision', via: 'jit' });
  });

  it('the approval policy applies to a sign-in, not to a directory push nor to an accepted invitation', () => {
    const asks = world({}, { approval: { ...DEFAULT_APPROVAL_POLICY, when: ['new-accounts'] } });
    expect(signIn(asks)).toMatchObject({ kind: 'approval', reasons: ['new-accounts'], then: { via: 'jit' } });
    expect(directory(asks)).toMatchObject({ kind: 'provision', via: 'jit' });
    expect(invitation(asks)).toMatchObject({ kind: 'provision', via: 'jit' });
  });

  it('an unverified domain: the admin API and an import row skip the row, an accepted invitation (the owner proved the address) creates', () => {
    const unverified = adminWorld({ domainOwnerTenantId: null }, { verifiedDomains: [] });
    expect(plan(unverified, { kind: 'adminCreate', request: dana })).toEqual({ outcome: 'skipped', reason: 'domain_not_verified', detail: 'acme.test' });
    expect(plan(unverified, { kind: 'importRow', request: dana })).toEqual({ outcome: 'skipped', reason: 'domain_not_verified', detail: 'acme.test' });
    const invited = world({ linking: { ...world().linking, tenantVerifiedDomains: [], domainOwnerTenantId: null } });
    expect(invitation(invited)).toMatchObject({
      kind: 'provision',
      via: 'jit',
      actions: [{ kind: 'createUser', email: 'dana@acme.test', claimEmail: true }, {}, {}],
    });
  });

  it('the link policy asks approval: a sign-in parks, an import row is pending until approved, the invitation for that very address links', () => {
    const existing = world({ emailUserId: 'u9', linking: { ...world().linking, policy: 'approval' } });
    expect(signIn(existing)).toMatchObject({ kind: 'approval', reasons: ['policy_approval'], then: { via: 'link', userId: 'u9' } });
    // A directory cannot approve: the plan parks, and the directory's flow refuses the write.
    expect(directory(existing)).toMatchObject({ kind: 'approval', then: { via: 'link', userId: 'u9' } });
    expect(invitation(existing)).toMatchObject({ kind: 'provision', via: 'link', userId: 'u9' });
    const row = adminWorld({ emailUserId: 'u9' }, { linkPolicy: 'approval' });
    expect(plan(row, { kind: 'importRow', request: dana })).toEqual({ outcome: 'pending', reason: 'link_requires_approval', detail: 'policy_approval' });
    expect(plan(row, { kind: 'importRow', request: dana, linkApproved: true })).toEqual({ outcome: 'linked', userId: 'u9', roles: ['member'], groups: [] });
    expect(plan(row, { kind: 'adminCreate', request: dana })).toMatchObject({ outcome: 'pending' });
  });

  it('a suspended membership: a sign-in and an invitation are refused, the directory pushing the User active reactivates it', () => {
    const suspended = world({ linkedUserId: 'u1', membership: { id: 'm1', userId: 'u1', roles: ['member'], status: 'suspended' } });
    expect(signIn(suspended)).toEqual({ kind: 'deny', reason: 'membership_suspended' });
    expect(invitation(suspended)).toEqual({ kind: 'deny', reason: 'membership_suspended' });
    expect(directory(suspended)).toMatchObject({ kind: 'provision', via: 'returning', userId: 'u1', membership: { id: 'm1' }, reactivate: true });
    expect(directory({ ...suspended, membership: { ...suspended.membership!, status: 'active' } })).toMatchObject({ reactivate: false });
  });

  it("an authoritative directory: a sign-in adds nobody, the directory and the admin's invitation do", () => {
    const authoritative = world({}, { directoryAuthoritative: true, jitEnabled: false });
    expect(signIn(authoritative)).toEqual({ kind: 'deny', reason: 'not_provisioned_by_directory' });
    expect(directory(authoritative)).toMatchObject({ kind: 'provision', via: 'jit' });
    expect(invitation(authoritative)).toMatchObject({ kind: 'provision', via: 'jit' });
  });

  it("a directory's hold: a sign-in and an invitation are refused, the directory itself brings the person back", () => {
    const held = world({ emailUserId: 'u1', directoryHold: true });
    expect(signIn(held)).toEqual({ kind: 'deny', reason: 'membership_suspended' });
    expect(invitation(held)).toEqual({ kind: 'deny', reason: 'membership_suspended' });
    expect(directory(held)).toMatchObject({ kind: 'provision', via: 'link', userId: 'u1' });
  });

  it("an accepted invitation's membership gets the invited roles (none named: the tenant's defaults)", () => {
    expect(invitation(world(), ['admin'])).toMatchObject({ kind: 'provision', actions: [{}, {}, { kind: 'createMembership', roles: ['admin'] }] });
    expect(invitation(world())).toMatchObject({ kind: 'provision', actions: [{}, {}, { kind: 'createMembership', roles: ['member'] }] });
  });

  it("each asker comes through its own kind of connection: nobody signs in through a directory's, no directory pushes through SSO", () => {
    expect(plan(pushed(world()), { kind: 'signIn', claim: sso })).toEqual({ kind: 'deny', reason: 'connection_disabled' });
    expect(plan(world(), { kind: 'directory', claim: scim })).toEqual({ kind: 'deny', reason: 'connection_disabled' });
  });

  it('removing the last active owner: refused for an admin, carried out (with an alert) for a directory', () => {
    const lastOwner: LifecycleFacts = { member: { status: 'active', isOwner: true, suspendedBy: null }, activeOwners: 1 };
    expect(plan(lastOwner, { kind: 'lifecycle', action: 'remove', by: { kind: 'admin' } })).toEqual({ kind: 'refuse', reason: 'last_owner' });
    expect(plan(lastOwner, { kind: 'lifecycle', action: 'remove', by: { kind: 'directory', by: 'directory:d1' } })).toEqual({
      kind: 'proceed',
      status: 'removed',
      revokeGrants: true,
      endSessions: true,
      alert: 'tenant.no_active_owner',
    });
  });

  it('reactivation: an admin restores any suspension, a directory only its own', () => {
    const byAdmin: LifecycleFacts = { member: { status: 'suspended', isOwner: false, suspendedBy: 'admin' }, activeOwners: 1 };
    expect(plan(byAdmin, { kind: 'lifecycle', action: 'reactivate', by: { kind: 'admin' } })).toMatchObject({ kind: 'proceed', status: 'active' });
    expect(plan(byAdmin, { kind: 'lifecycle', action: 'reactivate', by: { kind: 'directory', by: 'directory:d1' } })).toEqual({
      kind: 'unchanged',
      reason: 'suspended_by_other',
    });
  });
});

describe('the planner has one entry', () => {
  it('each intent gets its own plan type back (checked by tsc)', () => {
    const facts: LifecycleFacts = { member: null, activeOwners: 0 };
    expectTypeOf(signIn(world())).toEqualTypeOf<ProvisioningPlan>();
    expectTypeOf(invitation(world())).toEqualTypeOf<ProvisioningPlan>();
    expectTypeOf(directory(world())).toEqualTypeOf<DirectoryPlan>();
    expectTypeOf(plan(adminWorld(), { kind: 'adminCreate', request: dana })).toEqualTypeOf<AdminPlan>();
    expectTypeOf(plan(adminWorld(), { kind: 'importRow', request: dana, linkApproved: true })).toEqualTypeOf<AdminPlan>();
    expectTypeOf(plan(facts, { kind: 'lifecycle', action: 'suspend', by: { kind: 'admin' } })).toEqualTypeOf<LifecyclePlan>();
    expect(plan(facts, { kind: 'lifecycle', action: 'suspend', by: { kind: 'admin' } })).toEqual({ kind: 'refuse', reason: 'member_not_found' });
  });

  it('no code outside src/domain calls the planner steps; every caller goes through plan(world, intent)', async () => {
    const callers: string[] = [];
    for (const dir of ['src', 'activities', 'workflows', 'bench', 'test']) {
      for (const { file, text } of await sourceFiles(dir)) {
        if (file.startsWith('src/domain/') || file.endsWith('plan-intents.test.ts')) continue;
        if (/\b(planProvisioning|planAdminProvisioning|planLifecycle)\b/.test(text)) callers.push(file);
      }
    }
    expect(callers).toEqual([]);
  });
});
