import { describe, expect, it } from 'vitest';
import type { Models } from '../../src/store/models';
import { changeInTurn, type TurnTarget } from '../../src/store/turns';

/** An in-memory change log (unique `_id`, as the real collection) and one document, to drive the turns' branches. */
function world() {
  const log = new Map<string, { set: Array<{ path: string; value: unknown }>; at: Date }>();
  const doc: Record<string, unknown> = { changeGeneration: 0 };
  const writes: Array<Record<string, unknown>> = [];
  const models = {
    documentChanges: {
      create: async (d: { _id: string; set: Array<{ path: string; value: unknown }>; at: Date }) => {
        if (log.has(d._id)) throw Object.assign(new Error('E11000 duplicate key'), { code: 11000 });
        log.set(d._id, { set: d.set, at: d.at });
      },
      findById: (id: string) => ({ lean: async () => log.get(id) ?? null }),
    },
  } as unknown as Models;
  const target: TurnTarget = {
    key: 'thing:1',
    generation: async () => Number(doc.changeGeneration),
    write: async (set) => {
      writes.push(set);
      Object.assign(doc, set);
    },
  };
  return { log, doc, writes, models, target };
}

describe('changes in turns', () => {
  it('a writer that lost its turn decides again from what the winner wrote', async () => {
    const w = world();
    // Another writer took generation 1 and wrote it just now.
    w.log.set('thing:1:0000000001', { set: [{ path: 'a', value: 1 }], at: new Date() });
    let reads = 0;
    const result = await changeInTurn(w.models, w.target, async () => {
      reads += 1;
      if (reads === 2) Object.assign(w.doc, { a: 1, changeGeneration: 1 }); // the winner's write lands
      return { generation: Number(w.doc.changeGeneration), set: { b: 2 }, result: reads };
    });
    expect(result).toBe(2);
    expect(w.doc).toMatchObject({ a: 1, b: 2, changeGeneration: 2 });
  });

  it("a change whose writer died is applied by the next writer after STALE_MS, then the next writer's own", async () => {
    const w = world();
    w.log.set('thing:1:0000000001', {
      set: [
        { path: 'a', value: 'dead' },
        { path: 'changeGeneration', value: 1 },
      ],
      at: new Date(Date.now() - 60_000),
    });
    await changeInTurn(w.models, w.target, async () => ({ generation: Number(w.doc.changeGeneration), set: { b: 'next' }, result: null }));
    expect(w.doc).toMatchObject({ a: 'dead', b: 'next', changeGeneration: 2 });
  });

  it('a writer stalled until its change was rolled forward (and a later one written) does not write it again', async () => {
    const w = world();
    await changeInTurn(w.models, { ...w.target, generation: async () => 2 }, async () => ({ generation: 0, set: { a: 'late' }, result: null }));
    expect(w.writes).toEqual([]);
    expect(w.log.has('thing:1:0000000001')).toBe(true);
  });

  it('a refusal from the decision writes nothing', async () => {
    const w = world();
    await expect(
      changeInTurn(w.models, w.target, async () => {
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(w.log.size).toBe(0);
    expect(w.writes).toEqual([]);
  });
});
