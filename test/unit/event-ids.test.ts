import { describe, expect, it } from 'vitest';
import { eventIdTime, isEventId } from '../../src/domain/events';
import { nextEventId } from '../../src/store/events';

/** Event IDs sort in write order (the events API and webhook delivery page by them), within a process. */
describe('event IDs', () => {
  it('a batch stamped with one millisecond keeps its order across the sequence wrapping', () => {
    // More IDs than the 16-bit sequence holds, all at one `now` as recordEvents takes them: the wrap falls inside.
    const now = Date.now();
    const ids = Array.from({ length: 0x10000 + 10 }, () => nextEventId(now));
    expect(ids.every(isEventId)).toBe(true);
    expect(ids.every((id, i) => i === 0 || id > (ids[i - 1] as string))).toBe(true);
    // The wrap moves on by one millisecond; nothing else leaves the batch's millisecond.
    expect(eventIdTime(ids.at(-1) as string)).toBe(now + 1);
  });

  it('a clock set back, or a batch stamped before a later single write, never yields a smaller ID', () => {
    const later = nextEventId(Date.now() + 50);
    const earlier = nextEventId(Date.now());
    expect(earlier > later).toBe(true);
  });
});
