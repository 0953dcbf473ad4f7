import { describe, expect, it } from 'vitest';
import type { ProvisioningActor } from '../../../src/domain/provisioningContext';
import { runAdminWrite, type AdminWrite } from '../../../workflows/tenantAdminFlow';
import { expectSameAfterAnyCrash } from '../../flows/crashes';
import { crashingActivities, type FakeActivities } from '../../flows/fakeActivities';
import { FakeWorld, TENANT } from '../../flows/fakeWorld';

const ADMIN: ProvisioningActor = { type: 'admin', id: 'admin-user' };
const DIRECTORY: ProvisioningActor = { type: 'directory', id: 'dir-1' };
const RUN = { workflowId: `admin-${TENANT}`, runId: 'write-1' };

const member = (action: 'suspend' | 'reactivate' | 'remove', userId: string, actor = ADMIN): AdminWrite => ({
  id: 'write-1',
  kind: 'member',
  action,
  userId,
  actor,
});

async function write(w: FakeWorld, request: AdminWrite, acts: FakeActivities = crashingActivities(w)) {
  const notes: string[] = [];
  const result = await runAdminWrite(TENANT, request, RUN, acts, (d) => notes.push(d));
  return { result, notes };
}

/** Alice (a member holding a group and a role, one session) and Olivia (the one owner). */
function world(): FakeWorld {
  const w = new FakeWorld();
  w.addMember(w.addUser('alice@example.com', { userId: 'alice' }));
  w.addGrant('alice', { kind: 'group', value: 'eng', source: 'directory:dir-1' });
  w.addGrant('alice', { kind: 'role', value: 'admin', source: 'admin' });
  w.addSession('alice');
  w.addMember(w.addUser('olivia@example.com', { userId: 'olivia' }), { roles: ['owner'] });
  w.addSession('olivia');
  return w;
}

describe('runAdminWrite: an admin suspends, reactivates, removes', () => {
  it('suspends: the membership suspended by the admin, grants kept, sessions ended, each audited once', async () => {
    const w = world();
    const { result, notes } = await write(w, member('suspend', 'alice'));
    expect(result).toEqual({ ok: true, changed: true, status: 'suspended' });
    expect(notes).toEqual(['membership_suspended']);
    expect(w.member('alice')).toMatchObject({ status: 'suspended', suspendedBy: 'admin', statusChangedBy: RUN });
    expect(w.grantsOf('alice')).toHaveLength(2);
    expect(w.sessions).toEqual([{ tenantId: TENANT, userId: 'olivia' }]);
    expect(w.actions()).toEqual(['membership.suspended', 'sessions.ended']);
    expect([...w.audits.values()].every((a) => a.actor === 'admin:admin-user')).toBe(true);
  });

  it("reactivates any suspension, a directory's too (override)", async () => {
    const w = world();
    w.member('alice')!.status = 'suspended';
    w.member('alice')!.suspendedBy = 'directory:dir-1';
    const { result, notes } = await write(w, member('reactivate', 'alice'));
    expect(result).toEqual({ ok: true, changed: true, status: 'active' });
    expect(notes).toEqual(['membership_reactivated']);
    expect(w.member('alice')).toMatchObject({ status: 'active', suspendedBy: null });
    expect(w.actions()).toEqual(['membership.restored']);
  });

  it('removes: every grant revoked (any source), sessions ended, the membership gone, no directory hold', async () => {
    const w = world();
    const { result, notes } = await write(w, member('remove', 'alice'));
    expect(result).toEqual({ ok: true, changed: true, status: 'removed' });
    expect(notes).toEqual(['membership_removed']);
    expect(w.member('alice')).toBeUndefined();
    expect(w.grantsOf('alice')).toEqual([]);
    expect(w.holds.size).toBe(0);
    expect(w.actions()).toEqual(['membership.suspended', 'group.revoked', 'role.revoked', 'sessions.ended', 'membership.removed']);
    expect(w.users.has('alice')).toBe(true);
  });

  it('leaves what is already so: suspend a suspended member, reactivate an active one — nothing written', async () => {
    const w = world();
    w.member('alice')!.status = 'suspended';
    expect((await write(w, member('suspend', 'alice'))).result).toEqual({ ok: true, changed: false, status: 'suspended' });
    expect((await write(w, member('reactivate', 'olivia'))).result).toEqual({ ok: true, changed: false, status: 'active' });
    expect(w.audits.size).toBe(0);
  });

  it.each(['suspend', 'remove'] as const)('refuses to %s the last active owner (last_owner): audited, nothing else written', async (action) => {
    const w = world();
    const before = w.snapshot();
    const { result, notes } = await write(w, member(action, 'olivia'));
    expect(result).toMatchObject({ ok: false, code: 'last_owner' });
    expect(notes).toEqual(['refused:last_owner']);
    expect([...w.audits.values()]).toEqual([
      {
        action: `membership.${action}_refused`,
        actor: 'admin:admin-user',
        target: `membership:${TENANT}:olivia`,
        userId: 'olivia',
        reason: 'last_owner',
        detail: null,
      },
    ]);
    w.audits.clear();
    expect(w.snapshot()).toEqual(before);
  });

  it('counts owners by effective roles: an owner through a group lets the direct owner go', async () => {
    const w = world();
    w.addGroup('founders', ['owner']);
    w.addGrant('alice', { kind: 'group', value: 'founders', source: 'admin' });
    expect((await write(w, member('suspend', 'olivia'))).result).toEqual({ ok: true, changed: true, status: 'suspended' });
  });

  it('refuses a member that does not exist (member_not_found), audited', async () => {
    const w = world();
    const { result } = await write(w, member('suspend', 'nobody'));
    expect(result).toMatchObject({ ok: false, code: 'member_not_found' });
    expect(w.actions()).toEqual(['membership.suspend_refused']);
  });
});

describe('runAdminWrite: a directory asks (through the tenant lifecycle run)', () => {
  it('suspends and keeps the grants; the membership names the directory as suspender', async () => {
    const w = world();
    const { result } = await write(w, member('suspend', 'alice', DIRECTORY));
    expect(result).toEqual({ ok: true, changed: true, status: 'suspended' });
    expect(w.member('alice')).toMatchObject({ status: 'suspended', suspendedBy: 'directory:dir-1' });
    expect(w.grantsOf('alice')).toHaveLength(2);
    expect(w.actions()).toEqual(['membership.suspended', 'sessions.ended']);
    expect([...w.audits.values()].every((a) => a.actor === 'directory:dir-1')).toBe(true);
  });

  it('offboards the last owner (the directory is the source of record) and alerts tenant.no_active_owner', async () => {
    const w = world();
    const { result, notes } = await write(w, member('suspend', 'olivia', DIRECTORY));
    expect(result).toEqual({ ok: true, changed: true, status: 'suspended' });
    expect(notes).toEqual(['alert:tenant.no_active_owner', 'membership_suspended']);
    expect(w.actions()).toEqual(['membership.suspended', 'sessions.ended', 'tenant.no_active_owner']);
  });

  it('removes with a hold (a sign-in does not bring the person back)', async () => {
    const w = world();
    await write(w, member('remove', 'alice', DIRECTORY));
    expect(w.member('alice')).toBeUndefined();
    expect(w.holds.get(`${TENANT}:alice`)).toBe('dir-1');
  });

  it("restores only its own suspension: an admin's is left (suspended_by_other), nothing written", async () => {
    const w = world();
    w.member('alice')!.status = 'suspended';
    const { result, notes } = await write(w, member('reactivate', 'alice', DIRECTORY));
    expect(result).toEqual({ ok: true, changed: false, status: 'suspended' });
    expect(notes).toEqual(['unchanged:suspended_by_other']);
    expect(w.member('alice')!.status).toBe('suspended');
    expect(w.audits.size).toBe(0);
    w.member('alice')!.suspendedBy = 'directory:dir-1';
    expect((await write(w, member('reactivate', 'alice', DIRECTORY))).result).toEqual({ ok: true, changed: true, status: 'active' });
  });
});

describe('runAdminWrite: removing a group', () => {
  function withGroup(): FakeWorld {
    const w = world();
    w.addGroup('eng');
    w.groupRevokeBatch = 2;
    for (const u of ['u1', 'u2', 'u3', 'u4']) {
      w.addMember(w.addUser(`${u}@example.com`, { userId: u }));
      w.addGrant(u, { kind: 'group', value: 'eng', source: 'admin' });
    }
    return w;
  }
  const removeGroup: AdminWrite = { id: 'write-1', kind: 'removeGroup', group: 'eng', actor: ADMIN };

  it('revokes the grants in bounded batches, then deletes the group; each audited once', async () => {
    const w = withGroup();
    const { result, notes } = await write(w, removeGroup);
    expect(result).toEqual({ ok: true, changed: true, status: 'deleted' });
    expect(notes).toEqual(['group_deleted:eng']);
    expect(w.calls.map((c) => c.name)).toEqual(['revokeGroupGrants', 'revokeGroupGrants', 'revokeGroupGrants', 'deleteTenantGroup']);
    expect([...w.grants.values()].filter((g) => g.value === 'eng')).toEqual([]);
    expect(w.groups.has(`${TENANT}:eng`)).toBe(false);
    expect(w.actions()).toEqual([...Array(5).fill('group.revoked'), 'group.deleted']);
  });

  it('refuses a group that does not exist (group_not_found); grants still naming it are revoked first', async () => {
    const w = world();
    const ghosts: AdminWrite = { ...removeGroup, group: 'ghosts' };
    expect((await write(w, ghosts)).result).toMatchObject({ ok: false, code: 'group_not_found' });
    expect(w.actions()).toEqual(['group.remove_refused']);
    w.audits.clear();
    // Alice's `eng` grant has no group document: revoked, then the removal refused.
    expect((await write(w, removeGroup)).result).toMatchObject({ ok: false, code: 'group_not_found' });
    expect(w.actions()).toEqual(['group.revoked', 'group.remove_refused']);
  });

  it('after a crash once the group is deleted, the write ran again answers the deletion (not group_not_found)', async () => {
    await expectSameAfterAnyCrash(withGroup, (acts) => runAdminWrite(TENANT, removeGroup, RUN, acts, () => undefined));
  });

  it("after a crash at any step before the group is deleted, the write ran again leaves one clean run's state and audits", async () => {
    const { world: clean, steps } = await expectSameAfterAnyCrash(withGroup, (acts) => runAdminWrite(TENANT, removeGroup, RUN, acts, () => undefined), {
      exceptLast: true,
    });
    expect(steps).toBe(4);
    expect(clean.calls.at(-1)?.name).toBe('deleteTenantGroup');
  });
});

describe('runAdminWrite: the activity ran again after a crash', () => {
  const run = (request: AdminWrite) => (acts: FakeActivities) => runAdminWrite(TENANT, request, RUN, acts, () => undefined);

  it.each([
    ['an admin suspends', member('suspend', 'alice')],
    ['an admin reactivates', member('reactivate', 'alice')],
    ['a directory suspends the last owner (alert)', member('suspend', 'olivia', DIRECTORY)],
  ])('%s: a crash after any step, then the same write again, equals one clean run', async (_name, request) => {
    const setup = () => {
      const w = world();
      if (request.kind === 'member' && request.action === 'reactivate') w.member('alice')!.status = 'suspended';
      return w;
    };
    const { steps } = await expectSameAfterAnyCrash(setup, run(request));
    expect(steps).toBeGreaterThan(1);
  });

  /*
   * A crash after the last step of a removal (the membership deleted, the
   * completion lost): the write run again recognizes its own removal (by the
   * removal's audit key) and answers the removal, not "no such member".
   */
  it('an admin removes: a crash after the membership was deleted, then the same write again, equals one clean run', async () => {
    await expectSameAfterAnyCrash(world, run(member('remove', 'alice')));
  });

  it('an admin removes: a crash after any step but the last, then the same write again, equals one clean run', async () => {
    const { world: clean } = await expectSameAfterAnyCrash(world, run(member('remove', 'alice')), { exceptLast: true });
    expect(clean.calls.at(-1)?.name).toBe('removeMembership');
  });
});
