import { describe, expect, it } from 'vitest';
import { directoryContext } from '../../../src/domain/provisioningContext';
import type { ScimGroupWrite } from '../../../src/scim/groupWrites';
import { runDirectoryGroupWrite } from '../../../workflows/directoryGroupFlow';
import { runMemberWork, type MemberWork } from '../../../workflows/groupMembers';
import { expectSameAfterAnyCrash } from '../../flows/crashes';
import { crashingActivities, type FakeActivities } from '../../flows/fakeActivities';
import { FakeWorld, TENANT } from '../../flows/fakeWorld';

const DIR = 'dir-1';
const TARGET = { directoryId: DIR, tenantId: TENANT, scimId: 'g-1' };
const RUN = { workflowId: `scim-group-${DIR}-g-1`, runId: 'run-1' };

/** A tenant with a directory that provisioned Alice and Bob (active members) and Carl (a User with no account). */
function directoryWorld(): FakeWorld {
  const w = new FakeWorld();
  w.connections.set(DIR, { tenantId: TENANT, kind: 'directory', enabled: true });
  for (const name of ['alice', 'bob']) {
    w.addMember(w.addUser(`${name}@example.com`, { userId: name }));
    w.scimUsers.set(`${DIR}:scim-${name}`, {
      scimId: `scim-${name}`,
      resource: { userName: `${name}@example.com`, active: true },
      userId: name,
      version: 1,
      recentWrites: [],
    });
  }
  w.scimUsers.set(`${DIR}:scim-carl`, { scimId: 'scim-carl', resource: { userName: 'carl', active: true }, userId: null, version: 1, recentWrites: [] });
  return w;
}

/** Stage a write's member ids as the HTTP edge does (`writeId:op:chunk`), one chunk per list. */
function staged(w: FakeWorld, writeId: string, ops: { op: 'add' | 'remove' | 'replace'; chunks: string[][] }[]) {
  ops.forEach((o, i) => o.chunks.forEach((ids, c) => w.staged.set(`${writeId}:${i}:${c}`, ids)));
  return ops.map((o) => ({ op: o.op, count: o.chunks.flat().length, chunks: o.chunks.length }));
}

async function write(w: FakeWorld, request: ScimGroupWrite, opts: { inlineSteps?: number; acts?: FakeActivities } = {}) {
  const notes: string[] = [];
  const acts = opts.acts ?? crashingActivities(w);
  const fanOuts: MemberWork[] = [];
  // The fan-out workflow runs the rest of the member work with the same activities.
  const fanOut = async (work: MemberWork) => {
    fanOuts.push(work);
    await runMemberWork(work, 100, directoryContext(DIR, TENANT, RUN), acts);
  };
  const result = await runDirectoryGroupWrite({ ...TARGET, ...(opts.inlineSteps ? { inlineSteps: opts.inlineSteps } : {}) }, request, RUN, acts, fanOut, (d) =>
    notes.push(d),
  );
  return { result, notes, fanOuts };
}

const holders = (w: FakeWorld, group: string) =>
  [...w.grants.values()]
    .filter((g) => g.value === group)
    .map((g) => g.membershipId.split(':')[1])
    .sort();
const members = (w: FakeWorld) => [...w.scimGroupMembers.values()].map((m) => m.member).sort();

describe('runDirectoryGroupWrite', () => {
  it('create: the Group, its keys, the tenant group it owns, its members; the group granted to active accounts; staged ids dropped', async () => {
    const w = directoryWorld();
    const ops = staged(w, 'w-1', [{ op: 'add', chunks: [['scim-alice', 'scim-carl']] }]);
    const { result } = await write(w, { id: 'w-1', kind: 'create', attributes: { displayName: 'Engineering', externalId: 'ext-1' }, members: ops });
    expect(result).toMatchObject({ ok: true, status: 201, group: { id: 'g-1', displayName: 'Engineering', groupName: 'Engineering', version: 1 } });
    expect(w.groups.get(`${TENANT}:Engineering`)).toMatchObject({ createdFrom: `directory:${DIR}` });
    expect(members(w)).toEqual(['scim-alice', 'scim-carl']);
    expect(holders(w, 'Engineering')).toEqual(['alice']);
    expect([...w.scimKeys.keys()].sort()).toEqual([`${DIR}:Group:displayName:Engineering`, `${DIR}:Group:externalId:ext-1`]);
    expect(w.staged.size).toBe(0);
    expect(w.actions()).toEqual(['group.created', 'group.granted', 'scim.group_created']);
  });

  it('refuses a name the tenant already uses for a group the directory does not own (409), giving the keys back', async () => {
    const w = directoryWorld();
    w.addGroup('Engineering');
    const { result, notes } = await write(w, { id: 'w-1', kind: 'create', attributes: { displayName: 'Engineering', externalId: null }, members: [] });
    expect(result).toMatchObject({ ok: false, error: { status: 409, scimType: 'uniqueness' } });
    expect(notes).toEqual(['refused:group_name_taken']);
    expect(w.scimKeys.size).toBe(0);
    expect(w.scimGroups.size).toBe(0);
    expect([...w.audits.values()]).toMatchObject([{ action: 'scim.write_refused', reason: 'group_name_taken' }]);
  });

  it('refuses a displayName another Group of the directory holds (409 uniqueness)', async () => {
    const w = directoryWorld();
    w.addDirectoryGroup(DIR, 'g-other', 'Engineering');
    const { result, notes } = await write(w, { id: 'w-1', kind: 'create', attributes: { displayName: 'Engineering', externalId: null }, members: [] });
    expect(result).toMatchObject({ ok: false, error: { status: 409, code: 'scim_uniqueness' } });
    expect(notes).toEqual(['refused:uniqueness']);
  });

  it('answers 404 for a write to a Group it does not have, unaudited', async () => {
    const w = directoryWorld();
    expect((await write(w, { id: 'w-1', kind: 'delete' })).result).toMatchObject({ ok: false, error: { status: 404 } });
    expect(w.audits.size).toBe(0);
  });

  it('replace: members it does not name leave (grants revoked); remove: the named members leave', async () => {
    const w = directoryWorld();
    w.addDirectoryGroup(DIR, 'g-1', 'Engineering', ['scim-alice', 'scim-bob']);
    for (const u of ['alice', 'bob']) w.addGrant(u, { kind: 'group', value: 'Engineering', source: `directory:${DIR}` });
    const replace = staged(w, 'w-2', [{ op: 'replace', chunks: [['scim-alice']] }]);
    await write(w, { id: 'w-2', kind: 'replace', attributes: { displayName: 'Engineering', externalId: null }, members: replace });
    expect(members(w)).toEqual(['scim-alice']);
    expect(holders(w, 'Engineering')).toEqual(['alice']);
    const remove = staged(w, 'w-3', [{ op: 'remove', chunks: [['scim-alice']] }]);
    await write(w, { id: 'w-3', kind: 'patch', attributes: {}, members: remove });
    expect(members(w)).toEqual([]);
    expect(holders(w, 'Engineering')).toEqual([]);
    expect(w.actions()).toEqual(['group.revoked', 'scim.group_updated', 'group.revoked', 'scim.group_updated']);
  });

  it("rename: the new tenant group takes the old one's roles, every member moves to it, the old one goes", async () => {
    const w = directoryWorld();
    w.addDirectoryGroup(DIR, 'g-1', 'Engineering', ['scim-alice', 'scim-bob']);
    w.groups.get(`${TENANT}:Engineering`)!.roles = ['admin'];
    for (const u of ['alice', 'bob']) w.addGrant(u, { kind: 'group', value: 'Engineering', source: `directory:${DIR}` });
    w.memberPage = 1;
    const { result, notes } = await write(w, { id: 'w-2', kind: 'patch', attributes: { displayName: 'Platform' }, members: [] });
    expect(result).toMatchObject({ ok: true, status: 200, group: { displayName: 'Platform', groupName: 'Platform', version: 2 } });
    expect(notes).toEqual(['renamed']);
    expect(w.groups.get(`${TENANT}:Platform`)?.roles).toEqual(['admin']);
    expect(w.groups.has(`${TENANT}:Engineering`)).toBe(false);
    expect(holders(w, 'Platform')).toEqual(['alice', 'bob']);
    expect(holders(w, 'Engineering')).toEqual([]);
    expect(w.calls.filter((c) => c.name === 'regrantGroupMembers')).toHaveLength(3);
    expect([...w.scimKeys.keys()]).toEqual([`${DIR}:Group:displayName:Platform`]);
  });

  it('DELETE: every member leaves (grants revoked), then the tenant group and the resource with its keys: 204', async () => {
    const w = directoryWorld();
    w.addDirectoryGroup(DIR, 'g-1', 'Engineering', ['scim-alice', 'scim-bob', 'scim-carl']);
    for (const u of ['alice', 'bob']) w.addGrant(u, { kind: 'group', value: 'Engineering', source: `directory:${DIR}` });
    const { result, notes } = await write(w, { id: 'w-9', kind: 'delete' });
    expect(result).toEqual({ ok: true, status: 204, group: null });
    expect(notes).toEqual(['deleted']);
    expect(members(w)).toEqual([]);
    expect(holders(w, 'Engineering')).toEqual([]);
    expect(w.groups.size).toBe(0);
    expect(w.scimGroups.size).toBe(0);
    expect(w.scimKeys.size).toBe(0);
    expect(w.actions()).toEqual(['group.revoked', 'group.revoked', 'group.deleted', 'scim.group_deleted']);
  });

  it('hands member work past the inline budget to the fan-out, and answers once all of it is done', async () => {
    const w = directoryWorld();
    const ops = staged(w, 'w-1', [{ op: 'add', chunks: [['scim-alice'], ['scim-bob'], ['scim-carl']] }]);
    const { notes, fanOuts } = await write(
      w,
      { id: 'w-1', kind: 'create', attributes: { displayName: 'Engineering', externalId: null }, members: ops },
      { inlineSteps: 1 },
    );
    expect(notes).toEqual(['fan_out']);
    expect(fanOuts).toEqual([expect.objectContaining({ op: 0, chunk: 1, groupName: 'Engineering' })]);
    expect(holders(w, 'Engineering')).toEqual(['alice', 'bob']);
    expect(w.staged.size).toBe(0);
  });

  it('a write already applied is answered from the stored Group', async () => {
    const w = directoryWorld();
    w.addDirectoryGroup(DIR, 'g-1', 'Engineering');
    const { result, notes } = await write(w, {
      id: 'w-group-create',
      kind: 'create',
      attributes: { displayName: 'Engineering', externalId: null },
      members: [],
    });
    expect(result).toMatchObject({ ok: true, status: 201, group: { displayName: 'Engineering' } });
    expect(notes).toEqual(['already_applied']);
    expect(w.audits.size).toBe(0);
  });
});

describe('runDirectoryGroupWrite: the activity ran again after a crash', () => {
  const flow = (request: ScimGroupWrite) => (acts: FakeActivities) =>
    runDirectoryGroupWrite(
      TARGET,
      request,
      RUN,
      acts,
      async () => undefined,
      () => undefined,
    );

  it('create with members: a crash after any step, then the same write again, equals one clean run', async () => {
    const setup = () => {
      const w = directoryWorld();
      staged(w, 'w-1', [{ op: 'add', chunks: [['scim-alice'], ['scim-bob', 'scim-carl']] }]);
      return w;
    };
    const request: ScimGroupWrite = {
      id: 'w-1',
      kind: 'create',
      attributes: { displayName: 'Engineering', externalId: null },
      members: [{ op: 'add', count: 3, chunks: 2 }],
    };
    const { result, steps } = await expectSameAfterAnyCrash(setup, flow(request));
    expect(result).toMatchObject({ ok: true, status: 201 });
    expect(steps).toBeGreaterThanOrEqual(6);
  });

  const renamed = () => {
    const w = directoryWorld();
    w.addDirectoryGroup(DIR, 'g-1', 'Engineering', ['scim-alice', 'scim-bob']);
    for (const u of ['alice', 'bob']) w.addGrant(u, { kind: 'group', value: 'Engineering', source: `directory:${DIR}` });
    return w;
  };
  const rename: ScimGroupWrite = { id: 'w-2', kind: 'patch', attributes: { displayName: 'Platform' }, members: [] };

  it('rename: a crash before the new name is recorded, then the same write again, equals one clean run', async () => {
    const { result, steps } = await expectSameAfterAnyCrash(renamed, flow(rename), { onlyBefore: 'renameScimGroup' });
    expect(result).toMatchObject({ ok: true, status: 200 });
    expect(steps).toBeGreaterThan(4);
  });

  /*
   * renameScimGroup records the new name before the grants move, with the
   * write and the old name: the same write run again reads the Group as it
   * was (`groupName` = the old name), so it still moves the members' grants
   * and drops the old tenant group.
   */
  it('rename: a crash after the new name is recorded, then the same write again, equals one clean run', async () => {
    const { result, world } = await expectSameAfterAnyCrash(renamed, flow(rename));
    expect(result).toMatchObject({ ok: true, status: 200, group: { displayName: 'Platform', groupName: 'Platform' } });
    expect(holders(world, 'Platform')).toEqual(['alice', 'bob']);
    expect(world.groups.has(`${TENANT}:Engineering`)).toBe(false);
    expect(world.scimGroups.get(`${DIR}:g-1`)?.renamedFrom).toBeUndefined();
  });

  it('rename over pages of members: a crash between pages, then the same write again, equals one clean run', async () => {
    const paged = () => {
      const w = renamed();
      w.memberPage = 1;
      return w;
    };
    const { world } = await expectSameAfterAnyCrash(paged, flow(rename));
    expect(world.calls.filter((c) => c.name === 'regrantGroupMembers')).toHaveLength(3);
  });

  it("a rename another write left under way is not taken as this write's own", async () => {
    const w = renamed();
    w.scimGroups.get(`${DIR}:g-1`)!.renamedFrom = { writeId: 'w-other', groupName: 'Old' };
    const prepared = await crashingActivities(w).prepareScimGroupWrite({ ...TARGET, run: RUN, write: rename });
    expect(prepared).toMatchObject({ ok: true, before: { groupName: 'Engineering' } });
  });

  it('DELETE: a crash after any step but the last, then the same write again, equals one clean run', async () => {
    const setup = () => {
      const w = directoryWorld();
      w.addDirectoryGroup(DIR, 'g-1', 'Engineering', ['scim-alice', 'scim-bob']);
      for (const u of ['alice', 'bob']) w.addGrant(u, { kind: 'group', value: 'Engineering', source: `directory:${DIR}` });
      return w;
    };
    const { result, world } = await expectSameAfterAnyCrash(setup, flow({ id: 'w-9', kind: 'delete' }), { exceptLast: true });
    expect(result).toEqual({ ok: true, status: 204, group: null });
    expect(world.calls.at(-1)?.name).toBe('deleteScimGroup');
  });

  // As a User's DELETE: once the Group is deleted, the write run again finds its own deletion audited and answers 204.
  it('DELETE: a crash after the Group was deleted, then the same write again, answers as one clean run (204)', async () => {
    const { result } = await expectSameAfterAnyCrash(renamed, flow({ id: 'w-9', kind: 'delete' }));
    expect(result).toEqual({ ok: true, status: 204, group: null });
  });

  it('DELETE of a Group another run deleted answers 404', async () => {
    const w = renamed();
    await flow({ id: 'w-9', kind: 'delete' })(crashingActivities(w));
    const other = await runDirectoryGroupWrite(
      TARGET,
      { id: 'w-9', kind: 'delete' },
      { ...RUN, runId: 'run-2' },
      crashingActivities(w),
      async () => undefined,
      () => undefined,
    );
    expect(other).toMatchObject({ ok: false, error: { status: 404 } });
  });
});
