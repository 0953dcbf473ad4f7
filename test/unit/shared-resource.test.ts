import { describe, expect, it } from 'vitest';
import { shared } from '../../src/runs/sharedWorkflowThread';

describe('a resource shared by several holders (the workers’ workflow thread)', () => {
  it('is made once, and destroyed only when its last holder releases it (twice releasing counts once)', async () => {
    const destroyed: number[] = [];
    let made = 0;
    const thread = shared<number>(async (v) => void destroyed.push(v));
    const make = async () => ++made;
    const a = await thread.acquire(make);
    const b = await thread.acquire(make);
    expect([a.value, b.value, made]).toEqual([1, 1, 1]);
    await a.release();
    await a.release();
    expect(destroyed).toEqual([]);
    await b.release();
    expect(destroyed).toEqual([1]);
    // After the last release, the next holder gets a new one.
    const c = await thread.acquire(make);
    expect(c.value).toBe(2);
  });

  it('does not keep a failed make: the next acquire makes again', async () => {
    const thread = shared<string>(async () => undefined);
    await expect(thread.acquire(() => Promise.reject(new Error('no thread')))).rejects.toThrow('no thread');
    await expect(thread.acquire(async () => 'ok')).resolves.toMatchObject({ value: 'ok' });
  });
});
