import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importIdOf } from '../../src/library/imports';
import { startHarness, type Harness } from '../support/harness';
import { importDone, peopleCsv, postImport } from '../support/imports';

/**
 * An upload that went quiet (its process died mid-file) may be taken over
 * by a new upload under its key. Several such uploads at once: exactly one
 * takes over (a unique insert per stale state), the others are told the
 * import is busy (409) or get the winner's import — none breaks another.
 */
describe('stale upload takeovers under concurrency', () => {
  let h: Harness;
  let tenantId: string;
  const models = () => h.services.db.models;

  beforeAll(async () => {
    h = await startHarness();
    await h.createTenant('takeover', { enabled: false, defaultRoles: ['member'] });
    expect((await h.admin('PUT', '/tenants/takeover/domains', { domains: [{ domain: 'takeover.test', verified: true }] })).status).toBe(200);
    tenantId = String((await models().tenants.findOne({ slug: 'takeover' }).lean())?._id);
  });
  afterAll(async () => h?.close());

  /** What a process that died mid-upload left: an import still `receiving`, quiet for an hour, with a chunk of its rows. */
  const deadUpload = async (key: string) => {
    const _id = importIdOf(tenantId, key);
    const hourAgo = new Date(Date.now() - 3600_000);
    await models().imports.collection.insertOne({
      _id,
      tenantId: new Types.ObjectId(tenantId),
      key,
      format: 'csv',
      status: 'receiving',
      rows: 100,
      chunks: 0,
      summary: null,
      actor: { type: 'admin', id: null },
      finishedAt: null,
      createdAt: hourAgo,
      updatedAt: hourAgo,
    } as never);
    await models().importChunks.create({ _id: `${_id}:0`, importId: _id, rows: [{ n: 1, email: 'leftover@takeover.test', roles: [], groups: [] }] });
    return _id;
  };

  it('four uploads take over one dead upload at once: one imports the file, the others get 409 or its import; every row once', async () => {
    const id = await deadUpload('people-1');
    const file = peopleCsv('takeover.test', 0, 150);
    const answers = await Promise.all([1, 2, 3, 4].map(() => postImport(h, 'takeover', file, { query: 'key=people-1' })));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 202)).toHaveLength(1);
    for (const a of answers.filter((x) => x.status !== 202)) {
      if (a.status === 409) expect(a.body.error?.code).toBe('import_in_progress');
      else expect(a).toMatchObject({ status: 200, body: { import: { id } } });
    }
    const done = await importDone(h, 'takeover', id);
    expect(done).toMatchObject({ rows: 150, counts: { created: 150, failed: 0 } });
    expect(await models().importChunks.countDocuments({ importId: id })).toBe(2);
    expect(await models().users.countDocuments({ email: /@takeover\.test$/ })).toBe(150);
    expect(await models().users.countDocuments({ email: 'leftover@takeover.test' })).toBe(0);
    expect(await models().importTakeovers.countDocuments({ importId: id })).toBe(1);

    // Sent again under its key: the same import, nothing more.
    expect(await postImport(h, 'takeover', file, { query: 'key=people-1' })).toMatchObject({ status: 200, body: { import: { id, status: 'done' } } });
    expect(await models().users.countDocuments({ email: /@takeover\.test$/ })).toBe(150);
  });
});
