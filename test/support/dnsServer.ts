import { isIP } from 'node:net';
import dns2 from 'dns2';

export interface TestDnsServer {
  /** For ONRAMP_DNS_SERVERS (or an OutboundPolicy's dnsServers). */
  address: string;
  /** Publish (or, with [], withdraw) the TXT values of a name. */
  setTxt(name: string, values: string[]): void;
  /** Publish (or, with [], withdraw) the A and AAAA records of a name: IPv4 addresses become A records, IPv6 ones AAAA. */
  setAddresses(name: string, addresses: string[]): void;
  close(): Promise<void>;
}

const { TYPE, CLASS } = dns2.Packet;

/** A real DNS server (dns2) on loopback UDP that answers TXT, A and AAAA questions from tables the test edits. */
export async function startDnsServer(): Promise<TestDnsServer> {
  const txt = new Map<string, string[]>();
  const addresses = new Map<string, string[]>();
  const wants = (question: number, type: number) => question === type || question === TYPE.ANY;
  const server = dns2.createServer({
    udp: true,
    handle: (request, send) => {
      const response = dns2.Packet.createResponseFromRequest(request);
      for (const q of request.questions) {
        const name = q.name.toLowerCase();
        if (wants(q.type, TYPE.TXT)) {
          for (const data of txt.get(name) ?? []) {
            response.answers.push(dns2.Packet.createResourceFromQuestion(q, { type: TYPE.TXT, class: CLASS.IN, ttl: 1, data }));
          }
        }
        for (const address of addresses.get(name) ?? []) {
          const type = isIP(address) === 6 ? TYPE.AAAA : TYPE.A;
          if (wants(q.type, type)) response.answers.push(dns2.Packet.createResourceFromQuestion(q, { type, class: CLASS.IN, ttl: 1, address }));
        }
      }
      send(response);
    },
  });
  const bound = await server.listen({ udp: { port: 0, address: '127.0.0.1' } });
  const port = bound.udp?.port;
  if (!port) throw new Error('the test DNS server did not bind a UDP port');
  return {
    address: `127.0.0.1:${port}`,
    setTxt: (name, values) => void txt.set(name.toLowerCase(), values),
    setAddresses: (name, values) => {
      const bad = values.find((v) => isIP(v) === 0);
      if (bad !== undefined) throw new Error(`not an IP address: ${bad}`);
      addresses.set(name.toLowerCase(), values);
    },
    close: () => server.close(),
  };
}
