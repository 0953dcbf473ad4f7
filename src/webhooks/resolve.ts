import { lookup as systemLookup, Resolver } from 'node:dns/promises';
import { isIP, type LookupFunction } from 'node:net';
import type { OutboundResult } from './outbound';
import { addressRefusal, hostOf, type OutboundPolicy } from './targetPolicy';

/** One checked address of a webhook target. */
export interface Address {
  address: string;
  family: 4 | 6;
}

type Resolution = { ok: true; addresses: Address[] } | { ok: false; result: OutboundResult };

export const errorCode = (err: unknown): string | undefined => {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  // Happy-eyeballs connects (several addresses) fail with an AggregateError of the attempts.
  const inner = (err as { errors?: unknown }).errors;
  return Array.isArray(inner) ? errorCode(inner[0]) : undefined;
};

export const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** Every address the URL's host stands for, each checked against the policy. */
export async function resolveTarget(url: URL, policy: OutboundPolicy, signal: AbortSignal, elapsed: () => number): Promise<Resolution> {
  const host = hostOf(url);
  const dnsFailure = (message: string): Resolution => ({ ok: false, result: { kind: 'failed', code: 'dns', message, latencyMs: elapsed() } });
  let addresses: Address[];
  const family = isIP(host);
  if (family === 4 || family === 6) {
    addresses = [{ address: host, family }];
  } else {
    try {
      addresses = policy.dnsServers?.length ? await resolveWith(policy.dnsServers, host, policy.timeoutMs, signal) : await resolveWithSystem(host);
    } catch (err) {
      return dnsFailure(`could not resolve ${host} (${errorCode(err) ?? errorText(err)})`);
    }
    if (addresses.length === 0) return dnsFailure(`${host} has no A or AAAA record`);
  }
  for (const { address } of addresses) {
    const reason = addressRefusal(address, policy);
    if (reason) {
      const what = family === 0 ? `${host} resolves to ${reason}` : `${host} is ${reason}`;
      return { ok: false, result: { kind: 'refused', code: 'address_not_allowed', message: `${what}; only public addresses are allowed` } };
    }
  }
  return { ok: true, addresses };
}

async function resolveWithSystem(host: string): Promise<Address[]> {
  const found = await systemLookup(host, { all: true, verbatim: true });
  return found.flatMap(({ address, family }) => (family === 4 || family === 6 ? [{ address, family }] : []));
}

/** A and AAAA from the given servers; a family without records is empty, any other error of both is the failure. */
async function resolveWith(servers: string[], host: string, timeoutMs: number, signal: AbortSignal): Promise<Address[]> {
  const resolver = new Resolver({ timeout: Math.max(1, Math.min(timeoutMs, 5000)), tries: 2 });
  resolver.setServers(servers);
  const cancel = () => resolver.cancel();
  signal.addEventListener('abort', cancel, { once: true });
  try {
    const [v4, v6] = await Promise.allSettled([resolver.resolve4(host), resolver.resolve6(host)]);
    const noRecords = (r: PromiseSettledResult<string[]>) => r.status === 'rejected' && ['ENODATA', 'ENOTFOUND'].includes(errorCode(r.reason) ?? '');
    const addresses = [
      ...(v4.status === 'fulfilled' ? v4.value.map((address) => ({ address, family: 4 as const })) : []),
      ...(v6.status === 'fulfilled' ? v6.value.map((address) => ({ address, family: 6 as const })) : []),
    ];
    if (addresses.length > 0) return addresses;
    const failure = [v4, v6].find((r): r is PromiseRejectedResult => r.status === 'rejected' && !noRecords(r));
    if (failure) throw failure.reason;
    return [];
  } finally {
    signal.removeEventListener('abort', cancel);
  }
}

/** A `lookup` that only ever hands out the addresses that were checked. */
export function pinnedLookup(addresses: Address[]): LookupFunction {
  return (_hostname, options, callback) => {
    const wanted = options.family === 4 || options.family === 6 ? addresses.filter((a) => a.family === options.family) : addresses;
    const list = wanted.length > 0 ? wanted : addresses;
    const first = list[0];
    if (!first) {
      callback(Object.assign(new Error('no checked address to connect to'), { code: 'ENOTFOUND' }), '', 0);
      return;
    }
    if (options.all)
      callback(
        null,
        list.map(({ address, family }) => ({ address, family })),
      );
    else callback(null, first.address, first.family);
  };
}
