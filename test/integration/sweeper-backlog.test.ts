import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sweepExpired } from '../../src/store/sweeper';
import { deleteInBatches } from '../../src/store/sweepBatches';
import { startHarness, type Harness } from '../support/harness';

/**
 * A stack that was down past its expiries comes back to a backlog: the
 * sweeper must work it off, not fail on it every minute (FerretDB on
 * PostgreSQL refuses one delete of more than 65,535 documents), and one
 * collection's failure must not stop the others' sweeps.
 */
describe('the sweeper after downtime', () => {
  let h: Harness;
  const models = () => h.services.db.models;

  beforeAll(async () => {
    h = await startHarness({ worker: false });
  });
  afterAll(async () => h?.close());

  it('deletes a backlog of 70,000 expired sessions and keeps the live ones', async () => {
    const past = new Date(Date.now() - 86_400_000);
    const future = new Date(Date.now() + 86_400_000);
    for (let chunk = 0; chunk < 7; chunk++) {
      await models().sessions.collection.insertMany(
        Array.from({ length: 10_000 }, (_, i) => ({ _id: `old-${chunk}-${i}`, expires: past, session: { n: i } }) as never),
      );
    }
    await models().sessions.collection.insertMany(Array.from({ length: 100 }, (_, i) => ({ _id: `live-${i}`, expires: future, session: {} }) as never));
    // A sweep removes a bounded amount; the next sweeps take the rest.
    let removed = 0;
    for (let sweep = 0; sweep < 3 && removed < 70_000; sweep++) removed += (await sweepExpired(models())).sessions ?? 0;
    expect(removed).toBe(70_000);
    expect(await models().sessions.countDocuments({})).toBe(100);
  }, 170_000);

  it('a batch is bounded: what a sweep leaves, the next one takes', async () => {
    const past = new Date(Date.now() - 60_000);
    await models().sessions.collection.insertMany(Array.from({ length: 25 }, (_, i) => ({ _id: `few-${i}`, expires: past, session: {} }) as never));
    const filter = { expires: { $lt: new Date() } };
    expect(await deleteInBatches(models().sessions, filter, { batch: 10, maxBatches: 2 })).toEqual({ deleted: 20, done: false });
    expect(await deleteInBatches(models().sessions, filter, { batch: 10, maxBatches: 2 })).toEqual({ deleted: 5, done: true });
    expect(await models().sessions.countDocuments({})).toBe(100);
  });

  it("one collection's failure does not stop the other sweeps, and the sweep still fails loudly", async () => {
    const past = new Date(Date.now() - 60_000);
    await models().emailCodes.collection.insertOne({ _id: 'stale-code', expiresAt: past } as never);
    await models().sessions.collection.insertOne({ _id: 'stale-session', expires: past, session: {} } as never);
    const spy = vi.spyOn(models().samlRequests, 'find').mockImplementation(() => {
      throw new Error('the database refused this one');
    });
    await expect(sweepExpired(models())).rejects.toThrow(/samlRequests/);
    spy.mockRestore();
    expect(await models().sessions.findById('stale-session').lean()).toBeNull();
    expect(await models().emailCodes.collection.findOne({ _id: 'stale-code' } as never)).toBeNull();
  });
});
