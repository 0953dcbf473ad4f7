import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Where webhook deliveries may go (SSRF protection). The defaults are the
 * production ones; anything looser is an explicit opt-in for development and
 * tests.
 */
export interface OutboundPolicy {
  /** false in production: only https URLs. */
  allowHttp: boolean;
  /**
   * false in production: refuse every address whose range is not public
   * unicast — loopback, private (RFC 1918), link-local (incl. 169.254.169.254,
   * fe80::/10), CGNAT 100.64/10, unique-local fc00::/7, unspecified, multicast,
   * broadcast, reserved and documentation ranges, and IPv4-mapped, -translated
   * or NAT64 IPv6 forms of any of those.
   */
  allowPrivateAddresses: boolean;
  /** The whole request: DNS, connect, TLS, headers and body read. */
  timeoutMs: number;
  /** Read at most this many bytes of the response body, then stop reading. */
  maxResponseBytes: number;
  /** DNS servers to resolve with ("host:port"), for tests; default: the system resolver (dns.lookup). */
  dnsServers?: string[];
}

/** Production-safe: https only, public addresses only, 10 s, 64 KiB. */
export const DEFAULT_OUTBOUND_POLICY: OutboundPolicy = Object.freeze({
  allowHttp: false,
  allowPrivateAddresses: false,
  timeoutMs: 10_000,
  maxResponseBytes: 64 * 1024,
});

export type TargetRefusalCode = 'invalid_url' | 'scheme_not_allowed' | 'address_not_allowed';

export type TargetCheck = { ok: true; url: URL } | { ok: false; code: TargetRefusalCode; message: string };

/** Longer URLs are refused: a webhook endpoint has no reason to be this long. */
export const MAX_TARGET_URL_LENGTH = 2048;

type Ip = ipaddr.IPv4 | ipaddr.IPv6;

/** IANA's global unicast space; everything else in IPv6 is special-purpose or unassigned. */
const IPV6_GLOBAL_UNICAST = ipaddr.IPv6.parseCIDR('2000::/3');
/** The well-known NAT64 prefix (RFC 6052); the local-use 64:ff9b:1::/48 (RFC 8215) stays refused. */
const NAT64_WELL_KNOWN = ipaddr.IPv6.parseCIDR('64:ff9b::/96');

/** The IPv4 address carried in the low 32 bits of an IPv6 address. */
const embeddedIpv4 = (ip: ipaddr.IPv6): ipaddr.IPv4 => {
  const bytes = ip.toByteArray();
  return new ipaddr.IPv4(bytes.slice(12, 16));
};

/**
 * The range an address belongs to: `'public'` for public unicast, otherwise
 * the name of the special range (`'loopback'`, `'private'`, `'linkLocal'`,
 * `'uniqueLocal'`, `'carrierGradeNat'`, `'reserved'`, …). IPv4-mapped,
 * IPv4-translated (RFC 6145) and well-known-prefix NAT64 addresses are judged
 * by the IPv4 address they carry.
 */
export function addressRange(address: string): string {
  let ip: Ip;
  try {
    // process() turns ::ffff:a.b.c.d into a.b.c.d.
    ip = ipaddr.process(address);
  } catch {
    return 'unparseable';
  }
  return rangeOf(ip);
}

function rangeOf(ip: Ip): string {
  if (ip.kind() === 'ipv4') {
    const range = (ip as ipaddr.IPv4).range();
    return range === 'unicast' ? 'public' : range;
  }
  const v6 = ip as ipaddr.IPv6;
  if (v6.zoneId) return 'scoped';
  const range = v6.range();
  if (range === 'ipv4Mapped') return rangeOf(v6.toIPv4Address());
  if (range === 'rfc6145' || (range === 'rfc6052' && v6.match(NAT64_WELL_KNOWN))) return rangeOf(embeddedIpv4(v6));
  if (range !== 'unicast') return range;
  // ::/96 (deprecated IPv4-compatible) and other unassigned space is "unicast" to ipaddr.js.
  if (!v6.match(IPV6_GLOBAL_UNICAST)) return 'reserved';
  return 'public';
}

const RANGE_WORDS: Record<string, string> = {
  loopback: 'a loopback address',
  private: 'a private (RFC 1918) address',
  linkLocal: 'a link-local address',
  carrierGradeNat: 'a carrier-grade NAT (100.64.0.0/10) address',
  uniqueLocal: 'a unique-local (fc00::/7) address',
  unspecified: 'the unspecified address',
  multicast: 'a multicast address',
  broadcast: 'the broadcast address',
  reserved: 'a reserved address',
  scoped: 'a scoped (zone) address',
  unparseable: 'not an IP address',
};

/** "a loopback address", "a private (RFC 1918) address", … for messages. */
export const describeRange = (range: string): string => RANGE_WORDS[range] ?? `a special-purpose address (${range})`;

/** null when the policy lets a connection go to this address, else the reason. */
export function addressRefusal(address: string, policy: Pick<OutboundPolicy, 'allowPrivateAddresses'>): string | null {
  if (policy.allowPrivateAddresses) return null;
  const range = addressRange(address);
  return range === 'public' ? null : describeRange(range);
}

/** RFC 6761: these names always mean this machine, whatever DNS says. */
const isLocalhostName = (name: string): boolean => name === 'localhost' || name.endsWith('.localhost');

const refuse = (code: TargetRefusalCode, message: string): TargetCheck => ({ ok: false, code, message });

/**
 * Checks that need no DNS: a parseable absolute http(s) URL (http only when
 * the policy allows it) with a host and no credentials; a literal IP host (in
 * any form the URL parser accepts: 2130706433, 0x7f.1, [::ffff:127.0.0.1]…)
 * or a localhost name is checked against the address ranges. Used when an
 * admin saves an endpoint and again before each delivery (which also checks
 * every address the name resolves to).
 */
export function checkTargetUrl(url: string, policy: OutboundPolicy): TargetCheck {
  if (typeof url !== 'string' || url.trim() === '') return refuse('invalid_url', 'the URL is empty');
  if (url.length > MAX_TARGET_URL_LENGTH) return refuse('invalid_url', `the URL is longer than ${MAX_TARGET_URL_LENGTH} characters`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return refuse('invalid_url', 'the URL is not a valid absolute URL');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    return refuse('scheme_not_allowed', `the URL scheme "${parsed.protocol.replace(/:$/, '')}" is not allowed; use https`);
  }
  if (parsed.protocol === 'http:' && !policy.allowHttp) return refuse('scheme_not_allowed', 'only https URLs are allowed');
  if (parsed.username !== '' || parsed.password !== '') return refuse('invalid_url', 'the URL must not contain a user name or password');
  const host = hostOf(parsed);
  if (host === '') return refuse('invalid_url', 'the URL has no host');
  if (parsed.port === '0') return refuse('invalid_url', 'port 0 is not a valid port');
  if (!policy.allowPrivateAddresses) {
    if (isIP(host) !== 0) {
      const reason = addressRefusal(host, policy);
      if (reason) return refuse('address_not_allowed', `${host} is ${reason}; only public addresses are allowed`);
    } else if (isLocalhostName(host)) {
      return refuse('address_not_allowed', `${host} is this machine; only public addresses are allowed`);
    }
  }
  return { ok: true, url: parsed };
}

/** The URL's host as a name or a bare IP address: no IPv6 brackets, no trailing dot, lower case. */
export function hostOf(url: URL): string {
  const name = url.hostname.toLowerCase();
  if (name.startsWith('[') && name.endsWith(']')) return name.slice(1, -1);
  return name.endsWith('.') ? name.slice(0, -1) : name;
}
