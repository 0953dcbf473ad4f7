import { describe, expect, it } from 'vitest';
import type { IdentityClaim } from '../../../src/domain/claim';
import type { ProvisioningPlan } from '../../../src/domain/planner';
import { signInContext } from '../../../src/domain/provisioningContext';
import { carryOutAccountActions, StalePlan } from '../../../workflows/accountActions';
import { fakeActivities } from '../../flows/fakeActivities';
import { FakeWorld, TENANT } from '../../flows/fakeWorld';

const RUN = { workflowId: 'signin-1', runId: 'run-1' };
const CLAIM: IdentityClaim = {
  tenantId: TENANT,
  connectionId: 'idp-1',
  subject: 'erin-sub',
  email: 'erin@example.com',
  emailVerified: true,
  name: 'Erin',
  groups: null,
  attributes: [],
  protocol: 'oidc',
};
const SCOPE = signInContext(CLAIM, RUN);
type Provision = Extract<ProvisioningPlan, { kind: 'provision' }>;

const jit: Provision = {
  kind: 'provision',
  via: 'jit',
  userId: null,
  membership: null,
  actions: [
    { kind: 'createUser', email: 'erin@example.com', claimEmail: true, name: 'Erin', attributes: {} },
    { kind: 'linkIdentity' },
    { kind: 'createMembership', roles: ['member'] },
  ],
  groupActions: [],
};

describe('carryOutAccountActions', () => {
  it('carries out a plan in order and reports the account and membership', async () => {
    const w = new FakeWorld();
    const notes: string[] = [];
    const done = await carryOutAccountActions(jit, CLAIM, SCOPE, fakeActivities(w), (d) => notes.push(d));
    expect(done).toMatchObject({ newUser: true, membership: { roles: ['member'], status: 'active' } });
    expect(w.identities.get('idp-1:erin-sub')).toMatchObject({ userId: done.userId, tenantId: TENANT });
    expect(w.actions()).toEqual(['user.created', 'identity.linked', 'membership.created']);
    expect(notes).toEqual([]);
  });

  it('throws StalePlan when the world moved: the email taken by another account, the identity linked to another, an attribute changed since', async () => {
    const taken = new FakeWorld();
    taken.addUser('erin@example.com', { userId: 'other' });
    await expect(carryOutAccountActions(jit, CLAIM, SCOPE, fakeActivities(taken), () => undefined)).rejects.toBeInstanceOf(StalePlan);
    expect(taken.identities.size).toBe(0);

    const linked = new FakeWorld();
    linked.identities.set('idp-1:erin-sub', { userId: 'other', tenantId: TENANT, createdBy: null });
    await expect(carryOutAccountActions(jit, CLAIM, SCOPE, fakeActivities(linked), () => undefined)).rejects.toBeInstanceOf(StalePlan);
    expect(linked.memberships.size).toBe(0);

    const w = new FakeWorld();
    const erin = w.addUser('erin@example.com', { userId: 'erin' });
    w.addMember(erin);
    const update: Provision = {
      kind: 'provision',
      via: 'returning',
      userId: erin,
      membership: { id: `${TENANT}:${erin}`, roles: ['member'] },
      actions: [{ kind: 'updateAttribute', field: 'email', from: 'erin@example.com', to: 'erin@new.example.com' }],
      groupActions: [],
    };
    const acts = { ...fakeActivities(w), updateUserAttribute: async () => 'stale' as const };
    await expect(carryOutAccountActions(update, CLAIM, SCOPE, acts, () => undefined)).rejects.toBeInstanceOf(StalePlan);
  });

  it('notes a link, an attribute applied and a conflict opened', async () => {
    const w = new FakeWorld();
    const erin = w.addUser('erin@example.com', { userId: 'erin' });
    const plan: Provision = {
      kind: 'provision',
      via: 'link',
      userId: erin,
      membership: null,
      actions: [
        { kind: 'linkIdentity' },
        { kind: 'createMembership', roles: ['member'] },
        { kind: 'updateAttribute', field: 'name', from: null, to: 'Erin E.' },
        { kind: 'openConflict', field: 'email', local: 'erin@example.com', asserted: 'erin@other.example.com' },
      ],
      groupActions: [],
    };
    const notes: string[] = [];
    const done = await carryOutAccountActions(plan, CLAIM, SCOPE, fakeActivities(w), (d) => notes.push(d));
    expect(done).toMatchObject({ userId: erin, newUser: false });
    expect(notes).toEqual(['linked', 'attribute_updated:name', 'conflict_opened:email']);
    expect(w.users.get(erin)?.name).toBe('Erin E.');
    expect(w.conflicts.get(`${TENANT}:${erin}:email`)).toMatchObject({ local: 'erin@example.com', asserted: 'erin@other.example.com' });
    expect(w.actions()).toEqual(['identity.linked', 'membership.created', 'user.attribute_updated', 'conflict.opened']);
  });
});
