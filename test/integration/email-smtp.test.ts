import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/devservices/ports';
import { startHarness, type Harness } from '../support/harness';

/** Codes go out through SMTP (nodemailer) to a real SMTP server on loopback; the outbox retries while it is down. */
describe('email codes over SMTP, through the outbox', () => {
  let h: Harness;
  let smtp: SMTPServer | null = null;
  let port = 0;
  const received: string[] = [];

  const startSmtp = async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, _session, callback) {
        let raw = '';
        stream.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
        stream.on('end', () => {
          received.push(raw);
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp?.listen(port, '127.0.0.1', resolve));
  };
  const stopSmtp = () => new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));

  beforeAll(async () => {
    port = await freePort();
    h = await startHarness({
      env: { ONRAMP_SMTP_URL: `smtp://127.0.0.1:${port}`, ONRAMP_MAIL_FROM: 'onramp <signin@onramp.test>', ONRAMP_OUTBOX_RETRY_MS: '500' },
    });
    await h.createTenant('smtpco');
    await h.admin('PUT', '/tenants/smtpco/domains', { domains: [{ domain: 'smtpco.test', verified: true }] });
    await h.admin('PUT', '/tenants/smtpco/domain-jit', { enabled: true });
  });
  afterAll(async () => {
    await h?.close();
    await stopSmtp();
  });

  const requestCode = async (email: string) => {
    const page = await fetch(`${h.url}/sso/email`);
    const cookie = page.headers.get('set-cookie')?.split(';')[0] ?? '';
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
    const res = await fetch(`${h.url}/sso/email/start`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf, email }).toString(),
    });
    expect(res.status).toBe(200);
  };
  const until = async (check: () => Promise<boolean>, ms: number) => {
    const end = Date.now() + ms;
    while (Date.now() < end && !(await check())) await new Promise((r) => setTimeout(r, 200));
    return check();
  };

  it('a message written while the SMTP server is down is sent by the sweep once it is up', async () => {
    await requestCode('dora@smtpco.test');
    const { models } = h.services.db;
    expect(await until(async () => (await models.outbox.findOne({ to: 'dora@smtpco.test' }).lean())?.lastError != null, 5_000)).toBe(true);
    expect(received).toHaveLength(0);
    await startSmtp();
    expect(await until(async () => (await models.outbox.findOne({ to: 'dora@smtpco.test' }).lean())?.status === 'sent', 15_000)).toBe(true);
    expect(received).toHaveLength(1);
    expect(received[0]).toContain('To: dora@smtpco.test');
    expect(received[0]).toContain('From: onramp <signin@onramp.test>');
    expect(received[0]).toMatch(/Your sign-in code is \d{6}\./);
  });

  it('with the server up, a code is sent at once', async () => {
    await requestCode('eli@smtpco.test');
    expect(await until(async () => received.some((m) => m.includes('To: eli@smtpco.test')), 5_000)).toBe(true);
  });
});
