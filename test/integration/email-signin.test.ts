import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { takeRateSlot } from '../../src/store/rateLimit';
import { Browser } from '../support/browser';
import { startHarness, type Harness } from '../support/harness';

const setUp = async () => {
  const h = await startHarness();
  await h.createTenant('mailco');
  await h.admin('PUT', '/tenants/mailco/domains', { domains: [{ domain: 'mailco.test', verified: true }] });
  expect((await h.admin('PUT', '/tenants/mailco/domain-jit', { enabled: true })).status).toBe(200);
  return h;
};

describe('email sign-in with a one-time code', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await setUp();
  });
  afterAll(async () => h?.close());

  const requestCode = async (b: Browser, email: string) => {
    await b.open('/sso/email');
    const res = await b.submit('/sso/email/start', { email });
    expect(res.status).toBe(200);
    expect(res.html).toContain('Check your email');
    const mail = await h.services.db.models.outbox.findOne({ to: email.toLowerCase() }).sort({ createdAt: -1 }).lean();
    return /code is (\d{6})/.exec(mail?.text ?? '')?.[1] ?? '';
  };

  it('a user of a verified domain gets a code (outbox, viewable in development), signs in once and joins the tenant', async () => {
    const b = new Browser(h.url);
    const code = await requestCode(b, 'Uma@MailCo.test');
    expect(code).toMatch(/^\d{6}$/);
    expect((await b.open('/dev/outbox')).html).toContain(`code is ${code}`);
    const ok = await b.submit('/sso/email/verify', { email: 'uma@mailco.test', code });
    expect(ok.status).toBe(303);
    const me = await (await fetch(`${h.url}/api/me`, { headers: { cookie: b.cookie } })).json();
    expect(me).toMatchObject({ user: { email: 'uma@mailco.test' }, memberships: [{ tenantSlug: 'mailco', roles: ['member'] }] });
    const identity = await h.services.db.models.identities.findOne({ subject: 'uma@mailco.test' }).lean();
    expect(identity?.protocol).toBe('email');

    const again = new Browser(h.url);
    await again.open('/sso/email');
    const replay = await again.submit('/sso/email/verify', { email: 'uma@mailco.test', code });
    expect(replay.status).toBe(401);
    expect(replay.html).toContain('email_code_invalid');
  });

  it('the same code sent twice at once signs in once', async () => {
    const b = new Browser(h.url);
    const code = await requestCode(b, 'xia@mailco.test');
    const tries = await Promise.all([
      b.submit('/sso/email/verify', { email: 'xia@mailco.test', code }),
      b.submit('/sso/email/verify', { email: 'xia@mailco.test', code }),
    ]);
    expect(tries.map((t) => t.status).sort()).toEqual([303, 401]);
  });

  it('an expired code is refused; five wrong tries kill a code', async () => {
    const b = new Browser(h.url);
    let code = await requestCode(b, 'vic@mailco.test');
    await h.services.db.models.emailCodes.updateOne({ _id: 'vic@mailco.test' }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    const expired = await b.submit('/sso/email/verify', { email: 'vic@mailco.test', code });
    expect(expired.status).toBe(401);
    expect(expired.html).toContain('email_code_expired');

    code = await requestCode(b, 'vic@mailco.test');
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) expect((await b.submit('/sso/email/verify', { email: 'vic@mailco.test', code: wrong })).status).toBe(401);
    expect((await b.submit('/sso/email/verify', { email: 'vic@mailco.test', code })).status).toBe(401);
    expect(await h.services.db.models.users.countDocuments({ email: 'vic@mailco.test' })).toBe(0);
    expect(await h.services.db.models.auditEvents.countDocuments({ action: 'signin.rejected', 'target.id': 'vic@mailco.test' })).toBe(7);
  });

  it('no code for a domain no tenant verified with domain JIT on; the answer looks the same', async () => {
    const b = new Browser(h.url);
    await b.open('/sso/email');
    const res = await b.submit('/sso/email/start', { email: 'zed@elsewhere.test' });
    expect(res.html).toContain('Check your email');
    expect(await h.services.db.models.outbox.countDocuments({ to: 'zed@elsewhere.test' })).toBe(0);
    await h.admin('PUT', '/tenants/mailco/domain-jit', { enabled: false });
    await b.submit('/sso/email/start', { email: 'yan@mailco.test' });
    expect(await h.services.db.models.outbox.countDocuments({ to: 'yan@mailco.test' })).toBe(0);
    await h.admin('PUT', '/tenants/mailco/domain-jit', { enabled: true });
  });

  it('refuses a form without the CSRF token and a bad address', async () => {
    const b = new Browser(h.url);
    await b.open('/sso/email');
    b.csrf = 'forged';
    expect((await b.submit('/sso/email/start', { email: 'uma@mailco.test' })).status).toBe(403);
    await b.open('/sso/email');
    expect((await b.submit('/sso/email/start', { email: 'not-an-email' })).status).toBe(400);
  });
});

describe('email sign-in rate limits', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await setUp();
  });
  afterAll(async () => h?.close());

  it('5 codes per address and 20 per IP in 15 minutes; the 6th / 21st request gets 429', async () => {
    const b = new Browser(h.url);
    await b.open('/sso/email');
    const start = (email: string) => b.submit('/sso/email/start', { email });
    for (let i = 0; i < 5; i++) expect((await start('wes@mailco.test')).status).toBe(200);
    const sixth = await start('wes@mailco.test');
    expect(sixth.status).toBe(429);
    expect(sixth.html).toContain('rate_limited');
    expect(await h.services.db.models.outbox.countDocuments({ to: 'wes@mailco.test' })).toBe(5);
    // 6 requests from this IP so far (the refused one counted against the IP first): 14 more are allowed.
    for (let i = 0; i < 14; i++) expect((await start(`user${i}@mailco.test`)).status).toBe(200);
    expect((await start('one-more@mailco.test')).status).toBe(429);
  });

  it('holds exactly under concurrency (slots are inserts on unique keys, not a counter)', async () => {
    const rule = { limit: 5, windowMs: 60_000 };
    const results = await Promise.all(Array.from({ length: 12 }, () => takeRateSlot(h.services.db.models, 'parallel-test', rule)));
    expect(results.filter((r) => r.ok)).toHaveLength(5);
  });
});
