import { describe, expect, it } from 'vitest';
import type { IdentityClaim } from '../../../src/domain/claim';
import type { ApprovalVerdict } from '../../../src/domain/decision';
import { runSignIn, type SignInHooks } from '../../../workflows/signInFlow';
import { expectSameAfterAnyCrash } from '../../flows/crashes';
import { crashingActivities, type FakeActivities } from '../../flows/fakeActivities';
import { FakeWorld, TENANT, type FakeTenant } from '../../flows/fakeWorld';

const IDP = 'idp-1';
const RUN = { workflowId: 'signin-idp-1-carol', runId: 'run-1' };
const CLAIM: IdentityClaim = {
  tenantId: TENANT,
  connectionId: IDP,
  subject: 'carol-sub',
  email: 'carol@example.com',
  emailVerified: true,
  name: 'Carol',
  groups: null,
  attributes: [],
  protocol: 'saml',
};

function idpWorld(tenant: Partial<FakeTenant> = {}): FakeWorld {
  const w = new FakeWorld(tenant);
  w.connections.set(IDP, { tenantId: TENANT, kind: 'saml', enabled: true });
  return w;
}

/** The host's side: what the flow reported, and an admin's verdict when it parks (null: the request expires). */
function host(verdict: ApprovalVerdict | null = null) {
  const seen = { notes: [] as string[], outcomes: [] as string[], decided: [] as unknown[], waited: 0 };
  const hooks: SignInHooks = {
    progress: { phase: () => undefined, note: (d) => seen.notes.push(d), outcome: (o) => seen.outcomes.push(o), decided: (d) => seen.decided.push(d) },
    waits: {
      answer: async () => undefined,
      approval: async () => {
        seen.waited++;
        return verdict;
      },
      deadline: () => '2026-01-02T00:00:00.000Z',
    },
  };
  return { seen, hooks };
}

const signIn = (w: FakeWorld, claim: IdentityClaim = CLAIM, h = host(), acts: FakeActivities = crashingActivities(w)) => runSignIn(claim, RUN, acts, h.hooks);

describe('runSignIn', () => {
  it('first sign-in (JIT): account, identity, membership with the default roles; answered active, recorded once', async () => {
    const w = idpWorld();
    const h = host();
    const decision = await signIn(w, CLAIM, h);
    expect(decision).toMatchObject({ status: 'active', tenantId: TENANT, roles: ['member'], newUser: true, via: 'jit' });
    expect(h.seen.outcomes).toEqual(['Provisioned']);
    expect(w.actions()).toEqual(['user.created', 'identity.linked', 'membership.created', 'signin.succeeded']);
  });

  it('a returning member signs in: nothing new written but the sign-in', async () => {
    const w = idpWorld();
    const carol = w.addUser('carol@example.com', { userId: 'carol' });
    w.addMember(carol, { roles: ['admin'] });
    w.identities.set(`${IDP}:carol-sub`, { userId: carol, tenantId: TENANT, createdBy: null });
    const h = host();
    expect(await signIn(w, CLAIM, h)).toMatchObject({ status: 'active', userId: carol, roles: ['admin'], via: 'returning' });
    expect(h.seen.outcomes).toEqual(['SignedIn']);
    expect(w.actions()).toEqual(['signin.succeeded']);
  });

  it('denies with the reason and audits it: JIT off, a suspended membership', async () => {
    const off = idpWorld({ jit: false });
    expect(await signIn(off)).toMatchObject({ status: 'denied', reason: 'jit_disabled' });
    expect([...off.audits.values()]).toMatchObject([{ action: 'signin.denied', reason: 'jit_disabled' }]);
    expect(off.users.size).toBe(0);

    const suspended = idpWorld();
    const carol = suspended.addUser('carol@example.com', { userId: 'carol' });
    suspended.addMember(carol, { status: 'suspended' });
    suspended.identities.set(`${IDP}:carol-sub`, { userId: carol, tenantId: TENANT, createdBy: null });
    expect(await signIn(suspended)).toMatchObject({ status: 'denied', reason: 'membership_suspended' });
  });

  it('parks a link for approval; approved, the link is made and the request closed', async () => {
    const w = idpWorld({ linkPolicy: 'approval' });
    const carol = w.addUser('carol@example.com', { userId: 'carol' });
    const h = host({ approve: true, by: 'admin-1', reason: null });
    const decision = await signIn(w, CLAIM, h);
    expect(h.seen.decided[0]).toMatchObject({ status: 'pending', reason: 'link_requires_approval' });
    expect(decision).toMatchObject({ status: 'active', userId: carol, via: 'link' });
    expect(h.seen.outcomes).toEqual(['AwaitingApproval', 'Linked']);
    expect(w.approvals.get(`${RUN.workflowId}:${RUN.runId}`)).toMatchObject({ status: 'approved', kind: 'link' });
    expect(w.actions()).toEqual(['approval.requested', 'identity.linked', 'membership.created', 'approval.approved']);
  });

  it('a rejected (or expired) request: denied, nothing linked', async () => {
    const w = idpWorld({ linkPolicy: 'approval' });
    w.addUser('carol@example.com', { userId: 'carol' });
    expect(await signIn(w, CLAIM, host({ approve: false, by: 'admin-1', reason: 'who is this' }))).toMatchObject({
      status: 'denied',
      reason: 'approval_rejected',
    });
    expect(w.identities.size).toBe(0);
    expect(w.actions()).toEqual(['approval.requested', 'approval.rejected', 'signin.denied']);
  });

  it('grants what the groups claim maps (a role, a created group) and audits a refused owner role', async () => {
    const w = idpWorld();
    w.groupSync = {
      mode: 'full',
      whenAbsent: 'keep',
      allowList: null,
      unmapped: 'create-group',
      mappings: [{ value: 'Admins', group: null, roles: ['admin', 'owner'] }],
    };
    const decision = await signIn(w, { ...CLAIM, groups: ['Admins', 'Design'] });
    expect(decision).toMatchObject({ status: 'active', roles: ['admin', 'member'], groups: ['Design'] });
    expect(w.groups.has(`${TENANT}:Design`)).toBe(true);
    // Grants run in parallel: their order is not the flow's.
    expect(w.actions().sort()).toEqual([
      'group.created',
      'group.granted',
      'identity.linked',
      'membership.created',
      'role.grant_refused',
      'role.granted',
      'signin.succeeded',
      'user.created',
    ]);
  });

  it('plans again when another run claims the email between plan and act (StalePlan): the account is linked, not created twice', async () => {
    const w = idpWorld();
    w.beforeCall = (name) => {
      if (name !== 'ensureUser' || w.emails.has('carol@example.com')) return;
      w.addUser('carol@example.com', { userId: 'carol-elsewhere' });
    };
    const decision = await signIn(w);
    expect(decision).toMatchObject({ status: 'active', userId: 'carol-elsewhere', via: 'link' });
    expect(w.calls.filter((c) => c.name === 'loadProvisioningState')).toHaveLength(2);
    expect(w.users.size).toBe(1);
  });

  it('a crash after any step, then the same sign-in again, equals one clean run', async () => {
    const groups = () => {
      const w = idpWorld();
      w.groupSync = { mode: 'full', whenAbsent: 'keep', allowList: null, unmapped: 'create-group', mappings: [] };
      return w;
    };
    const { result, steps } = await expectSameAfterAnyCrash(groups, (acts) => runSignIn({ ...CLAIM, groups: ['Design'] }, RUN, acts, host().hooks));
    expect(result).toMatchObject({ status: 'active', via: 'jit', groups: ['Design'] });
    expect(steps).toBeGreaterThanOrEqual(6);
  });
});
