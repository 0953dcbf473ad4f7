import { describe, expect, it } from 'vitest';
import type { IdentityClaim } from '../../../src/domain/claim';
import { runAcceptance } from '../../../workflows/invitationAcceptanceFlow';
import { expectSameAfterAnyCrash } from '../../flows/crashes';
import { crashingActivities, type FakeActivities } from '../../flows/fakeActivities';
import { FakeWorld, TENANT, type FakeTenant } from '../../flows/fakeWorld';

const NOW = 1_800_000_000_000;
const IDP = 'idp-1';
const RUN = { workflowId: 'invitation-inv-1', runId: 'run-1' };
const CLAIM: IdentityClaim = {
  tenantId: TENANT,
  connectionId: IDP,
  subject: 'bob-sub',
  email: 'bob@example.com',
  emailVerified: true,
  name: 'Bob',
  groups: null,
  attributes: [],
  protocol: 'saml',
};

/** Bob invited as admin into `eng` (and `gone`, a group deleted since), signing in through the tenant's IdP. */
function invited(tenant: Partial<FakeTenant> = {}, invitation: { expiresAt?: number; allowAnyEmail?: boolean } = {}): FakeWorld {
  const w = new FakeWorld(tenant);
  w.connections.set(IDP, { tenantId: TENANT, kind: 'saml', enabled: true });
  w.addGroup('eng');
  w.invitations.set('inv-1', {
    tenantId: TENANT,
    email: 'bob@example.com',
    allowAnyEmail: invitation.allowAnyEmail ?? false,
    status: 'pending',
    expiresAt: invitation.expiresAt ?? NOW + 3600_000,
    roles: ['admin'],
    groups: ['eng', 'gone'],
    acceptedBy: null,
  });
  return w;
}

const accept = (w: FakeWorld, claim: IdentityClaim = CLAIM, invitationId = 'inv-1', acts: FakeActivities = crashingActivities(w)) =>
  runAcceptance(invitationId, claim, RUN, NOW, acts);

describe('runAcceptance: accepted', () => {
  it('a new person joins: account, identity, membership with the invited roles, the invited groups that still exist, the invitation used; each audited once', async () => {
    const w = invited();
    const result = await accept(w);
    expect(result).toMatchObject({ ok: true, tenantId: TENANT, connectionId: IDP, subject: 'bob-sub', outcome: 'joined' });
    const userId = result.ok ? result.userId : '';
    expect(w.member(userId)).toMatchObject({ roles: ['admin'], status: 'active' });
    expect(w.grantsOf(userId).map(({ kind, value, source }) => ({ kind, value, source }))).toEqual([{ kind: 'group', value: 'eng', source: 'invitation' }]);
    expect(w.invitations.get('inv-1')).toMatchObject({ status: 'accepted', acceptedBy: userId });
    expect(w.actions()).toEqual(['user.created', 'identity.linked', 'membership.created', 'group.granted', 'invitation.accepted']);
    expect([...w.audits.values()].every((a) => a.actor === `idp:${IDP}`)).toBe(true);
  });

  it("the invited address's existing account is linked, even under a link policy of `approval` (the invitation is the admin's yes)", async () => {
    const w = invited({ linkPolicy: 'approval' });
    const bob = w.addUser('bob@example.com', { userId: 'bob' });
    const result = await accept(w);
    expect(result).toMatchObject({ ok: true, userId: bob, outcome: 'joined' });
    expect(w.identities.get(`${IDP}:bob-sub`)).toMatchObject({ userId: bob });
    expect(w.actions()).toEqual(['identity.linked', 'membership.created', 'group.granted', 'invitation.accepted']);
  });

  it('a member already: `already_member`, their roles left as they are', async () => {
    const w = invited();
    const bob = w.addUser('bob@example.com', { userId: 'bob' });
    w.addMember(bob, { roles: ['member'] });
    w.identities.set(`${IDP}:bob-sub`, { userId: bob, tenantId: TENANT, createdBy: null });
    const result = await accept(w);
    expect(result).toMatchObject({ ok: true, userId: bob, outcome: 'already_member' });
    expect(w.member(bob)?.roles).toEqual(['member']);
    expect(w.actions()).toEqual(['group.granted', 'invitation.accepted']);
  });
});

describe('runAcceptance: refused (audited with the reason; nothing else written)', () => {
  const refusals = (w: FakeWorld) => [...w.audits.values()].map(({ action, reason, detail }) => ({ action, reason, detail }));

  it('link_refused, with the link rule as detail, when the tenant never links (policy deny)', async () => {
    const w = invited({ linkPolicy: 'deny' });
    w.addUser('bob@example.com', { userId: 'bob' });
    expect(await accept(w)).toEqual({ ok: false, reason: 'link_refused' });
    expect(refusals(w)).toEqual([{ action: 'invitation.accept_refused', reason: 'link_refused', detail: 'policy_deny' }]);
    expect(w.identities.size).toBe(0);
    expect(w.memberships.size).toBe(0);
    expect(w.invitations.get('inv-1')?.status).toBe('pending');
  });

  it('link_refused (privileged_account) for an admin elsewhere, with the fallback deny', async () => {
    const w = invited();
    const bob = w.addUser('bob@example.com', { userId: 'bob' });
    w.addMember(bob, { roles: ['owner'], tenantId: 'tenant-2' });
    expect(await accept(w)).toEqual({ ok: false, reason: 'link_refused' });
    expect(refusals(w)).toEqual([{ action: 'invitation.accept_refused', reason: 'link_refused', detail: 'privileged_account' }]);
  });

  it.each([
    ['invitation_expired', () => invited({}, { expiresAt: NOW - 1 }), 'inv-1', CLAIM],
    ['invitation_not_found', () => invited(), 'inv-unknown', CLAIM],
    ['invitation_wrong_account', () => invited(), 'inv-1', { ...CLAIM, email: 'mallory@example.com' }],
    ['email_not_verified', () => invited(), 'inv-1', { ...CLAIM, emailVerified: false }],
  ] as const)('%s', async (reason, setup, invitationId, claim) => {
    const w = setup();
    expect(await accept(w, claim, invitationId)).toEqual({ ok: false, reason });
    expect(refusals(w)).toEqual([{ action: 'invitation.accept_refused', reason, detail: null }]);
    expect(w.users.size).toBe(0);
  });

  it('invitation_used: a second acceptance (another run) of an accepted invitation', async () => {
    const w = invited();
    await accept(w);
    const again = await runAcceptance('inv-1', CLAIM, { ...RUN, runId: 'run-2' }, NOW, crashingActivities(w));
    expect(again).toEqual({ ok: false, reason: 'invitation_used' });
  });
});

describe('runAcceptance: the activity ran again after a crash', () => {
  const flow = (acts: FakeActivities) => runAcceptance('inv-1', CLAIM, RUN, NOW, acts);

  it('a crash after any step but the last, then the same acceptance again, equals one clean run', async () => {
    const { result, steps, world } = await expectSameAfterAnyCrash(invited, flow, { exceptLast: true });
    expect(result).toMatchObject({ ok: true, outcome: 'joined' });
    expect(steps).toBe(8);
    expect(world.calls.at(-1)?.name).toBe('markInvitationAccepted');
  });

  /*
   * Once the invitation is marked accepted, the acceptance run again (its
   * local activities re-run after a lost workflow task) reads an invitation
   * this very run accepted as pending, so it does not refuse the person it
   * just let in.
   */
  it('a crash after the invitation was marked accepted, then the same acceptance again, equals one clean run', async () => {
    await expectSameAfterAnyCrash(invited, flow);
  });
});
