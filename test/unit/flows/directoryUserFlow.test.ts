import { describe, expect, it } from 'vitest';
import { refusalMessage } from '../../../src/domain/refusals';
import type { ScimResource } from '../../../src/scim/canonical';
import { normalizePatch } from '../../../src/scim/patch';
import { PATCH_SCHEMA, USER_SCHEMA, USER_SHAPE } from '../../../src/scim/schemas';
import type { ScimUserWrite } from '../../../src/scim/userWrites';
import { userFromBody } from '../../../src/scim/users';
import { runDirectoryUserWrite } from '../../../workflows/directoryUserFlow';
import { expectSameAfterAnyCrash } from '../../flows/crashes';
import { crashingActivities, type FakeActivities } from '../../flows/fakeActivities';
import { FakeWorld, TENANT, type FakeTenant } from '../../flows/fakeWorld';

const DIR = 'dir-1';
const TARGET = { directoryId: DIR, tenantId: TENANT, scimId: 'scim-a' };
const RUN = { workflowId: `scim-user-${DIR}-scim-a`, runId: 'run-1' };
/** An earlier run of the User's workflow (a run serves several writes, then ends). */
const EARLIER = { workflowId: RUN.workflowId, runId: 'run-0' };
/** Resources and PATCH operations as the HTTP edge hands them to the flow (canonical, normalized). */
const user = (body: object): ScimResource => userFromBody({ schemas: [USER_SCHEMA], ...body });
const ALICE = user({ userName: 'alice@example.com', emails: [{ value: 'alice@example.com', primary: true }], displayName: 'Alice', active: true });

const create = (resource: ScimResource = ALICE, id = 'w-create'): ScimUserWrite => ({ id, kind: 'create', resource });
const setActive = (active: boolean, id = 'w-active'): ScimUserWrite => ({
  id,
  kind: 'patch',
  ops: normalizePatch({ schemas: [PATCH_SCHEMA], Operations: [{ op: 'replace', path: 'active', value: active }] }, USER_SHAPE),
});
const DELETE: ScimUserWrite = { id: 'w-delete', kind: 'delete' };

function directoryWorld(tenant: Partial<FakeTenant> = {}): FakeWorld {
  const w = new FakeWorld(tenant);
  w.connections.set(DIR, { tenantId: TENANT, kind: 'directory', enabled: true });
  return w;
}

async function push(w: FakeWorld, write: ScimUserWrite, opts: { lifecycleThroughRun?: boolean; run?: typeof RUN } = {}) {
  const notes: string[] = [];
  const acts = crashingActivities(w);
  const result = await runDirectoryUserWrite(
    TARGET,
    write,
    opts.run ?? RUN,
    acts,
    (d) => notes.push(d),
    () => opts.lifecycleThroughRun ?? true,
  );
  return { result, notes };
}

/** Alice provisioned by the directory, holding one of its groups and one session. */
async function provisioned(tenant: Partial<FakeTenant> = {}): Promise<{ w: FakeWorld; userId: string }> {
  const w = directoryWorld(tenant);
  const { result } = await push(w, create(), { run: EARLIER });
  if (!result.ok || !result.user?.userId) throw new Error('not provisioned');
  const userId = result.user.userId;
  w.addGrant(userId, { kind: 'group', value: 'eng', source: `directory:${DIR}` });
  w.addGrant(userId, { kind: 'role', value: 'admin', source: 'admin' });
  w.addSession(userId);
  w.audits.clear();
  w.calls = [];
  return { w, userId };
}

const lifecycleCalls = (w: FakeWorld) => w.calls.filter((c) => c.name === 'requestLifecycleChange').map((c) => c.input);

describe('runDirectoryUserWrite: create', () => {
  it('provisions a new User: account, identity, membership with the default roles, the resource stored with its keys, each audited once', async () => {
    const w = directoryWorld();
    const { result, notes } = await push(w, create());
    expect(result).toMatchObject({ ok: true, status: 201, user: { id: 'scim-a', version: 1 } });
    const userId = result.ok ? result.user?.userId : null;
    expect(userId).toBeTruthy();
    expect(notes).toEqual(['account_created']);
    expect(w.member(userId!)).toMatchObject({ status: 'active', roles: ['member'] });
    expect(w.identities.get(`${DIR}:scim-a`)).toMatchObject({ userId });
    expect([...w.scimKeys.keys()]).toEqual([`${DIR}:User:userName:alice@example.com`]);
    expect(w.actions()).toEqual(['user.created', 'identity.linked', 'membership.created', 'scim.user_created']);
    expect([...w.audits.values()].every((a) => a.actor === `directory:${DIR}`)).toBe(true);
  });

  it('keeps a User without an email, unprovisioned (email_missing), and provisions nobody', async () => {
    const w = directoryWorld();
    const { result, notes } = await push(w, create(user({ userName: 'alice', active: true })));
    expect(result).toMatchObject({ ok: true, status: 201, user: { userId: null } });
    expect(notes).toEqual(['unprovisioned:email_missing']);
    expect(w.users.size).toBe(0);
    expect(w.memberships.size).toBe(0);
    expect(w.actions()).toEqual(['scim.user_created']);
  });

  it('refuses a userName another User holds (409 uniqueness), audited, nothing provisioned', async () => {
    const w = directoryWorld();
    w.scimKeys.set(`${DIR}:User:userName:alice@example.com`, 'scim-other');
    const { result, notes } = await push(w, create());
    expect(result).toMatchObject({ ok: false, error: { status: 409, scimType: 'uniqueness', code: 'scim_uniqueness' } });
    expect(notes).toEqual(['refused:uniqueness']);
    expect(w.users.size).toBe(0);
    expect([...w.audits.values()]).toMatchObject([{ action: 'scim.write_refused', reason: 'uniqueness' }]);
  });

  it('maps a link refusal to 409 uniqueness with the rule as detail, and gives the new keys back', async () => {
    const w = directoryWorld({ linkPolicy: 'deny' });
    w.addUser('alice@example.com', { userId: 'existing' });
    const { result, notes } = await push(w, create());
    expect(result).toEqual({
      ok: false,
      error: { status: 409, scimType: 'uniqueness', detail: `${refusalMessage('link_refused')} (policy_deny)`, code: 'scim_uniqueness' },
    });
    expect(notes).toEqual(['refused:link_refused']);
    expect(w.scimKeys.size).toBe(0);
    expect(w.scimUsers.size).toBe(0);
    expect(w.identities.size).toBe(0);
    expect([...w.audits.values()]).toMatchObject([{ action: 'scim.write_refused', reason: 'link_refused' }]);
  });

  it('maps a domain verified by another organization to 403 scim_refused', async () => {
    const w = directoryWorld({ verifiedDomains: [] });
    w.domainOwners.set('example.com', 'tenant-2');
    const { result } = await push(w, create());
    expect(result).toMatchObject({ ok: false, error: { status: 403, code: 'scim_refused' } });
    expect(w.users.size).toBe(0);
    expect(w.actions()).toEqual(['scim.write_refused']);
  });

  it('maps a link an administrator must approve to 409 (a directory cannot wait for approval)', async () => {
    const w = directoryWorld({ linkPolicy: 'approval' });
    w.addUser('alice@example.com', { userId: 'existing' });
    const { result, notes } = await push(w, create());
    expect(result).toMatchObject({ ok: false, error: { status: 409, scimType: 'uniqueness', code: 'scim_uniqueness' } });
    expect(notes).toEqual(['refused:link_requires_approval']);
  });

  it('answers 404 for a write to a User it does not have, without an audit', async () => {
    const w = directoryWorld();
    const { result } = await push(w, setActive(false));
    expect(result).toMatchObject({ ok: false, error: { status: 404 } });
    expect(w.audits.size).toBe(0);
  });
});

describe('runDirectoryUserWrite: deactivate, delete, reactivate (through the tenant lifecycle run)', () => {
  it('active: false asks the lifecycle run to suspend: suspended by the directory, grants kept, sessions ended', async () => {
    const { w, userId } = await provisioned();
    const { result, notes } = await push(w, setActive(false));
    expect(result).toMatchObject({ ok: true, status: 200, user: { resource: { active: false }, version: 2 } });
    expect(notes).toEqual(['membership_suspended']);
    expect(lifecycleCalls(w)).toEqual([expect.objectContaining({ userId, directoryId: DIR, action: 'suspend', writeId: 'w-active' })]);
    expect(w.member(userId)).toMatchObject({ status: 'suspended', suspendedBy: `directory:${DIR}` });
    expect(w.grantsOf(userId)).toHaveLength(2);
    expect(w.sessions).toEqual([]);
    expect(w.actions()).toEqual(['membership.suspended', 'sessions.ended', 'scim.user_deactivated']);
  });

  it('DELETE suspends (tenant default), leaves the groups, forgets the resource and its keys: 204', async () => {
    const { w, userId } = await provisioned();
    w.addDirectoryGroup(DIR, 'g-eng', 'eng', ['scim-a']);
    const { result, notes } = await push(w, DELETE);
    expect(result).toEqual({ ok: true, status: 204, user: null });
    expect(notes).toEqual(['membership_suspended', 'deleted']);
    expect(lifecycleCalls(w)).toEqual([expect.objectContaining({ action: 'suspend', writeId: 'w-delete' })]);
    expect(w.member(userId)?.status).toBe('suspended');
    expect(w.scimUsers.size).toBe(0);
    expect([...w.scimKeys.values()]).toEqual(['g-eng']);
    expect(w.scimGroupMembers.size).toBe(0);
    expect(w.actions()).toEqual(['membership.suspended', 'sessions.ended', 'scim.user_deleted']);
  });

  it('DELETE with `deprovision: remove` removes the membership (every grant revoked) and holds it', async () => {
    const { w, userId } = await provisioned({ deprovision: 'remove' });
    const { notes } = await push(w, DELETE);
    expect(notes).toEqual(['membership_removed', 'deleted']);
    expect(lifecycleCalls(w)).toEqual([expect.objectContaining({ action: 'remove' })]);
    expect(w.member(userId)).toBeUndefined();
    expect(w.grantsOf(userId)).toEqual([]);
    expect(w.holds.get(`${TENANT}:${userId}`)).toBe(DIR);
    expect(w.actions()).toEqual(['membership.suspended', 'group.revoked', 'role.revoked', 'sessions.ended', 'membership.removed', 'scim.user_deleted']);
  });

  it("active: true restores the directory's suspension, releases its hold and grants the groups that name the User, after the store", async () => {
    const { w, userId } = await provisioned();
    await push(w, setActive(false, 'w-off'));
    w.holds.set(`${TENANT}:${userId}`, DIR);
    w.addDirectoryGroup(DIR, 'g-design', 'design', ['scim-a']);
    w.audits.clear();
    w.calls = [];
    const { result, notes } = await push(w, setActive(true, 'w-on'));
    expect(result).toMatchObject({ ok: true, status: 200, user: { resource: { active: true } } });
    expect(notes).toEqual(['membership_restored', 'group_grants_restored:1']);
    expect(lifecycleCalls(w)).toEqual([expect.objectContaining({ action: 'reactivate', writeId: 'w-on' })]);
    expect(w.member(userId)).toMatchObject({ status: 'active', suspendedBy: null });
    expect(w.holds.size).toBe(0);
    expect(
      w
        .grantsOf(userId)
        .map((g) => g.value)
        .sort(),
    ).toEqual(['admin', 'design', 'eng']);
    expect(w.actions()).toEqual(['membership.restored', 'scim.user_reactivated', 'group.granted']);
    expect(w.calls.map((c) => c.name).indexOf('storeScimUser')).toBeLessThan(w.calls.map((c) => c.name).indexOf('grantDirectoryGroupsTo'));
  });

  it("active: true leaves an admin's suspension (membership_left_suspended); a group's grant is undone at once", async () => {
    const { w, userId } = await provisioned();
    await push(w, setActive(false, 'w-off'));
    w.member(userId)!.suspendedBy = 'admin';
    w.addDirectoryGroup(DIR, 'g-design', 'design', ['scim-a']);
    w.audits.clear();
    const { notes } = await push(w, setActive(true, 'w-on'));
    // The count is of groups that name the User, granted or undone at once: the note says 1 though nothing stays granted.
    expect(notes).toEqual(['membership_left_suspended:unchanged', 'group_grants_restored:1']);
    expect(w.member(userId)?.status).toBe('suspended');
    expect(
      w
        .grantsOf(userId)
        .map((g) => g.value)
        .sort(),
    ).toEqual(['admin', 'eng']);
    // grantDirectoryGroupsTo grants, reads the membership suspended, revokes: both audited.
    expect(w.actions()).toEqual(['scim.user_reactivated', 'group.granted', 'group.revoked']);
  });
});

describe('runDirectoryUserWrite: several writes in one run', () => {
  it("a reactivation in the run that created the User restores it; the run's own documents are planned as new (account_created noted again), nothing audited twice", async () => {
    const w = directoryWorld();
    const { result } = await push(w, create());
    const userId = result.ok ? result.user!.userId! : '';
    await push(w, setActive(false, 'w-off'));
    const { notes } = await push(w, setActive(true, 'w-on'));
    expect(notes).toEqual(['account_created', 'membership_restored']);
    expect(w.member(userId)?.status).toBe('active');
    expect(w.actions().filter((a) => a === 'user.created' || a === 'membership.created')).toEqual(['user.created', 'membership.created']);
  });
});

describe('runDirectoryUserWrite: runs from before the lifecycle run (lifecycleThroughRun false) keep their own steps', () => {
  it("active: false suspends, revokes the directory's grants only, ends sessions — no lifecycle request", async () => {
    const { w, userId } = await provisioned();
    const { notes } = await push(w, setActive(false), { lifecycleThroughRun: false });
    expect(notes).toEqual(['membership_suspended']);
    expect(lifecycleCalls(w)).toEqual([]);
    expect(w.member(userId)).toMatchObject({ status: 'suspended', suspendedBy: `directory:${DIR}` });
    expect(w.grantsOf(userId).map((g) => g.value)).toEqual(['admin']);
    expect(w.actions()).toEqual(['membership.suspended', 'group.revoked', 'sessions.ended', 'scim.user_deactivated']);
  });

  it('DELETE with `deprovision: remove` revokes every grant and removes the membership with a hold', async () => {
    const { w, userId } = await provisioned({ deprovision: 'remove' });
    const { notes } = await push(w, DELETE, { lifecycleThroughRun: false });
    expect(notes).toEqual(['membership_suspended', 'membership_removed', 'deleted']);
    expect(w.member(userId)).toBeUndefined();
    expect(w.grantsOf(userId)).toEqual([]);
    expect(w.holds.get(`${TENANT}:${userId}`)).toBe(DIR);
  });

  it('active: true restores with setMembershipStatus', async () => {
    const { w, userId } = await provisioned();
    await push(w, setActive(false, 'w-off'), { lifecycleThroughRun: false });
    const { notes } = await push(w, setActive(true, 'w-on'), { lifecycleThroughRun: false });
    expect(notes[0]).toBe('membership_restored');
    expect(lifecycleCalls(w)).toEqual([]);
    expect(w.member(userId)?.status).toBe('active');
  });
});

describe('runDirectoryUserWrite: the activity ran again after a crash', () => {
  const flow =
    (write: ScimUserWrite, lifecycleThroughRun = true) =>
    (acts: FakeActivities) =>
      runDirectoryUserWrite(
        TARGET,
        write,
        RUN,
        acts,
        () => undefined,
        () => lifecycleThroughRun,
      );
  /** A world where Alice is provisioned by an earlier run, ready for this run's write. */
  const seeded =
    (tenant: Partial<FakeTenant> = {}) =>
    () => {
      const w = directoryWorld(tenant);
      const userId = w.addUser('alice@example.com', { userId: 'alice' });
      w.addMember(userId);
      w.identities.set(`${DIR}:scim-a`, { userId, tenantId: TENANT, createdBy: null });
      w.scimUsers.set(`${DIR}:scim-a`, { scimId: 'scim-a', resource: ALICE, userId, version: 1, recentWrites: ['w-create'] });
      w.scimKeys.set(`${DIR}:User:userName:alice@example.com`, 'scim-a');
      w.addGrant(userId, { kind: 'group', value: 'eng', source: `directory:${DIR}` });
      w.addSession(userId);
      return w;
    };

  it('create: a crash after any step, then the same write again, equals one clean run', async () => {
    const { steps, result } = await expectSameAfterAnyCrash(directoryWorld, flow(create()));
    expect(result).toMatchObject({ ok: true, status: 201 });
    expect(steps).toBeGreaterThanOrEqual(7);
  });

  it('active: false: a crash after any step, then the same write again, equals one clean run', async () => {
    const { result, world } = await expectSameAfterAnyCrash(seeded(), flow(setActive(false)));
    expect(result).toMatchObject({ ok: true, status: 200 });
    expect(world.actions()).toEqual(['membership.suspended', 'sessions.ended', 'scim.user_deactivated']);
  });

  it('active: false on an old run (own steps): a crash after any step, then the same write again, equals one clean run', async () => {
    const { result, world } = await expectSameAfterAnyCrash(seeded(), flow(setActive(false), false));
    expect(result).toMatchObject({ ok: true, status: 200 });
    expect(world.actions()).toEqual(['membership.suspended', 'group.revoked', 'sessions.ended', 'scim.user_deactivated']);
  });

  it('DELETE with `deprovision: remove`: a crash after any step but the last, then the same write again, equals one clean run', async () => {
    const { result, world } = await expectSameAfterAnyCrash(seeded({ deprovision: 'remove' }), flow(DELETE), { exceptLast: true });
    expect(result).toEqual({ ok: true, status: 204, user: null });
    expect(world.calls.at(-1)?.name).toBe('deleteScimUser');
  });

  /*
   * Once the resource is deleted (and with it the record of the writes it
   * applied), the DELETE run again finds the deletion this run audited and
   * answers 204, writing nothing more.
   */
  it('DELETE: a crash after the resource was deleted, then the same write again, answers as one clean run (204)', async () => {
    const { result } = await expectSameAfterAnyCrash(seeded(), flow(DELETE));
    expect(result).toEqual({ ok: true, status: 204, user: null });
  });

  it('DELETE with `deprovision: remove`: a crash after any step, the last too, then the same write again, equals one clean run', async () => {
    const { result } = await expectSameAfterAnyCrash(seeded({ deprovision: 'remove' }), flow(DELETE));
    expect(result).toEqual({ ok: true, status: 204, user: null });
  });
});
