import { describe, expect, it } from 'vitest';
import type { MemberRequest } from '../../../src/domain/adminProvisioning';
import type { ProvisioningContext } from '../../../src/domain/provisioningContext';
import { predictMember } from '../../../src/domain/memberResult';
import { provisionMember } from '../../../workflows/memberProvisioningFlow';
import { expectSameAfterAnyCrash } from '../../flows/crashes';
import { crashingActivities, type FakeActivities } from '../../flows/fakeActivities';
import { FakeWorld, TENANT, type FakeTenant } from '../../flows/fakeWorld';

const SCOPE: ProvisioningContext = {
  run: { workflowId: 'member-create-1', runId: 'run-1' },
  tenantId: TENANT,
  source: 'admin',
  actor: { type: 'admin', id: 'admin-1' },
};
const DAN: MemberRequest = { email: 'Dan@Example.com', name: 'Dan', roles: [], groups: ['eng'], externalId: 'emp-7' };

function tenant(settings: Partial<FakeTenant> = {}): FakeWorld {
  const w = new FakeWorld(settings);
  w.addGroup('eng');
  return w;
}

const provision = (w: FakeWorld, request: MemberRequest = DAN, acts: FakeActivities = crashingActivities(w)) => provisionMember(request, SCOPE, 'admin', acts);

describe('provisionMember', () => {
  it('creates the account (normalized email, externalId kept), the membership with the default roles and the asked groups; each audited once', async () => {
    const w = tenant();
    const result = await provision(w);
    expect(result).toMatchObject({ outcome: 'created', reason: null });
    expect(w.users.get(result.userId!)).toMatchObject({ email: 'dan@example.com', name: 'Dan', attributes: { externalId: 'emp-7' } });
    expect(w.member(result.userId!)).toMatchObject({ roles: ['member'], status: 'active' });
    expect(w.grantsOf(result.userId!).map(({ value, source }) => ({ value, source }))).toEqual([{ value: 'eng', source: 'admin' }]);
    expect(w.actions()).toEqual(['user.created', 'membership.created', 'group.granted']);
    expect([...w.audits.values()].every((a) => a.actor === 'admin:admin-1')).toBe(true);
  });

  it('links an existing account of a verified domain (policy auto); a member already is unchanged', async () => {
    const w = tenant();
    const dan = w.addUser('dan@example.com', { userId: 'dan' });
    expect(await provision(w)).toEqual({ outcome: 'linked', reason: null, detail: null, userId: dan });
    w.audits.clear();
    expect(await provisionMember(DAN, { ...SCOPE, run: { ...SCOPE.run, runId: 'run-2' } }, 'admin', crashingActivities(w))).toEqual({
      outcome: 'unchanged',
      reason: null,
      detail: null,
      userId: dan,
    });
    expect(w.audits.size).toBe(0);
  });

  it('refuses with the rule as detail and writes nothing but the audit: an admin elsewhere (link_refused), an unverified domain, an unknown group', async () => {
    const privileged = tenant();
    const dan = privileged.addUser('dan@example.com', { userId: 'dan' });
    privileged.addMember(dan, { roles: ['admin'], tenantId: 'tenant-2' });
    expect(await provision(privileged)).toEqual({ outcome: 'skipped', reason: 'link_refused', detail: 'privileged_account', userId: null });
    expect([...privileged.audits.values()]).toMatchObject([{ action: 'member.admin_refused', reason: 'link_refused', detail: 'privileged_account' }]);
    expect(privileged.member(dan)).toBeUndefined();

    const unverified = tenant({ verifiedDomains: [] });
    expect(await provision(unverified)).toMatchObject({ outcome: 'skipped', reason: 'domain_not_verified' });
    expect(unverified.users.size).toBe(0);

    const noGroup = new FakeWorld();
    expect(await provision(noGroup)).toMatchObject({ outcome: 'failed', reason: 'unknown_group', detail: 'eng' });
    // Details that quote the request stay out of the audit.
    expect([...noGroup.audits.values()]).toMatchObject([{ reason: 'unknown_group', detail: null }]);
  });

  it("predicts without writing (an import's dry run)", async () => {
    const w = tenant();
    const acts = crashingActivities(w);
    const world = await acts.loadAdminState({ run: SCOPE.run, tenantId: SCOPE.tenantId, email: DAN.email, groups: DAN.groups });
    expect(predictMember(world, DAN, SCOPE)).toEqual({ outcome: 'created', reason: null, detail: null, userId: null });
    expect(w.users.size).toBe(0);
    expect(w.audits.size).toBe(0);
  });

  it('plans again when another run takes the email meanwhile, and gives up (concurrent_change) after three plans', async () => {
    const w = tenant({ linkPolicy: 'approval' });
    let taken = 0;
    // Before each account creation, someone else's run claims the address — then it is freed again (never linkable).
    w.beforeCall = (name) => {
      if (name === 'loadAdminState') w.emails.delete('dan@example.com');
      if (name === 'ensureUser') w.emails.set('dan@example.com', { userId: `other-${++taken}`, createdBy: { workflowId: 'other', runId: String(taken) } });
    };
    expect(await provision(w)).toEqual({ outcome: 'failed', reason: 'concurrent_change', detail: null, userId: null });
    expect(taken).toBe(3);
    expect(w.memberships.size).toBe(0);
  });

  it('a crash after any step, then the same request again, equals one clean run', async () => {
    const { result, steps } = await expectSameAfterAnyCrash(tenant, (acts) => provisionMember(DAN, SCOPE, 'admin', acts));
    expect(result.outcome).toBe('created');
    expect(steps).toBe(4);
  });
});
