import http from 'node:http';
import https from 'node:https';
import { errorCode, errorText, pinnedLookup, resolveTarget } from './resolve';
import { checkTargetUrl, type OutboundPolicy, type TargetRefusalCode } from './targetPolicy';

export type FetchedDocument =
  | { kind: 'document'; status: number; body: Buffer; contentType: string }
  /** The answer's body went past `maxBytes`: reading stopped there. */
  | { kind: 'too_large'; maxBytes: number }
  /** The SSRF policy said no; nothing was sent. */
  | { kind: 'refused'; code: TargetRefusalCode; message: string }
  | { kind: 'failed'; message: string };

const USER_AGENT = 'onramp-metadata/1';

/**
 * GET a document (an IdP's SAML metadata) under the webhook client's SSRF
 * rules (webhooks/targetPolicy.ts): the URL is checked, every address the
 * name resolves to must be allowed, and the socket can only connect to the
 * checked addresses; one deadline (`policy.timeoutMs`) covers DNS, connect,
 * TLS, headers and body; at most `maxBytes` of the body are read. Redirects
 * are not followed (a 3xx is an answer like any other). Never throws.
 */
export async function fetchDocument(url: string, policy: OutboundPolicy, maxBytes: number): Promise<FetchedDocument> {
  const target = checkTargetUrl(url, policy);
  if (!target.ok) return { kind: 'refused', code: target.code, message: target.message };
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), policy.timeoutMs);
  const started = performance.now();
  try {
    const resolution = await resolveTarget(target.url, policy, deadline.signal, () => Math.round(performance.now() - started));
    if (deadline.signal.aborted) return { kind: 'failed', message: `no complete answer within ${policy.timeoutMs} ms` };
    if (!resolution.ok) {
      const r = resolution.result;
      return r.kind === 'refused'
        ? { kind: 'refused', code: r.code, message: r.message }
        : { kind: 'failed', message: r.kind === 'failed' ? r.message : 'failed' };
    }
    return await get(target.url, resolution.addresses, maxBytes, policy.timeoutMs, deadline.signal);
  } catch (err) {
    return { kind: 'failed', message: `the request could not be made: ${errorText(err)}` };
  } finally {
    clearTimeout(timer);
  }
}

function get(url: URL, addresses: Parameters<typeof pinnedLookup>[0], maxBytes: number, timeoutMs: number, signal: AbortSignal): Promise<FetchedDocument> {
  const secure = url.protocol === 'https:';
  return new Promise<FetchedDocument>((resolve) => {
    let done = false;
    const finish = (result: FetchedDocument) => {
      if (done) return;
      done = true;
      signal.removeEventListener('abort', onAbort);
      resolve(result);
      req.destroy();
    };
    const onAbort = () => finish({ kind: 'failed', message: `no complete answer within ${timeoutMs} ms` });
    const req = (secure ? https : http).request({
      method: 'GET',
      protocol: url.protocol,
      host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: url.port === '' ? (secure ? 443 : 80) : Number(url.port),
      path: `${url.pathname}${url.search}`,
      headers: { 'user-agent': USER_AGENT, accept: 'application/samlmetadata+xml, application/xml, text/xml', connection: 'close' },
      agent: false,
      lookup: pinnedLookup(addresses),
      maxHeaderSize: 16 * 1024,
    });
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    req.on('error', (err) => {
      const code = errorCode(err);
      finish({ kind: 'failed', message: `${errorText(err)}${code && !errorText(err).includes(code) ? ` (${code})` : ''}` });
    });
    req.on('response', (res) => {
      if (Number(res.headers['content-length'] ?? 0) > maxBytes) return finish({ kind: 'too_large', maxBytes });
      const chunks: Buffer[] = [];
      let received = 0;
      res.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > maxBytes) return finish({ kind: 'too_large', maxBytes });
        chunks.push(chunk);
      });
      res.on('end', () =>
        finish({ kind: 'document', status: res.statusCode ?? 0, body: Buffer.concat(chunks), contentType: String(res.headers['content-type'] ?? '') }),
      );
      res.on('error', (err) => finish({ kind: 'failed', message: errorText(err) }));
    });
    req.end();
  });
}
