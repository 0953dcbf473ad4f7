import { UsageError, type AdminCall, type CliArgs } from './adminClient';

interface Endpoint {
  id: string;
  url: string;
  types: string[];
  enabled: boolean;
  disabledReason: string | null;
  description: string;
  secrets: Array<{ id: string; expiresAt: string | null }>;
}
interface Attempt {
  eventId: string;
  eventType: string;
  round: string;
  attempt: number;
  sends: number;
  outcome: string;
  status: number | null;
  error: string | null;
  latencyMs: number | null;
  response: string;
  at: string;
}

const describe = (e: Endpoint) =>
  `${e.id}\t${e.enabled ? 'enabled' : `disabled (${e.disabledReason ?? 'by an admin'})`}\t${e.url}\ttypes ${e.types.join(',') || 'all'}${e.description ? `\t${e.description}` : ''}`;
const list = (value: string | boolean | undefined) =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean)
    : undefined;

/** `onramp webhooks add|list|rotate|deliveries|resend|replay|enable|disable|delete`. Secrets are printed once, when made. */
export async function webhooksCommand(call: AdminCall, { command, args, values, out }: CliArgs): Promise<number> {
  const str = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  const id = () => {
    const [first] = args;
    if (!first) throw new UsageError(`onramp webhooks ${command ?? ''} <endpoint-id>`);
    return encodeURIComponent(first);
  };
  const shown = (res: { endpoint: Endpoint; secret: string } | null, what: string) => {
    if (!res) return 1;
    out(describe(res.endpoint));
    out(`${what} (shown once; verify deliveries with it): ${res.secret}`);
    return 0;
  };
  switch (command) {
    case 'add': {
      const [url] = args;
      if (!url) throw new UsageError('onramp webhooks add <https-url> [--types a,b] [--description <text>]');
      const types = list(values.types);
      return shown(
        await call('POST', '/webhooks', { url, ...(types ? { types } : {}), ...(str('description') ? { description: str('description') } : {}) }),
        'signing secret',
      );
    }
    case 'list': {
      const res = await call<{ data: Endpoint[] }>('GET', '/webhooks');
      if (!res) return 1;
      if (res.data.length === 0) out('no webhook endpoints');
      for (const e of res.data) out(describe(e));
      return 0;
    }
    case 'rotate': {
      const overlap = str('overlap-seconds');
      return shown(
        await call('POST', `/webhooks/${id()}/rotate-secret`, overlap === undefined ? {} : { overlapSeconds: Number(overlap) }),
        'new signing secret',
      );
    }
    case 'deliveries': {
      const q = new URLSearchParams();
      if (str('limit')) q.set('limit', str('limit') ?? '');
      if (str('event')) q.set('eventId', str('event') ?? '');
      const res = await call<{ data: Attempt[] }>('GET', `/webhooks/${id()}/attempts${q.size ? `?${q}` : ''}`);
      if (!res) return 1;
      if (res.data.length === 0) out('no delivery attempts');
      for (const a of res.data) {
        const result = a.status !== null ? String(a.status) : (a.error ?? '-');
        out(
          `${a.at}\t${a.eventId}\t${a.eventType}\t${a.round}#${a.attempt}\t${a.outcome}\t${result}\t${a.latencyMs ?? '-'} ms${a.sends > 1 ? `\tsent ${a.sends}×` : ''}`,
        );
      }
      return 0;
    }
    case 'resend': {
      const eventId = args[1];
      if (!eventId) throw new UsageError('onramp webhooks resend <endpoint-id> <event-id>');
      const res = await call<{ requestId: string }>('POST', `/webhooks/${id()}/resend`, { eventId });
      if (!res) return 1;
      out(`resend queued: ${res.requestId}`);
      return 0;
    }
    case 'replay': {
      const after = str('after');
      if (!after) throw new UsageError('onramp webhooks replay <endpoint-id> --after <event-id>');
      const res = await call<{ requestId: string }>('POST', `/webhooks/${id()}/replay`, { after });
      if (!res) return 1;
      out(`replay queued: ${res.requestId}`);
      return 0;
    }
    case 'enable':
    case 'disable': {
      const res = await call<Endpoint>('PATCH', `/webhooks/${id()}`, { enabled: command === 'enable' });
      if (!res) return 1;
      out(describe(res));
      return 0;
    }
    case 'delete': {
      if (!(await call('DELETE', `/webhooks/${id()}`))) return 1;
      out('deleted');
      return 0;
    }
    default:
      throw new UsageError(`unknown command: webhooks ${command ?? ''}`);
  }
}
