import http from 'node:http';
import https from 'node:https';
import { errorCode, errorText, pinnedLookup, resolveTarget, type Address } from './resolve';
import { BODY_EXCERPT_BYTES, excerptOf, parseRetryAfter } from './responseParts';
import { checkTargetUrl, type OutboundPolicy, type TargetRefusalCode } from './targetPolicy';

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
const MAX_RESPONSE_HEADER_BYTES = 16 * 1024;

/** Headers the client sets itself; a caller's value for them is ignored. */
const CLIENT_HEADERS = new Set(['host', 'content-length', 'transfer-encoding', 'connection']);

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
  const timedOut = (): OutboundResult => ({
    kind: 'failed',
    code: 'timeout',
    message: `no complete answer within ${policy.timeoutMs} ms`,
    latencyMs: elapsed(),
  });
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
      const complete = () => finish({ kind: 'response', status, retryAfterSeconds, bodyExcerpt: excerptOf(Buffer.concat(excerpt)), latencyMs: elapsed() });
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
