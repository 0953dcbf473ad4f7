/**
 * "The worker died after step k, the activity ran again": for every k, a
 * fresh world runs the flow until its k-th activity call has had its effects
 * and then crashes; the flow runs again with the same run ref. The result,
 * the world and the audit log must be exactly those of one clean run.
 */
import { expect } from 'vitest';
import { crashingActivities, type FakeActivities } from './fakeActivities';
import { Crash, type FakeWorld } from './fakeWorld';

export interface CrashReport<R> {
  /** How many activity calls the clean run made (each one a crash point). */
  steps: number;
  result: R;
  world: FakeWorld;
}

/**
 * For a flow known not to converge after some steps (the test then marks the
 * full run `it.fails`): `exceptLast` leaves out a crash after the last step;
 * `onlyBefore` keeps only crashes before the first call of that activity.
 */
export async function expectSameAfterAnyCrash<R>(
  setup: () => FakeWorld,
  flow: (acts: FakeActivities) => Promise<R>,
  opts: { exceptLast?: boolean; onlyBefore?: string } = {},
): Promise<CrashReport<R>> {
  const clean = setup();
  const result = await flow(crashingActivities(clean));
  const steps = clean.calls.length;
  const stop = opts.onlyBefore ? clean.calls.findIndex((c) => c.name === opts.onlyBefore) : opts.exceptLast ? steps - 1 : steps;
  if (stop < 0) throw new Error(`the clean run never called ${opts.onlyBefore}`);
  for (let k = 1; k <= stop; k++) {
    const w = setup();
    await expect(flow(crashingActivities(w, k)), `crash after step ${k}`).rejects.toBeInstanceOf(Crash);
    const again = await flow(crashingActivities(w));
    expect({ crashAfter: k, result: again, world: w.snapshot() }).toEqual({ crashAfter: k, result, world: clean.snapshot() });
  }
  return { steps, result, world: clean };
}
