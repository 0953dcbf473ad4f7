import { setTimeout as sleep } from 'node:timers/promises';
import { UsageError, type AdminCall, type CliArgs } from './adminClient';

interface EventRow {
  id: string;
  type: string;
  occurredAt: string;
  actor: { type: string; id: string | null };
  subject: { type: string; id: string | null };
  userId: string | null;
}
interface Page {
  data: EventRow[];
  nextCursor: string | null;
  hasMore: boolean;
}

const line = (e: EventRow) => `${e.id}\t${e.occurredAt}\t${e.type}\t${e.actor.type}:${e.actor.id ?? '-'}\t${e.subject.type}:${e.subject.id ?? '-'}`;

/**
 * `onramp events list|tail`: a page of events after a cursor,
 * or follow them as they come (polling the events API; `--max <n>` stops
 * after n events). `--json` prints each event as one JSON line.
 */
export async function eventsCommand(call: AdminCall, { command, values, out }: CliArgs, signal?: AbortSignal): Promise<number> {
  const str = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  const print = (e: EventRow) => out(values.json === true ? JSON.stringify(e) : line(e));
  const query = (after: string | undefined) => {
    const q = new URLSearchParams();
    if (after) q.set('after', after);
    if (str('types')) q.set('types', str('types') ?? '');
    q.set('limit', str('limit') ?? '100');
    return `/events?${q}`;
  };
  switch (command) {
    case 'list': {
      const res = await call<Page>('GET', query(str('after')));
      if (!res) return 1;
      for (const e of res.data) print(e);
      if (values.json !== true) out(res.hasMore ? `more: --after ${res.nextCursor}` : `next: --after ${res.nextCursor ?? '(none yet)'}`);
      return 0;
    }
    case 'tail': {
      const max = str('max') === undefined ? Infinity : Number(str('max'));
      const interval = Number(str('interval-ms') ?? '1000');
      if (!(max > 0) || !(interval >= 100))
        throw new UsageError('onramp events tail [--after <event-id>] [--types a,b] [--max <n>] [--interval-ms <ms ≥ 100>]');
      let after = str('after');
      let printed = 0;
      while (!signal?.aborted) {
        const res = await call<Page>('GET', query(after));
        if (!res) return 1;
        for (const e of res.data) {
          print(e);
          if (++printed >= max) return 0;
        }
        after = res.nextCursor ?? after;
        if (!res.hasMore) await sleep(interval, undefined, { signal }).catch(() => undefined);
      }
      return 0;
    }
    default:
      throw new UsageError(`unknown command: events ${command ?? ''}`);
  }
}
