import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface Received {
  webhookId: string;
  type: string;
  eventId: string;
  /** Which of the receiver's secrets verified it (index), or -1. */
  verifiedBy: number[];
  at: number;
  status: number;
  /** The raw request body, as sent. */
  body: string;
}

/** What the receiver answers a request with (by default 200). */
export type Responder = (r: { webhookId: string; nth: number }) => { status: number; headers?: Record<string, string> } | 'hang';

/**
 * A webhook receiver on loopback that checks every request with the
 * `standardwebhooks` library (not onramp's signing code) against each of
 * its secrets, and records what came.
 */
export async function startReceiver(secrets: string[], responder: Responder = () => ({ status: 200 })) {
  const received: Received[] = [];
  const seen = new Map<string, number>();
  const hung: ServerResponse[] = [];
  const read = (req: IncomingMessage) =>
    new Promise<string>((resolve) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    });
  const server = createServer(async (req, res) => {
    const body = await read(req);
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
    const verifiedBy = state.secrets.flatMap((s, i) => {
      try {
        new Webhook(s).verify(body, headers);
        return [i];
      } catch {
        return [];
      }
    });
    const webhookId = headers['webhook-id'] ?? '';
    const nth = (seen.get(webhookId) ?? 0) + 1;
    seen.set(webhookId, nth);
    const parsed = JSON.parse(body) as { type: string; data: { id: string } };
    const answer = verifiedBy.length === 0 ? { status: 401 } : state.responder({ webhookId, nth });
    if (answer === 'hang') {
      received.push({ webhookId, type: parsed.type, eventId: parsed.data.id, verifiedBy, at: Date.now(), status: 0, body });
      hung.push(res);
      return;
    }
    received.push({ webhookId, type: parsed.type, eventId: parsed.data.id, verifiedBy, at: Date.now(), status: answer.status, body });
    res.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers }).end(answer.status < 300 ? 'ok' : 'nope');
  });
  const state = { secrets, responder };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return {
    url,
    received,
    state,
    /** The events delivered with a 2xx, in arrival order. */
    delivered: () => received.filter((r) => r.status >= 200 && r.status < 300),
    async waitFor(pred: (r: Received[]) => boolean, timeoutMs = 30_000): Promise<void> {
      const end = Date.now() + timeoutMs;
      while (!pred(received)) {
        if (Date.now() > end) throw new Error(`receiver: condition not met in ${timeoutMs} ms; got ${JSON.stringify(received.map((r) => [r.type, r.status]))}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const r of hung) r.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
export type Receiver = Awaited<ReturnType<typeof startReceiver>>;
