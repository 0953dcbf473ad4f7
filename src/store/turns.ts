import { isDuplicateKeyError, OnrampError } from '../errors';
import type { Models } from './models';

/** A change not applied this long after it was taken is its dead writer's: the next writer applies it. */
const STALE_MS = 10_000;
/** How many times a writer reads again after another writer's change went first. */
const ATTEMPTS = 50;

/** A document whose writers take turns: `key` names it in the change log; `generation` counts its changes. */
export interface TurnTarget {
  key: string;
  /** The document's generation now (null: it is gone). */
  generation(): Promise<number | null>;
  /** Write a change's `$set` to the document. */
  write(set: Record<string, unknown>): Promise<void>;
}

/** What a writer decided from the document as it read it: the generation it read, what to `$set`, and what to answer. */
export interface Decided<R> {
  generation: number;
  set: Record<string, unknown>;
  result: R;
}

const changeKey = (key: string, generation: number) => `${key}:${String(generation).padStart(10, '0')}`;
const pause = () => new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 25));

/**
 * Change one document in turn with every other writer of it. FerretDB v1
 * applies no update atomically, not even `$set`s of different fields (two at
 * once: one is lost), so each change is first taken as the document's next
 * generation by a unique insert into `document_changes`; a writer that lost
 * the turn reads the document again and decides again (`decide` may throw a
 * refusal). The change is logged with what it sets, so one whose writer died
 * before writing is applied by the next writer. Only the writers that go
 * through here take turns: every writer of the document must.
 */
export async function changeInTurn<R>(models: Models, target: TurnTarget, decide: () => Promise<Decided<R>>, now: () => Date = () => new Date()): Promise<R> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
    const { generation: read, set, result } = await decide();
    const generation = read + 1;
    const full = { ...set, changeGeneration: generation };
    try {
      // As { path, value } pairs: a path may hold a dot, which no stored key may.
      await models.documentChanges.create({
        _id: changeKey(target.key, generation),
        set: Object.entries(full).map(([path, value]) => ({ path, value })),
        at: now(),
      });
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      await rollForward(models, target, generation, now());
      await pause();
      continue;
    }
    // Stalled past STALE_MS, the change may have been rolled forward already, and a later one written on top:
    // writing now would undo that later one. (A read then a write is not atomic; it narrows the window to this gap.)
    const current = await target.generation();
    if (current === null || current < generation) await target.write(full);
    return result;
  }
  throw new OnrampError('concurrent_change', 'This is being changed by many requests at once; try again.', { status: 409 });
}

/** A taken change whose writer died before writing the document: applied now, so the document does not stay stuck behind it. */
async function rollForward(models: Models, target: TurnTarget, generation: number, now: Date): Promise<void> {
  const taken = await models.documentChanges.findById(changeKey(target.key, generation)).lean();
  if (!taken || now.getTime() - taken.at.getTime() < STALE_MS) return;
  const current = await target.generation();
  if (current !== null && current < generation)
    await target.write(Object.fromEntries((taken.set as Array<{ path: string; value: unknown }>).map((p) => [p.path, p.value])));
}

/** What a document's turns need of its model (a mongoose model has it). */
export interface TurnModel {
  findById(id: unknown, projection: Record<string, 1>): { lean(): PromiseLike<{ changeGeneration?: number | null } | null> };
  updateOne(filter: Record<string, unknown>, update: Record<string, unknown>): PromiseLike<unknown>;
}

/**
 * Change the document `id` of `model` in turn (changeInTurn): `load` reads it
 * as it is now (and refuses when it is not there), `decide` says what to
 * `$set` and what to answer. The document counts its changes in
 * `changeGeneration`.
 */
export function changeDocument<D extends { changeGeneration?: number | null }, R>(
  models: Models,
  model: TurnModel,
  name: string,
  id: unknown,
  load: () => Promise<D>,
  decide: (doc: D) => { set: Record<string, unknown>; result: R },
): Promise<R> {
  return changeInTurn(
    models,
    {
      key: `${name}:${String(id)}`,
      generation: async () => (await model.findById(id, { changeGeneration: 1 }).lean())?.changeGeneration ?? null,
      write: async (set) => {
        await model.updateOne({ _id: id }, { $set: set });
      },
    },
    async () => {
      const doc = await load();
      return { generation: doc.changeGeneration ?? 0, ...decide(doc) };
    },
  );
}
