import { createStore } from '../../src/store/store';
import { randomBytes } from 'node:crypto';
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { provisionBatch, type BatchRow } from '../../activities/importBatch';
import { importRowRun } from '../../activities/imports';
import { createProvisioningActivities } from '../../activities/provisioning';
import { activitySupport } from '../../activities/support';
import { connectDatabase, type Database } from '../../src/store/connect';
import { createTenantLibrary } from '../../src/library/tenants';
import { createTenantPolicyLibrary } from '../../src/library/tenantPolicies';
import { createLogger } from '../../src/logger';
import { provisionMember } from '../../workflows/memberProvisioningFlow';

/**
 * An import chunk's batch (activities/importBatch.ts) against the real
 * store: a retried batch — after it finished, or after a crash left part of
 * it written — creates no second account, membership, audit record or
 * event; a row whose email someone else holds goes the row-at-a-time way.
 */
describe('an import batch', () => {
  const stack = inject('stack');
  let db: Database;
  let tenantId: string;
  const logger = createLogger('warn');
  const actor = { type: 'admin' as const, id: 'test' };

  beforeAll(async () => {
    db = await connectDatabase(stack.mongoUri, `batch_${randomBytes(4).toString('hex')}`, logger);
    const tenant = await createTenantLibrary(createStore(db.models)).create(
      { slug: 'batch', name: 'Batch', jit: { enabled: false, defaultRoles: ['member'] } },
      actor,
    );
    tenantId = String(tenant._id);
    await createTenantPolicyLibrary(createStore(db.models)).setDomains(tenant._id, [{ domain: 'batch.test', verified: true }], actor);
  });
  afterAll(async () => {
    await db?.connection.dropDatabase();
    await db?.close();
  });

  const rows = (importId: string, n: number, from = 0): BatchRow[] =>
    Array.from({ length: n }, (_, k) => ({
      request: { email: `p${from + k}@batch.test`, name: `P ${from + k}`, roles: ['member'], groups: [], externalId: `E-${from + k}` },
      scope: { run: importRowRun(importId, from + k), tenantId, source: 'import' as const, actor },
    }));
  const run = (batch: BatchRow[], oneByOne: string[] = []) => {
    const acts = createProvisioningActivities({ store: createStore(db.models), logger });
    return provisionBatch(
      activitySupport({ store: createStore(db.models), logger }),
      acts,
      batch,
      'import',
      (r) => {
        oneByOne.push(r.request.email);
        return provisionMember(r.request, r.scope, 'import', acts);
      },
      4,
    );
  };
  const counts = async (importId: string) => {
    const audits = (action: string) => db.models.auditEvents.countDocuments({ action, workflowId: `import-${importId}` });
    const keys = (await db.models.auditEvents.find({ workflowId: `import-${importId}` }, { key: 1 }).lean()).map((a) => a.key);
    return {
      users: await db.models.users.countDocuments({ 'createdBy.workflowId': `import-${importId}` }),
      memberships: await db.models.memberships.countDocuments({ 'createdBy.workflowId': `import-${importId}` }),
      attributes: await db.models.userAttributes.countDocuments({ name: 'externalId' }),
      'user.created': await audits('user.created'),
      'membership.created': await audits('membership.created'),
      events: await db.models.events.countDocuments({ key: { $in: keys } }),
      // What the member search finds them by, one per membership.
      search: await db.models.memberSearch.countDocuments({
        _id: { $in: (await db.models.memberships.find({ 'createdBy.workflowId': `import-${importId}` }, { _id: 1 }).lean()).map((m) => m._id) },
      }),
    };
  };

  it('writes each new member once, and a retry of the whole batch writes nothing more', async () => {
    const batch = rows('a', 30);
    const first = await run(batch);
    expect(first.map((r) => r.outcome)).toEqual(Array(30).fill('created'));
    const once = { users: 30, memberships: 30, attributes: 30, 'user.created': 30, 'membership.created': 30, events: 60, search: 30 };
    expect(await counts('a')).toEqual(once);
    const again = await run(batch);
    expect(again.map((r) => r.outcome)).toEqual(Array(30).fill('created'));
    expect(again.map((r) => r.userId)).toEqual(first.map((r) => r.userId));
    expect(await counts('a')).toEqual(once);
    const doc = await db.models.memberSearch.findById(`${tenantId}:${first[7]?.userId}`).lean();
    expect(doc?.terms).toEqual(expect.arrayContaining(['p7@batch.test', 'p 7', 'p']));
  });

  it('a retry after a crash between the accounts and the memberships completes the rest, once', async () => {
    const batch = rows('b', 20, 100);
    await run(batch);
    // As if the first attempt died after writing the accounts: the memberships, their audit records and events are not there.
    const gone = await db.models.auditEvents.find({ workflowId: 'import-b', action: 'membership.created' }, { key: 1 }).lean();
    await db.models.memberships.deleteMany({ 'createdBy.workflowId': 'import-b' });
    await db.models.auditEvents.deleteMany({ workflowId: 'import-b', action: 'membership.created' });
    await db.models.events.deleteMany({ key: { $in: gone.map((a) => a.key) } });
    expect(await counts('b')).toMatchObject({ users: 20, memberships: 0, 'user.created': 20, 'membership.created': 0, events: 20 });
    const retried = await run(batch);
    expect(retried.map((r) => r.outcome)).toEqual(Array(20).fill('created'));
    expect(await counts('b')).toMatchObject({ users: 20, memberships: 20, 'user.created': 20, 'membership.created': 20, events: 40, search: 20 });
  });

  it('a row whose email another account holds, or whose membership another run made, is not written by the batch', async () => {
    // p200's email belongs to an account made elsewhere (a sign-in); p201's account is this run's from an earlier
    // attempt of the row-at-a-time path (a random account ID), whose membership a sign-in then made.
    const other = new Types.ObjectId();
    await db.models.users.create({ _id: other, email: 'p200@batch.test', name: 'Other' });
    await db.models.userEmails.create({ _id: 'p200@batch.test', userId: other, createdBy: { workflowId: 'signin-x', runId: 'r' } });
    const earlier = new Types.ObjectId();
    const run201 = importRowRun('c', 201);
    await db.models.userEmails.create({ _id: 'p201@batch.test', userId: earlier, createdBy: run201 });
    await db.models.users.create({ _id: earlier, email: 'p201@batch.test', name: 'P 201', createdBy: run201 });
    await db.models.memberships.create({
      _id: `${tenantId}:${String(earlier)}`,
      tenantId: new Types.ObjectId(tenantId),
      userId: earlier,
      roles: ['member'],
      status: 'active',
      createdBy: { workflowId: 'signin-y', runId: 'r' },
    });
    const oneByOne: string[] = [];
    const results = await run(rows('c', 3, 200), oneByOne);
    expect(oneByOne).toEqual(['p200@batch.test']);
    // The tenant's link policy (approval by default) decides p200's row; nothing of it is written by the batch.
    expect(results[0]?.outcome).toBe('pending');
    expect(results[1]).toMatchObject({ outcome: 'unchanged', userId: String(earlier) });
    expect(results[2]).toMatchObject({ outcome: 'created' });
    expect(await db.models.users.countDocuments({ email: 'p200@batch.test' })).toBe(1);
    expect(await db.models.memberships.countDocuments({ userId: other })).toBe(0);
    expect(await db.models.auditEvents.countDocuments({ workflowId: 'import-c', action: 'membership.created' })).toBe(1);
    // p201's account is this run's: its audit event is written now if the earlier attempt had not (once either way).
    expect(await db.models.auditEvents.countDocuments({ workflowId: 'import-c', action: 'user.created' })).toBe(2);
  });
});
