import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupKey } from '../../src/store/models/group';
import { membershipKey } from '../../src/store/models/membership';
import { createScimGroupLibrary } from '../../src/library/scimGroups';
import { createStore } from '../../src/store/store';
import { emailSearchValue } from '../../src/runs/searchEmail';
import { createDirectoryWriter } from '../../src/runs/directoryClient';
import { entra, entraGroups, okta, oktaGroups } from '../fixtures/scimRequests';
import { startHarness, type Harness } from '../support/harness';
import { createDirectory, type ScimClient } from '../support/scimClient';
import { listRuns } from '../support/temporal';

/**
 * Groups: directory-owned tenant groups, member
 * changes as grants with source `directory:<id>`, Entra's and Okta's group
 * requests, deprovisioning and reactivation of members, concurrency, and a
 * write large enough to fan out and continue as new.
 */
describe('SCIM Groups', () => {
  let h: Harness;
  let scim: ScimClient & { id: string };
  let tenantId: string;

  beforeAll(async () => {
    h = await startHarness();
    await h.createTenant('grp-co', { enabled: false, defaultRoles: ['member'] });
    expect((await h.admin('PUT', '/tenants/grp-co/domains', { domains: [{ domain: 'grp-co.test', verified: true }] })).status).toBe(200);
    scim = await createDirectory(h, 'grp-co', 'entra');
    tenantId = String((await h.services.db.models.tenants.findOne({ slug: 'grp-co' }).lean())?._id);
  });
  afterAll(async () => h?.close());

  const models = () => h.services.db.models;
  /** A User of the directory, and the account it provisioned. */
  const newUser = async (name: string) => {
    const res = await scim.call('POST', '/Users', okta.create(`${name}@grp-co.test`, `ext-${name}`));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const doc = await models()
      .scimUsers.findById(`${scim.id}:${String(res.body.id)}`)
      .lean();
    return { id: String(res.body.id), email: `${name}@grp-co.test`, userId: String(doc?.userId) };
  };
  /** The tenant groups a user holds from this directory. */
  const directoryGroups = async (userId: string) =>
    (
      await models()
        .grants.find({ membershipId: membershipKey(tenantId, userId), source: `directory:${scim.id}` })
        .lean()
    )
      .map((g) => g.value)
      .sort();
  const auditCount = (action: string, userId: string, group: string) => models().auditEvents.countDocuments({ action, userId, 'target.id': group });

  it('Entra: probe, create, add members, remove by value and by filter, rename, delete — grants follow, each audited once', async () => {
    const ada = await newUser('g-ada');
    const bob = await newUser('g-bob');
    expect((await scim.call('GET', entraGroups.probe('Engineering'))).body).toMatchObject({ totalResults: 0, Resources: [] });
    const created = await scim.call('POST', '/Groups', entraGroups.create('Engineering', 'entra-eng'));
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toMatch(/\/Groups\/[0-9a-f-]{36}$/);
    expect(created.body).toMatchObject({ displayName: 'Engineering', externalId: 'entra-eng', members: [], meta: { resourceType: 'Group', version: 'W/"1"' } });
    const id = String(created.body.id);
    expect(await models().groups.findById(groupKey(tenantId, 'Engineering')).lean()).toMatchObject({ createdFrom: `directory:${scim.id}` });

    expect((await scim.call('PATCH', `/Groups/${id}`, entraGroups.addMembers(ada.id, bob.id))).status).toBe(200);
    expect(await directoryGroups(ada.userId)).toEqual(['Engineering']);
    expect(await directoryGroups(bob.userId)).toEqual(['Engineering']);
    const read = await scim.call('GET', `/Groups/${id}`);
    expect((read.body.members as { value: string }[]).map((m) => m.value).sort()).toEqual([ada.id, bob.id].sort());
    expect(read.body.meta).toMatchObject({ version: 'W/"2"' });
    const byMember = await scim.call('GET', `/Groups?filter=${encodeURIComponent(`members.value eq "${ada.id}"`)}&excludedAttributes=members`);
    expect(byMember.body).toMatchObject({ totalResults: 1, Resources: [{ id, displayName: 'Engineering' }] });
    expect(byMember.body.Resources?.[0]).not.toHaveProperty('members');
    expect((await scim.call('GET', entraGroups.probe('engineering'))).body.totalResults).toBe(1);
    // Entra's membership check before a member add or remove.
    const check = (user: string) => scim.call('GET', `/Groups?filter=${encodeURIComponent(`id eq "${id}" and members eq "${user}"`)}&attributes=id`);
    expect((await check(ada.id)).body).toMatchObject({ totalResults: 1, Resources: [{ id }] });
    expect((await check('someone-else')).body.totalResults).toBe(0);

    // The same add again changes nothing and audits nothing.
    expect((await scim.call('PATCH', `/Groups/${id}`, entraGroups.addMembers(ada.id))).status).toBe(200);
    expect(await auditCount('group.granted', ada.userId, 'Engineering')).toBe(1);

    const removed = await scim.call('PATCH', `/Groups/${id}`, entraGroups.removeMembers(bob.id));
    expect(removed.status).toBe(200);
    expect(removed.body).toMatchObject({ id, displayName: 'Engineering' });
    expect(removed.body.members).toEqual([expect.objectContaining({ value: ada.id, type: 'User' })]); // the entire resource
    const lean = await scim.call('PATCH', `/Groups/${id}?excludedAttributes=members`, entraGroups.addMembers(ada.id));
    expect(lean.body).toMatchObject({ id, displayName: 'Engineering' });
    expect(lean.body).not.toHaveProperty('members');
    expect(await directoryGroups(bob.userId)).toEqual([]);
    expect(await auditCount('group.revoked', bob.userId, 'Engineering')).toBe(1);

    expect((await scim.call('PATCH', `/Groups/${id}`, entraGroups.rename('Platform'))).status).toBe(200);
    expect(await directoryGroups(ada.userId)).toEqual(['Platform']);
    expect(await models().groups.findById(groupKey(tenantId, 'Engineering')).lean()).toBeNull();
    expect(await models().groups.findById(groupKey(tenantId, 'Platform')).lean()).toMatchObject({ createdFrom: `directory:${scim.id}` });
    expect((await scim.call('GET', entraGroups.probe('Engineering'))).body.totalResults).toBe(0);

    expect((await scim.call('PATCH', `/Groups/${id}`, entraGroups.removeMemberByFilter(ada.id))).status).toBe(200);
    expect(await directoryGroups(ada.userId)).toEqual([]);
    expect((await scim.call('PATCH', `/Groups/${id}`, entraGroups.addMembers(ada.id))).status).toBe(200);
    expect(await directoryGroups(ada.userId)).toEqual(['Platform']);

    expect((await scim.call('DELETE', `/Groups/${id}`)).status).toBe(204);
    expect(await directoryGroups(ada.userId)).toEqual([]);
    expect(await models().groups.findById(groupKey(tenantId, 'Platform')).lean()).toBeNull();
    expect((await scim.call('GET', `/Groups/${id}`)).status).toBe(404);
    expect((await scim.call('DELETE', `/Groups/${id}`)).status).toBe(404);
    expect(
      await models().auditEvents.countDocuments({ action: { $in: ['scim.group_created', 'scim.group_updated', 'scim.group_deleted'] }, 'target.id': id }),
    ).toBe(9);

    const runs = await listRuns(h.services.client, `OnrampDirectory = "${scim.id}" AND OnrampOperation = "DELETE Group"`, 1);
    expect(runs.length).toBeGreaterThanOrEqual(1);
  });

  it('Okta: Group Push creates with members [], renames path-less, adds without type, PUTs the full list, replaces members with []', async () => {
    const [cy, dee, eve] = [await newUser('g-cy'), await newUser('g-dee'), await newUser('g-eve')];
    const created = await scim.call('POST', '/Groups', oktaGroups.create('Okta Sales'));
    expect(created.status).toBe(201);
    const id = String(created.body.id);
    expect((await scim.call('PATCH', `/Groups/${id}`, oktaGroups.rename(id, 'Sales'))).status).toBe(200);
    expect((await scim.call('PATCH', `/Groups/${id}`, oktaGroups.addMembers(cy, dee))).status).toBe(200);
    expect([await directoryGroups(cy.userId), await directoryGroups(dee.userId)]).toEqual([['Sales'], ['Sales']]);
    const put = await scim.call('PUT', `/Groups/${id}`, oktaGroups.put(id, 'Sales', [dee, eve]));
    expect(put.status).toBe(200);
    expect((put.body.members as { value: string }[]).map((m) => m.value).sort()).toEqual([dee.id, eve.id].sort());
    expect([await directoryGroups(cy.userId), await directoryGroups(dee.userId), await directoryGroups(eve.userId)]).toEqual([[], ['Sales'], ['Sales']]);
    expect((await scim.call('PATCH', `/Groups/${id}`, oktaGroups.replaceMembers([]))).status).toBe(200);
    expect([await directoryGroups(dee.userId), await directoryGroups(eve.userId)]).toEqual([[], []]);
    expect((await scim.call('GET', `/Groups/${id}`)).body.members).toEqual([]);
  });

  it('a deprovisioned member keeps the grants (a suspension keeps them), is not granted new groups while inactive, and gets every group on reactivation', async () => {
    const fay = await newUser('g-fay');
    const one = String((await scim.call('POST', '/Groups', { ...oktaGroups.create('Alpha'), members: [{ value: fay.id }] })).body.id);
    const two = String((await scim.call('POST', '/Groups', oktaGroups.create('Beta'))).body.id);
    expect(await directoryGroups(fay.userId)).toEqual(['Alpha']);
    expect((await scim.call('PATCH', `/Users/${fay.id}`, entra.disable)).status).toBe(200);
    expect(await directoryGroups(fay.userId)).toEqual(['Alpha']);
    expect((await scim.call('PATCH', `/Groups/${two}`, entraGroups.addMembers(fay.id))).status).toBe(200);
    expect(await directoryGroups(fay.userId)).toEqual(['Alpha']);
    expect((await scim.call('PATCH', `/Users/${fay.id}`, entra.enable)).status).toBe(200);
    expect(await directoryGroups(fay.userId)).toEqual(['Alpha', 'Beta']);
    // DELETE of the User: it leaves every group.
    expect((await scim.call('DELETE', `/Users/${fay.id}`)).status).toBe(204);
    expect((await scim.call('GET', `/Groups/${one}`)).body.members).toEqual([]);
    expect((await scim.call('GET', `/Groups/${two}`)).body.members).toEqual([]);
  });

  it('refuses a name another source owns, a duplicate displayName, nested members, unknown paths — in SCIM error format, writing nothing', async () => {
    expect((await h.admin('POST', '/tenants/grp-co/groups', { name: 'Admins', roles: ['admin'] })).status).toBe(201);
    const taken = await scim.call('POST', '/Groups', oktaGroups.create('Admins'));
    expect(taken).toMatchObject({ status: 409, body: { scimType: 'uniqueness' } });
    expect(await models().groups.findById(groupKey(tenantId, 'Admins')).lean()).toMatchObject({ createdFrom: 'admin' });
    expect(await models().scimGroups.countDocuments({ directoryId: scim.id, displayName: 'Admins' })).toBe(0);

    expect((await scim.call('POST', '/Groups', oktaGroups.create('Once'))).status).toBe(201);
    expect(await scim.call('POST', '/Groups', oktaGroups.create('ONCE'))).toMatchObject({ status: 409, body: { scimType: 'uniqueness' } });
    const nested = await scim.call('POST', '/Groups', { ...oktaGroups.create('Nest'), members: [{ value: 'x', type: 'Group' }] });
    expect(nested).toMatchObject({ status: 400, body: { scimType: 'invalidValue', schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'] } });
    expect(
      (
        await scim.call('PATCH', '/Groups/nope', {
          schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
          Operations: [{ op: 'add', path: 'owners', value: 'x' }],
        })
      ).status,
    ).toBe(400);
    expect((await scim.call('PATCH', '/Groups/nope', entraGroups.rename('x'))).status).toBe(404);
    expect(await models().scimGroups.countDocuments({ directoryId: scim.id, displayName: 'Nest' })).toBe(0);
    // A member id that names no User of the directory is kept (peers expect 200) and grants nothing.
    const ghost = await scim.call('POST', '/Groups', { ...oktaGroups.create('Ghosts'), members: [{ value: 'no-such-user' }] });
    expect(ghost).toMatchObject({ status: 201, body: { members: [{ value: 'no-such-user', type: 'User' }] } });
    expect(await models().grants.countDocuments({ tenantId, value: 'Ghosts' })).toBe(0);
  });

  it('owner never flows from a directory group unless the tenant allows it', async () => {
    const gus = await newUser('g-gus');
    const id = String((await scim.call('POST', '/Groups', { ...oktaGroups.create('Founders'), members: [{ value: gus.id }] })).body.id);
    expect((await h.admin('PUT', '/tenants/grp-co/groups/Founders/roles', { roles: ['owner', 'admin'] })).status).toBe(200);
    const access = await h.admin('GET', `/tenants/grp-co/members/${gus.userId}/access`);
    expect(access.body).toMatchObject({ groups: expect.arrayContaining(['Founders']) });
    expect((access.body as unknown as { roles: string[] }).roles).toContain('admin');
    expect((access.body as unknown as { roles: string[] }).roles).not.toContain('owner');
    expect((await h.admin('PUT', '/tenants/grp-co/roles', { custom: [], ownerFromIdp: true })).status).toBe(200);
    expect(((await h.admin('GET', `/tenants/grp-co/members/${gus.userId}/access`)).body as unknown as { roles: string[] }).roles).toContain('owner');
    expect((await scim.call('DELETE', `/Groups/${id}`)).status).toBe(204);
  });

  it('20 concurrent PATCHes to one group: the membership equals the sequential result; no duplicate grant or audit', async () => {
    const leaving = await Promise.all(Array.from({ length: 20 }, (_, i) => newUser(`g-old${i}`)));
    const joining = await Promise.all(Array.from({ length: 20 }, (_, i) => newUser(`g-new${i}`)));
    const id = String((await scim.call('POST', '/Groups', { ...oktaGroups.create('Busy'), members: leaving.map((u) => ({ value: u.id })) })).body.id);
    // PATCH i adds joining[i] and removes leaving[i]: in any order, the result is the joining ones.
    const answers = await Promise.all(
      joining.map((u, i) =>
        scim.call('PATCH', `/Groups/${id}`, {
          schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
          Operations: [
            { op: 'add', path: 'members', value: [{ value: u.id }] },
            { op: 'remove', path: `members[value eq "${leaving[i]?.id}"]` },
          ],
        }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    const read = await scim.call('GET', `/Groups/${id}`);
    expect((read.body.members as { value: string }[]).map((m) => m.value).sort()).toEqual(joining.map((u) => u.id).sort());
    expect(read.body.meta).toMatchObject({ version: 'W/"21"' });
    expect(await models().grants.countDocuments({ tenantId, value: 'Busy', source: `directory:${scim.id}` })).toBe(20);
    for (const u of joining) expect(await auditCount('group.granted', u.userId, 'Busy')).toBe(1);
    for (const u of leaving) expect([await auditCount('group.granted', u.userId, 'Busy'), await auditCount('group.revoked', u.userId, 'Busy')]).toEqual([1, 1]);
  });

  it('a run whose history grew long takes no new write; the writes it refused go to the next run, none lost or applied twice', async () => {
    const people = await Promise.all(Array.from({ length: 12 }, (_, i) => newUser(`g-drain${i}`)));
    const writer = createDirectoryWriter(h.services.client, {
      taskQueue: h.config.temporal.taskQueue,
      waitMs: 60_000,
      workflowTaskTimeoutMs: h.config.temporal.workflowTaskTimeoutMs,
      searchEmail: emailSearchValue(h.config.temporal.searchEmail),
    });
    const groups = createScimGroupLibrary(createStore(models()), writer, { historyLimit: 25 });
    const created = await scim.call('POST', '/Groups', oktaGroups.create('Drain'));
    const target = { directoryId: scim.id, tenantId, scimId: String(created.body.id) };
    const results = await Promise.all(
      people.map((p, i) => groups.write(target, { id: `drain-${i}`, kind: 'patch', attributes: {}, members: [{ op: 'add', values: [p.id] }] })),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    expect((await groups.get(scim.id, target.scimId))?.version).toBe(13);
    expect((await groups.members(scim.id, target.scimId)).length).toBe(12);
    const runs = await listRuns(h.services.client, `WorkflowId = "scim-group-${scim.id}-${target.scimId}"`, 3);
    expect(runs.length).toBeGreaterThanOrEqual(3); // the create's run, and more than one for the twelve writes
  });

  it('one PATCH adding 120 members to a new group grants all of them, each audited once', async () => {
    const crowd: { id: string; userId: string }[] = [];
    for (let i = 0; i < 120; i++) crowd.push(await newUser(`g-crowd${i}`));
    const id = String((await scim.call('POST', '/Groups', oktaGroups.create('Crowd'))).body.id);
    const added = await scim.call('PATCH', `/Groups/${id}?excludedAttributes=members`, entraGroups.addMembers(...crowd.map((c) => c.id)));
    expect(added.status).toBe(200);
    expect(await models().grants.countDocuments({ tenantId, value: 'Crowd', source: `directory:${scim.id}` })).toBe(120);
    expect(await models().auditEvents.countDocuments({ tenantId, action: 'group.granted', 'target.id': 'Crowd' })).toBe(120);
  }, 120_000);

  it('a write whose staged member ids are gone fails and changes nothing (never read as "no members")', async () => {
    const hal = await newUser('g-hal');
    const id = String((await scim.call('POST', '/Groups', { ...oktaGroups.create('Kept'), members: [{ value: hal.id }] })).body.id);
    const writer = createDirectoryWriter(h.services.client, {
      taskQueue: h.config.temporal.taskQueue,
      waitMs: 60_000,
      workflowTaskTimeoutMs: h.config.temporal.workflowTaskTimeoutMs,
      searchEmail: emailSearchValue(h.config.temporal.searchEmail),
    });
    await expect(
      writer.writeGroup(
        { directoryId: scim.id, tenantId, scimId: id },
        { id: 'never-staged', kind: 'replace', attributes: { displayName: 'Kept', externalId: null }, members: [{ op: 'replace', count: 3, chunks: 1 }] },
      ),
    ).rejects.toThrow();
    expect((await scim.call('GET', `/Groups/${id}`)).body.members).toEqual([expect.objectContaining({ value: hal.id })]);
    expect(await directoryGroups(hal.userId)).toEqual(['Kept']);
  });

  it('a write larger than its batch budget fans out to a child that continues as new, and ends exactly as a small one would', async () => {
    const people = await Promise.all(Array.from({ length: 6 }, (_, i) => newUser(`g-fan${i}`)));
    const writer = createDirectoryWriter(h.services.client, {
      taskQueue: h.config.temporal.taskQueue,
      waitMs: 60_000,
      workflowTaskTimeoutMs: h.config.temporal.workflowTaskTimeoutMs,
      searchEmail: emailSearchValue(h.config.temporal.searchEmail),
    });
    const groups = createScimGroupLibrary(createStore(models()), writer, { inlineSteps: 1, fanOutSteps: 2 });
    const created = await scim.call('POST', '/Groups', oktaGroups.create('Fan'));
    const target = { directoryId: scim.id, tenantId, scimId: String(created.body.id) };
    // Seven member ops, one batch step each (and a replace's removal pass): far over the budgets.
    const members = [
      { op: 'add' as const, values: people.slice(0, 3).map((p) => p.id) },
      { op: 'replace' as const, values: people.slice(2, 5).map((p) => p.id) },
      { op: 'remove' as const, values: [people[2]?.id ?? ''] },
      { op: 'add' as const, values: [people[5]?.id ?? ''] },
      { op: 'add' as const, values: [people[0]?.id ?? ''] },
      { op: 'remove' as const, values: [people[0]?.id ?? ''] },
      { op: 'add' as const, values: [people[1]?.id ?? ''] },
    ];
    const result = await groups.write(target, { id: 'fan-out-write', kind: 'patch', attributes: {}, members });
    expect(result).toMatchObject({ ok: true, status: 200 });
    const expected = [people[1], people[3], people[4], people[5]].map((p) => p?.id).sort();
    expect(await groups.members(scim.id, target.scimId)).toEqual(
      expected.slice().sort((a, b) => `${scim.id}:${target.scimId}:${a}`.localeCompare(`${scim.id}:${target.scimId}:${b}`)),
    );
    for (const [i, p] of people.entries()) expect(await directoryGroups(p.userId), `person ${i}`).toEqual(expected.includes(p.id) ? ['Fan'] : []);
    const child = `scim-group-${scim.id}-${target.scimId}-members-fan-out-write`;
    const childRuns = await listRuns(h.services.client, `WorkflowId = "${child}"`, 3);
    expect(childRuns.length).toBeGreaterThanOrEqual(3); // continued as new at least twice
    expect(await models().scimStagedMembers.countDocuments({ writeId: 'fan-out-write' })).toBe(0);
  });
});
