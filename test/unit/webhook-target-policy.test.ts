import { describe, expect, it } from 'vitest';
import { MAX_RETRY_AFTER_SECONDS } from '../../src/domain/webhookRetry';
import { BODY_EXCERPT_BYTES, excerptOf, parseRetryAfter } from '../../src/webhooks/responseParts';
import { addressRange, checkTargetUrl, DEFAULT_OUTBOUND_POLICY, type OutboundPolicy } from '../../src/webhooks/targetPolicy';

const production = DEFAULT_OUTBOUND_POLICY;
const development: OutboundPolicy = { ...DEFAULT_OUTBOUND_POLICY, allowHttp: true, allowPrivateAddresses: true };
const httpButPublic: OutboundPolicy = { ...DEFAULT_OUTBOUND_POLICY, allowHttp: true };

describe('DEFAULT_OUTBOUND_POLICY', () => {
  it('is production-safe', () => {
    expect(DEFAULT_OUTBOUND_POLICY).toEqual({ allowHttp: false, allowPrivateAddresses: false, timeoutMs: 10_000, maxResponseBytes: 65_536 });
  });
});

describe('checkTargetUrl: address ranges', () => {
  it.each([
    '127.0.0.1',
    '127.1',
    '2130706433',
    '0x7f000001',
    '0x7f.1',
    '0177.0.0.1',
    'localhost',
    'LOCALHOST.',
    'hooks.localhost',
    '[::1]',
    '[::ffff:127.0.0.1]',
    '[::ffff:7f00:1]',
    '[::ffff:169.254.169.254]',
    '[::ffff:0:10.0.0.1]', // IPv4-translated (RFC 6145)
    '[64:ff9b::10.0.0.1]', // NAT64 of a private address
    '[64:ff9b::7f00:1]',
    '[64:ff9b:1::1]', // local-use NAT64 prefix
    '[::127.0.0.1]', // deprecated IPv4-compatible
    '[2002:7f00:1::1]', // 6to4
    '[2001:db8::1]', // documentation
    '169.254.169.254',
    '10.0.0.1',
    '10.255.255.255',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '100.64.0.1',
    '0.0.0.0',
    '0',
    '[::]',
    '[fc00::1]',
    '[fd12:3456::1]',
    '[fe80::1]',
    '[fec0::1]',
    '224.0.0.1',
    '[ff02::1]',
    '255.255.255.255',
    '192.0.2.1',
    '198.18.0.1',
    '240.0.0.1',
  ])('refuses %s', (host) => {
    for (const scheme of ['https', 'http']) {
      const result = checkTargetUrl(`${scheme}://${host}/hook`, httpButPublic);
      expect(result).toMatchObject({ ok: false, code: 'address_not_allowed' });
      if (!result.ok) expect(result.message).toMatch(/only public addresses are allowed/);
    }
  });

  it.each(['8.8.8.8', '93.184.215.14', '[2606:4700::1111]', '[::ffff:8.8.8.8]', '[64:ff9b::808:808]', 'hooks.example.com', 'example.com.'])(
    'allows %s',
    (host) => {
      const result = checkTargetUrl(`https://${host}/hook`, production);
      expect(result.ok).toBe(true);
    },
  );

  it('allows private and loopback addresses when the policy opts in', () => {
    for (const host of ['127.0.0.1', 'localhost', '[::1]', '10.0.0.1', '169.254.169.254']) {
      expect(checkTargetUrl(`http://${host}:8080/hook`, development).ok).toBe(true);
    }
  });

  it('names the range in the message', () => {
    expect(checkTargetUrl('https://169.254.169.254/latest/meta-data', production)).toMatchObject({ message: expect.stringMatching(/link-local/) });
    expect(checkTargetUrl('https://10.1.2.3/', production)).toMatchObject({ message: expect.stringMatching(/private/) });
    expect(checkTargetUrl('https://2130706433/', production)).toMatchObject({ message: expect.stringMatching(/^127\.0\.0\.1 is a loopback address/) });
  });
});

describe('checkTargetUrl: URL shape', () => {
  it('returns the parsed URL', () => {
    const result = checkTargetUrl('https://hooks.example.com:8443/a/b?c=d', production);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.url.href).toBe('https://hooks.example.com:8443/a/b?c=d');
  });

  it('refuses http unless allowed', () => {
    expect(checkTargetUrl('http://hooks.example.com/', production)).toMatchObject({
      ok: false,
      code: 'scheme_not_allowed',
      message: 'only https URLs are allowed',
    });
    expect(checkTargetUrl('http://hooks.example.com/', httpButPublic).ok).toBe(true);
  });

  it.each([
    'file:///etc/passwd',
    'ftp://hooks.example.com/',
    'javascript:alert(1)',
    'data:text/plain,hi',
    'gopher://hooks.example.com/',
    'ws://hooks.example.com/',
  ])('refuses the scheme of %s', (url) => {
    expect(checkTargetUrl(url, development)).toMatchObject({ ok: false, code: 'scheme_not_allowed' });
  });

  it.each(['https://user:pass@hooks.example.com/', 'https://user@hooks.example.com/', 'https://:pass@hooks.example.com/'])(
    'refuses credentials in %s',
    (url) => {
      expect(checkTargetUrl(url, development)).toMatchObject({ ok: false, code: 'invalid_url', message: expect.stringMatching(/user name or password/) });
    },
  );

  it.each([
    '',
    '   ',
    'garbage',
    'hooks.example.com/path',
    '/relative',
    'https://',
    'https://exa mple.com/',
    'http://[::1/',
    'https://hooks.example.com:0/',
    'https://256.256.256.256/',
  ])('refuses %j as invalid', (url) => {
    expect(checkTargetUrl(url, development)).toMatchObject({ ok: false, code: 'invalid_url' });
  });

  it('refuses an overlong URL', () => {
    expect(checkTargetUrl(`https://hooks.example.com/${'a'.repeat(3000)}`, production)).toMatchObject({ ok: false, code: 'invalid_url' });
  });
});

describe('addressRange', () => {
  it.each([
    ['8.8.8.8', 'public'],
    ['2606:4700::1111', 'public'],
    ['::ffff:8.8.8.8', 'public'],
    ['127.0.0.1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::1', 'loopback'],
    ['10.0.0.1', 'private'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['fe80::1', 'linkLocal'],
    ['fe80::1%eth0', 'scoped'],
    ['fc00::1', 'uniqueLocal'],
    ['64:ff9b::a00:1', 'private'],
    ['not an address', 'unparseable'],
  ])('%s is %s', (address, range) => {
    expect(addressRange(address)).toBe(range);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.UTC(2025, 0, 1, 12, 0, 0);
  it.each([
    [undefined, null],
    ['7', 7],
    [' 120 ', 120],
    ['0', 0],
    ['99999999999', MAX_RETRY_AFTER_SECONDS],
    ['-5', null],
    ['1.5', null],
    ['soon', null],
    ['', null],
    ['Wed, 01 Jan 2025 12:00:30 GMT', 30],
    ['Wednesday, 01-Jan-25 12:01:00 GMT', 60],
    ['Wed Jan  1 12:00:10 2025', 10],
    ['Wed, 01 Jan 2025 11:00:00 GMT', 0],
    ['Fri, 01 Jan 2100 00:00:00 GMT', MAX_RETRY_AFTER_SECONDS],
    ['Wed, 32 Jan 2025 12:00:30 GMT', null],
    ['Wed, 01 Foo 2025 12:00:30 GMT', null],
  ])('%j → %j', (value, seconds) => {
    expect(parseRetryAfter(value, now)).toBe(seconds);
  });
});

describe('excerptOf', () => {
  it('keeps at most 1 KiB, whole characters only', () => {
    expect(excerptOf(Buffer.from('hello'))).toBe('hello');
    expect(Buffer.byteLength(excerptOf(Buffer.alloc(5000, 'a')))).toBe(BODY_EXCERPT_BYTES);
    const euros = excerptOf(Buffer.from('€'.repeat(1000))); // 3 bytes each: 341 fit
    expect(euros).toBe('€'.repeat(341));
    const invalid = excerptOf(Buffer.alloc(2000, 0xff)); // each invalid byte decodes to a 3-byte U+FFFD
    expect(Buffer.byteLength(invalid)).toBeLessThanOrEqual(BODY_EXCERPT_BYTES);
  });
});
