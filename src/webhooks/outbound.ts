import { lookup as systemLookup, Resolver } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import { addressRefusal, checkTargetUrl, hostOf, type OutboundPolicy, type TargetRefusalCode } from './targetPolicy';

export { checkTargetUrl, DEFAULT_OUTBOUND_POLICY, type OutboundPolicy } from './targetPolicy';

export type OutboundFailureCode = 'timeout' | 'dns' | 'connect' | 'tls' | 'reset' | 'other';

export type OutboundResult =
  | { kind: 'response'; status: number; retryAfterSeconds: number | null; bodyExcerpt: string; latencyMs: number }
  /** The SSRF policy said no; nothing was sent. */
  | { kind: 'refused'; code: TargetRefusalCode; message: string }
  | { kind: 'failed'; code: OutboundFailureCode; message: string; latencyMs: number };

/** A URL as audits and events show it: a token in its query or fragment stays out. */
export const withoutQuery = (url: string): string => {
  const u = new URL(url);
  return `${u.origin}${u.pathname}`;
};

export const WEBHOOK_USER_AGENT = 'onramp-webhooks/1';
/** bodyExcerpt holds at most this many bytes of the body (as UTF-8, whole characters only). */
export const BODY_EXCERPT_BYTES = 1024;
/** A Retry-After further away than this is read as this. */
export const MAX_RETRY_AFTER_SECONDS = 86_400;
const MAX_RESPONSE_HEADER_BYTES = 16 * 1024;

/** Headers the client sets itself; a caller's value for them is ignored. */
const CLIENT_HEADERS = new Set(['host', 'content-length', 'transfer-encoding', 'connection']);

interface Address {
  address: string;
  family: 4 | 6;
}

type Resolution = { ok: true; addresses: Address[] } | { ok: false; result: OutboundResult };

/**
 * POST `body` to `url`. Never follows redirects (a 3xx is returned as a
 * response) and never throws for network outcomes.
 *
 * DNS-rebinding safe: the name is resolved here (every A and AAAA), the
 * request is refused when any address is not allowed, and the socket can only
 * connect to the checked addresses (a pinned `lookup`), while the Host header
 * and TLS SNI / certificate checks keep the original host name. One deadline
 * covers DNS, connect, TLS, headers and body.
 */
export async function postWebhook(url: string, body: string, headers: Record<string, string>, policy: OutboundPolicy): Promise<OutboundResult> {
  const target = checkTargetUrl(url, policy);
  if (!target.ok) return { kind: 'refused', code: target.code, message: target.message };
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), policy.timeoutMs);
  const timedOut = (): OutboundResult => ({ kind: 'failed', code: 'timeout', message: `no complete answer within ${policy.timeoutMs} ms`, latencyMs: elapsed() });
  try {
    const resolution = await untilAborted(resolveTarget(target.url, policy, deadline.signal, elapsed), deadline.signal);
    if (resolution === ABORTED) return timedOut();
    if (!resolution.ok) return resolution.result;
    return await send(target.url, body, headers, resolution.addresses, policy, deadline.signal, elapsed, timedOut);
  } catch (err) {
    return { kind: 'failed', code: 'other', message: `the request could not be made: ${errorText(err)}`, latencyMs: elapsed() };
  } finally {
    clearTimeout(timer);
  }
}

/** Every address the URL's host stands for, each checked against the policy. */
async function resolveTarget(url: URL, policy: OutboundPolicy, signal: AbortSignal, elapsed: () => number): Promise<Resolution> {
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
function pinnedLookup(addresses: Address[]): LookupFunction {
  return (_hostname, options, callback) => {
    const wanted = options.family === 4 || options.family === 6 ? addresses.filter((a) => a.family === options.family) : addresses;
    const list = wanted.length > 0 ? wanted : addresses;
    const first = list[0];
    if (!first) {
      callback(Object.assign(new Error('no checked address to connect to'), { code: 'ENOTFOUND' }), '', 0);
      return;
    }
    if (options.all) callback(null, list.map(({ address, family }) => ({ address, family })));
    else callback(null, first.address, first.family);
  };
}

function outgoingHeaders(headers: Record<string, string>, body: string): Record<string, string> {
  const out: Record<string, string> = { 'user-agent': WEBHOOK_USER_AGENT };
  for (const [name, value] of Object.entries(headers)) {
    const key = name.toLowerCase();
    if (!CLIENT_HEADERS.has(key)) out[key] = value;
  }
  out['content-length'] = String(Buffer.byteLength(body));
  out.connection = 'close';
  return out;
}

type Phase = 'connect' | 'tls' | 'http';

function send(
  url: URL,
  body: string,
  headers: Record<string, string>,
  addresses: Address[],
  policy: OutboundPolicy,
  signal: AbortSignal,
  elapsed: () => number,
  timedOut: () => OutboundResult,
): Promise<OutboundResult> {
  const secure = url.protocol === 'https:';
  return new Promise<OutboundResult>((resolve) => {
    let done = false;
    let phase: Phase = 'connect';
    const finish = (result: OutboundResult) => {
      if (done) return;
      done = true;
      signal.removeEventListener('abort', onAbort);
      resolve(result);
    };
    const fail = (err: unknown) => finish({ kind: 'failed', code: failureCode(err, phase), message: failureMessage(err, phase), latencyMs: elapsed() });
    const onAbort = () => {
      finish(timedOut());
      req.destroy();
    };

    const req = (secure ? https : http).request({
      method: 'POST',
      protocol: url.protocol,
      // Host header, SNI and the certificate check use this name; the socket goes where pinnedLookup says.
      host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: url.port === '' ? (secure ? 443 : 80) : Number(url.port),
      path: `${url.pathname}${url.search}`,
      headers: outgoingHeaders(headers, body),
      agent: false,
      lookup: pinnedLookup(addresses),
      maxHeaderSize: MAX_RESPONSE_HEADER_BYTES,
    });
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });

    req.on('socket', (socket) => {
      socket.once('connect', () => void (phase = secure ? 'tls' : 'http'));
      if (secure) socket.once('secureConnect', () => void (phase = 'http'));
    });
    req.on('error', fail);
    req.on('response', (res) => {
      phase = 'http';
      const status = res.statusCode ?? 0;
      const retryAfterSeconds = parseRetryAfter(res.headers['retry-after'], Date.now());
      const excerpt: Buffer[] = [];
      let kept = 0;
      let received = 0;
      const complete = () =>
        finish({ kind: 'response', status, retryAfterSeconds, bodyExcerpt: excerptOf(Buffer.concat(excerpt)), latencyMs: elapsed() });
      const stopReading = () => {
        complete();
        res.destroy();
        req.destroy();
      };
      res.on('data', (chunk: Buffer) => {
        if (done) return;
        const room = policy.maxResponseBytes - received;
        const part = chunk.length > room ? chunk.subarray(0, Math.max(0, room)) : chunk;
        received += part.length;
        if (kept < BODY_EXCERPT_BYTES) {
          const keep = part.subarray(0, BODY_EXCERPT_BYTES - kept);
          excerpt.push(keep);
          kept += keep.length;
        }
        if (received >= policy.maxResponseBytes) stopReading();
      });
      res.on('end', complete);
      res.on('error', fail);
      res.on('close', () => fail(Object.assign(new Error('the connection closed before the response body ended'), { code: 'ECONNRESET' })));
      if (policy.maxResponseBytes <= 0) stopReading();
    });
    req.end(body);
  });
}

/** The first BODY_EXCERPT_BYTES of the body as UTF-8 text, whole characters only, never more bytes than that. */
export function excerptOf(bytes: Buffer): string {
  // StringDecoder.write() holds back a character cut at the end.
  const text = new StringDecoder('utf8').write(bytes.subarray(0, BODY_EXCERPT_BYTES));
  let out = '';
  let size = 0;
  for (const ch of text) {
    size += Buffer.byteLength(ch);
    if (size > BODY_EXCERPT_BYTES) break;
    out += ch;
  }
  return out;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const IMF_FIXDATE = /^[a-z]{3}, (\d{2}) ([a-z]{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) gmt$/;
const RFC850_DATE = /^[a-z]{6,9}, (\d{2})-([a-z]{3})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) gmt$/;
const ASCTIME_DATE = /^[a-z]{3} ([a-z]{3}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/;

/** An HTTP-date (RFC 9110 §5.6.7: IMF-fixdate, RFC 850 or asctime) as epoch milliseconds; null when it is none. */
export function parseHttpDate(value: string): number | null {
  const v = value.trim().toLowerCase();
  let day: string, month: string, year: number, h: string, m: string, s: string;
  let match: RegExpExecArray | null;
  if ((match = IMF_FIXDATE.exec(v))) {
    [, day = '', month = '', , h = '', m = '', s = ''] = match;
    year = Number(match[3]);
  } else if ((match = RFC850_DATE.exec(v))) {
    [, day = '', month = '', , h = '', m = '', s = ''] = match;
    const yy = Number(match[3]);
    // RFC 9110: a two-digit year more than 50 years in the future is in the past century.
    const thisYear = new Date().getUTCFullYear();
    year = 2000 + yy > thisYear + 50 ? 1900 + yy : 2000 + yy;
  } else if ((match = ASCTIME_DATE.exec(v))) {
    [, month = '', day = '', h = '', m = '', s = ''] = match;
    year = Number(match[6]);
  } else {
    return null;
  }
  const monthIndex = MONTHS.indexOf(month);
  const [dd, hh, mi, ss] = [day, h, m, s].map((x) => Number(x.trim())) as [number, number, number, number];
  if (monthIndex < 0 || dd < 1 || dd > 31 || hh > 23 || mi > 59 || ss > 60) return null;
  const time = Date.UTC(year, monthIndex, dd, hh, mi, ss);
  return new Date(time).getUTCDate() === dd ? time : null;
}

/**
 * Retry-After (RFC 9110 §10.2.3) as seconds from `now`: delta-seconds or an
 * HTTP-date, at least 0, at most MAX_RETRY_AFTER_SECONDS; null when absent or
 * not valid.
 */
export function parseRetryAfter(value: string | string[] | undefined, now: number): number | null {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined) return null;
  const text = raw.trim();
  if (/^\d+$/.test(text)) return Math.min(Number(text), MAX_RETRY_AFTER_SECONDS);
  const at = parseHttpDate(text);
  if (at === null) return null;
  return Math.min(Math.max(0, Math.ceil((at - now) / 1000)), MAX_RETRY_AFTER_SECONDS);
}

const errorCode = (err: unknown): string | undefined => {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  // Happy-eyeballs connects (several addresses) fail with an AggregateError of the attempts.
  const inner = (err as { errors?: unknown }).errors;
  return Array.isArray(inner) ? errorCode(inner[0]) : undefined;
};

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

const CONNECT_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ETIMEDOUT', 'EHOSTDOWN', 'ENETDOWN']);
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);
const TLS_CODES = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH|ERR_OSSL_)/;

function failureCode(err: unknown, phase: Phase): OutboundFailureCode {
  const code = errorCode(err) ?? '';
  if (TLS_CODES.test(code)) return 'tls';
  if (phase === 'connect') return CONNECT_CODES.has(code) || code === '' || RESET_CODES.has(code) ? 'connect' : 'other';
  if (phase === 'tls') return 'tls';
  if (CONNECT_CODES.has(code) && code !== 'ETIMEDOUT') return 'connect';
  if (RESET_CODES.has(code)) return 'reset';
  return 'other';
}

function failureMessage(err: unknown, phase: Phase): string {
  const code = errorCode(err);
  const what = phase === 'connect' ? 'connecting failed' : phase === 'tls' ? 'the TLS handshake failed' : 'the exchange failed';
  return `${what}: ${errorText(err)}${code && !errorText(err).includes(code) ? ` (${code})` : ''}`;
}

const ABORTED = Symbol('aborted');

/** `promise`, or ABORTED as soon as the signal fires (the promise itself is left to settle on its own). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | typeof ABORTED> {
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.resolve(ABORTED);
  }
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve(ABORTED);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}
