import { createSocket } from 'node:dgram';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:https';
import { createServer as createTcpServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import selfsigned from 'selfsigned';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_OUTBOUND_POLICY, postWebhook, type OutboundPolicy, type OutboundResult } from '../../src/webhooks/outbound';
import { startDnsServer, type TestDnsServer } from '../support/dnsServer';

/**
 * The outbound webhook client against real sockets on 127.0.0.1 and a real
 * DNS server on loopback UDP. Needs neither Temporal nor MongoDB.
 */

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

interface Receiver {
  port: number;
  url: string;
  requests: Received[];
}

/** How to close each server a test started, with every connection it holds. */
const closers: Array<() => Promise<void>> = [];

/** Listen on a free loopback port; closed (connections and all) after the test. */
async function listen(server: Server | TlsServer | NetServer): Promise<number> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  closers.push(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

/** An HTTP receiver on a free loopback port that records each request, then lets `answer` respond. */
async function startReceiver(answer: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => void res.end('ok')): Promise<Receiver> {
  const requests: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.on('error', () => undefined);
      answer(req, res);
    });
  });
  const port = await listen(server);
  return { port, url: `http://127.0.0.1:${port}`, requests };
}

async function closeAll(): Promise<void> {
  for (const close of closers.splice(0)) await close();
}

const loopback: OutboundPolicy = { ...DEFAULT_OUTBOUND_POLICY, allowHttp: true, allowPrivateAddresses: true };
const quick: OutboundPolicy = { ...loopback, timeoutMs: 300 };
const post = (url: string, policy: OutboundPolicy = loopback, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  postWebhook(url, '{"event":"member.created"}', headers, policy);

const expectResponse = (result: OutboundResult) => {
  if (result.kind !== 'response') throw new Error(`expected a response, got ${JSON.stringify(result)}`);
  return result;
};

afterEach(closeAll);

describe('postWebhook against loopback receivers', () => {
  it('POSTs the body and headers and returns status and body excerpt', async () => {
    const receiver = await startReceiver((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('thanks'));
    const result = expectResponse(
      await post(`${receiver.url}/hooks/in?x=1#frag`, loopback, { 'Content-Type': 'application/json', 'X-Onramp-Signature': 'v1=abc' }),
    );
    expect(result).toMatchObject({ status: 200, retryAfterSeconds: null, bodyExcerpt: 'thanks' });
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
    expect(receiver.requests).toHaveLength(1);
    const [got] = receiver.requests;
    expect(got).toMatchObject({ method: 'POST', url: '/hooks/in?x=1', body: '{"event":"member.created"}' });
    expect(got?.headers).toMatchObject({
      host: `127.0.0.1:${receiver.port}`,
      'content-type': 'application/json',
      'content-length': '26',
      'user-agent': 'onramp-webhooks/1',
      'x-onramp-signature': 'v1=abc',
    });
  });

  it('keeps a caller-given User-Agent, ignores a caller-given Host', async () => {
    const receiver = await startReceiver();
    await post(receiver.url, loopback, { 'User-Agent': 'custom/2', Host: 'evil.example', 'Content-Length': '1' });
    expect(receiver.requests[0]?.headers).toMatchObject({ 'user-agent': 'custom/2', host: `127.0.0.1:${receiver.port}`, 'content-length': '26' });
  });

  it('reads Retry-After as delta-seconds', async () => {
    const receiver = await startReceiver((_req, res) => res.writeHead(503, { 'retry-after': '7' }).end('busy'));
    expect(expectResponse(await post(receiver.url))).toMatchObject({ status: 503, retryAfterSeconds: 7, bodyExcerpt: 'busy' });
  });

  it('reads Retry-After as an HTTP date', async () => {
    const at = new Date(Date.now() + 30_000).toUTCString();
    const receiver = await startReceiver((_req, res) => res.writeHead(429, { 'retry-after': at }).end());
    const result = expectResponse(await post(receiver.url));
    expect(result.status).toBe(429);
    expect(result.retryAfterSeconds).toBeGreaterThanOrEqual(25);
    expect(result.retryAfterSeconds).toBeLessThanOrEqual(31);
  });

  it('returns a redirect as it is and never follows it', async () => {
    const elsewhere = await startReceiver();
    const receiver = await startReceiver((_req, res) => res.writeHead(302, { location: `${elsewhere.url}/stolen` }).end());
    expect(expectResponse(await post(receiver.url))).toMatchObject({ status: 302 });
    expect(receiver.requests).toHaveLength(1);
    expect(elsewhere.requests).toHaveLength(0);
  });

  it('ends as a timeout when the receiver never answers', async () => {
    const receiver = await startReceiver(() => undefined);
    const result = await post(receiver.url, quick);
    expect(result).toMatchObject({ kind: 'failed', code: 'timeout' });
    if (result.kind === 'failed') expect(result.latencyMs).toBeLessThan(5_000);
    expect(receiver.requests).toHaveLength(1);
  });

  it('ends as a timeout when the receiver trickles the body', async () => {
    const receiver = await startReceiver((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const tick = setInterval(() => res.write('.'), 50);
      res.on('close', () => clearInterval(tick));
    });
    const result = await post(receiver.url, quick);
    expect(result).toMatchObject({ kind: 'failed', code: 'timeout' });
  });

  it('ends as a timeout when the connection is accepted but no HTTP ever comes', async () => {
    const port = await listen(createTcpServer(() => undefined));
    const result = await post(`http://127.0.0.1:${port}/`, quick);
    expect(result).toMatchObject({ kind: 'failed', code: 'timeout' });
  });

  it('stops reading a receiver that streams 10 MiB: excerpt of at most 1 KiB', async () => {
    let written = 0;
    const receiver = await startReceiver((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const pump = () => {
        while (written < 10 * 1024 * 1024 && !res.destroyed) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });
    const result = expectResponse(await post(receiver.url, { ...loopback, timeoutMs: 20_000 }));
    expect(result.status).toBe(200);
    expect(Buffer.byteLength(result.bodyExcerpt)).toBeLessThanOrEqual(1024);
    expect(result.bodyExcerpt).toBe('x'.repeat(1024));
  });

  it('stops reading a receiver that streams without end, after maxResponseBytes', async () => {
    const receiver = await startReceiver((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      const chunk = Buffer.from('€'.repeat(10_000));
      const pump = () => {
        while (!res.destroyed) if (!res.write(chunk)) return void res.once('drain', pump);
      };
      pump();
    });
    const result = expectResponse(await post(receiver.url, { ...loopback, timeoutMs: 20_000, maxResponseBytes: 100_000 }));
    expect(result.status).toBe(200);
    expect(result.bodyExcerpt).toBe('€'.repeat(341));
  });

  it('fails as connect when nothing listens', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const result = await post(`http://127.0.0.1:${port}/`);
    expect(result).toMatchObject({ kind: 'failed', code: 'connect' });
  });

  it('fails as reset when the receiver drops the connection mid-body', async () => {
    const receiver = await startReceiver((_req, res) => {
      res.writeHead(200, { 'content-length': '1000' });
      res.write('partial', () => res.socket?.destroy());
    });
    expect(await post(receiver.url)).toMatchObject({ kind: 'failed', code: 'reset' });
  });

  it('refuses a non-allowed address and sends nothing', async () => {
    const receiver = await startReceiver();
    const publicOnly: OutboundPolicy = { ...loopback, allowPrivateAddresses: false };
    for (const url of [
      receiver.url,
      `http://2130706433:${receiver.port}/`,
      `http://localhost:${receiver.port}/`,
      `http://[::ffff:127.0.0.1]:${receiver.port}/`,
    ]) {
      expect(await post(url, publicOnly)).toMatchObject({ kind: 'refused', code: 'address_not_allowed' });
    }
    expect(await post(receiver.url, { ...loopback, allowHttp: false })).toMatchObject({ kind: 'refused', code: 'scheme_not_allowed' });
    expect(await post(`http://user:pass@127.0.0.1:${receiver.port}/`)).toMatchObject({ kind: 'refused', code: 'invalid_url' });
    expect(receiver.requests).toHaveLength(0);
  });

  it('reaches localhost through the system resolver when private addresses are allowed', async () => {
    const receiver = await startReceiver();
    expect(expectResponse(await post(`http://localhost:${receiver.port}/`)).status).toBe(200);
    expect(receiver.requests[0]?.headers.host).toBe(`localhost:${receiver.port}`);
  });

  it('fails with a clear message when the caller gives an invalid header', async () => {
    const receiver = await startReceiver();
    const result = await post(receiver.url, loopback, { 'x-bad': 'a\r\nInjected: 1' });
    expect(result).toMatchObject({ kind: 'failed', code: 'other' });
    expect(receiver.requests).toHaveLength(0);
  });
});

describe('postWebhook resolving names itself', () => {
  let dns: TestDnsServer;
  beforeAll(async () => {
    dns = await startDnsServer();
  });
  afterAll(async () => {
    await dns.close();
  });
  const withDns = (policy: OutboundPolicy): OutboundPolicy => ({ ...policy, dnsServers: [dns.address] });
  const publicOnly = () => withDns({ ...loopback, allowPrivateAddresses: false });

  it('keeps the TXT answers other tests rely on', async () => {
    const { Resolver } = await import('node:dns/promises');
    const resolver = new Resolver();
    resolver.setServers([dns.address]);
    dns.setTxt('_onramp-challenge.txt.test', ['token-1']);
    expect(await resolver.resolveTxt('_onramp-challenge.txt.test')).toEqual([['token-1']]);
    await expect(resolver.resolve4('_onramp-challenge.txt.test')).rejects.toMatchObject({ code: 'ENODATA' });
  });

  it('refuses a name that resolves to a private address, and sends nothing', async () => {
    const receiver = await startReceiver();
    dns.setAddresses('rebind.test', ['127.0.0.1']);
    dns.setAddresses('metadata.test', ['169.254.169.254']);
    dns.setAddresses('v6-loopback.test', ['::1']);
    dns.setAddresses('mapped.test', ['::ffff:10.0.0.1']);
    for (const name of ['rebind.test', 'metadata.test', 'v6-loopback.test', 'mapped.test']) {
      const result = await post(`http://${name}:${receiver.port}/`, publicOnly());
      expect(result).toMatchObject({ kind: 'refused', code: 'address_not_allowed' });
      if (result.kind === 'refused') expect(result.message).toMatch(new RegExp(`^${name.replace('.', '\\.')} resolves to `));
    }
    expect(receiver.requests).toHaveLength(0);
  });

  it('refuses a name with one public and one private address', async () => {
    const receiver = await startReceiver();
    dns.setAddresses('mixed.test', ['93.184.215.14', '127.0.0.1']);
    dns.setAddresses('mixed6.test', ['93.184.215.14', 'fd00::1']);
    expect(await post(`http://mixed.test:${receiver.port}/`, publicOnly())).toMatchObject({ kind: 'refused', code: 'address_not_allowed' });
    expect(await post(`https://mixed6.test:${receiver.port}/`, publicOnly())).toMatchObject({ kind: 'refused', code: 'address_not_allowed' });
    expect(receiver.requests).toHaveLength(0);
  });

  it('connects to the address it resolved and checked, with the original Host', async () => {
    const receiver = await startReceiver();
    dns.setAddresses('hooks.customer.test', ['127.0.0.1']);
    const result = expectResponse(await post(`http://hooks.customer.test:${receiver.port}/in`, withDns(loopback)));
    expect(result.status).toBe(200);
    expect(receiver.requests[0]?.headers.host).toBe(`hooks.customer.test:${receiver.port}`);
  });

  it('fails as dns for a name without records', async () => {
    expect(await post('http://nothing-here.test/', withDns(loopback))).toMatchObject({ kind: 'failed', code: 'dns' });
  });

  it('ends as a timeout when the DNS server never answers', async () => {
    const silent = createSocket('udp4');
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', () => resolve()));
    try {
      const policy: OutboundPolicy = { ...quick, dnsServers: [`127.0.0.1:${silent.address().port}`] };
      expect(await post('http://silent.test/', policy)).toMatchObject({ kind: 'failed', code: 'timeout' });
    } finally {
      silent.close();
    }
  });

  it('keeps SNI and the certificate check on the original name', async () => {
    const pems = selfsigned.generate([{ name: 'commonName', value: 'hooks.tls.test' }], { days: 1, keySize: 2048, algorithm: 'sha256' });
    const serverNames: string[] = [];
    const server = createTlsServer({
      key: pems.private,
      cert: pems.cert,
      SNICallback: (name, cb) => {
        serverNames.push(name);
        cb(null);
      },
    });
    const port = await listen(server);
    let requests = 0;
    server.on('request', (_req: IncomingMessage, res: ServerResponse) => {
      requests += 1;
      res.end();
    });
    dns.setAddresses('hooks.tls.test', ['127.0.0.1']);
    const result = await post(`https://hooks.tls.test:${port}/`, withDns(loopback));
    // The certificate is self-signed, so the handshake must fail: no request is sent.
    expect(result).toMatchObject({ kind: 'failed', code: 'tls' });
    expect(serverNames).toEqual(['hooks.tls.test']);
    expect(requests).toBe(0);
  });
});
