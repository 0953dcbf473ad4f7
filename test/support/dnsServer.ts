import dns2 from 'dns2';

export interface TestDnsServer {
  /** For ONRAMP_DNS_SERVERS. */
  address: string;
  /** Publish (or, with [], withdraw) the TXT values of a name. */
  setTxt(name: string, values: string[]): void;
  close(): Promise<void>;
}

/** A real DNS server (dns2) on loopback UDP that answers TXT questions from a table the test edits. */
export async function startDnsServer(): Promise<TestDnsServer> {
  const txt = new Map<string, string[]>();
  const server = dns2.createServer({
    udp: true,
    handle: (request, send) => {
      const response = dns2.Packet.createResponseFromRequest(request);
      for (const q of request.questions) {
        for (const data of txt.get(q.name.toLowerCase()) ?? []) {
          response.answers.push(dns2.Packet.createResourceFromQuestion(q, { type: dns2.Packet.TYPE.TXT, class: dns2.Packet.CLASS.IN, ttl: 1, data }));
        }
      }
      send(response);
    },
  });
  const addresses = await server.listen({ udp: { port: 0, address: '127.0.0.1' } });
  const port = addresses.udp?.port;
  if (!port) throw new Error('the test DNS server did not bind a UDP port');
  return {
    address: `127.0.0.1:${port}`,
    setTxt: (name, values) => void txt.set(name.toLowerCase(), values),
    close: () => server.close(),
  };
}
