import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config';

const prod = {
  NODE_ENV: 'production',
  ONRAMP_ADMIN_TOKEN: 'a'.repeat(40),
  ONRAMP_SESSION_SECRET: 'b'.repeat(40),
  ONRAMP_PUBLIC_URL: 'https://onramp.example.com',
  MONGODB_URI: 'mongodb://db:27017',
  TEMPORAL_ADDRESS: 'temporal:7233',
  ONRAMP_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'),
  ONRAMP_SMTP_URL: 'smtps://mail.example.com',
  ONRAMP_TEMPORAL_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 2).toString('base64')}`,
  ONRAMP_SEARCH_HASH_KEY: Buffer.alloc(32, 3).toString('base64'),
};

const errorOf = (env: Record<string, string>): ConfigError => {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
};

describe('loadConfig', () => {
  it('production needs an encryption key of 32 bytes and SMTP for email codes', () => {
    const { ONRAMP_ENCRYPTION_KEY: _k, ...noKey } = prod;
    expect(errorOf(noKey).variable).toBe('ONRAMP_ENCRYPTION_KEY');
    expect(errorOf({ ...prod, ONRAMP_ENCRYPTION_KEY: 'c2hvcnQ=' }).variable).toBe('ONRAMP_ENCRYPTION_KEY');
    const { ONRAMP_SMTP_URL: _s, ...noSmtp } = prod;
    expect(errorOf(noSmtp).variable).toBe('ONRAMP_SMTP_URL');
    expect(loadConfig(prod).encryptionKey).toHaveLength(32);
  });

  it('development defaults are safe and need nothing', () => {
    const c = loadConfig({});
    expect(c.env).toBe('development');
    expect(c.http.publicUrl).toBe('http://127.0.0.1:3000');
    expect(c.adminTokenGenerated).toBe(true);
    expect(c.adminToken.length).toBeGreaterThanOrEqual(32);
    expect(c.temporal.taskQueue).toBe('onramp-provisioning');
    expect(c.saml.clockSkewMs).toBe(60_000);
  });

  it('a valid production environment loads with secure cookies', () => {
    const c = loadConfig(prod);
    expect(c.http.secureCookies).toBe(true);
    expect(c.adminTokenGenerated).toBe(false);
  });

  it.each([
    ['ONRAMP_ADMIN_TOKEN', { ...prod, ONRAMP_ADMIN_TOKEN: '' }],
    ['ONRAMP_SESSION_SECRET', { ...prod, ONRAMP_SESSION_SECRET: '' }],
    ['MONGODB_URI', { ...prod, MONGODB_URI: '' }],
    ['TEMPORAL_ADDRESS', { ...prod, TEMPORAL_ADDRESS: '' }],
    ['ONRAMP_PUBLIC_URL', { ...prod, ONRAMP_PUBLIC_URL: 'http://onramp.example.com' }],
    ['ONRAMP_ADMIN_TOKEN', { ...prod, ONRAMP_ADMIN_TOKEN: 'short' }],
    ['ONRAMP_PORT', { ONRAMP_PORT: 'eighty' }],
    ['MONGODB_URI', { MONGODB_URI: 'postgres://x' }],
    ['TEMPORAL_ADDRESS', { TEMPORAL_ADDRESS: 'no-port' }],
    ['ONRAMP_SAML_CLOCK_SKEW_MS', { ONRAMP_SAML_CLOCK_SKEW_MS: '3600000' }],
    ['NODE_ENV', { NODE_ENV: 'staging' }],
    ['TEMPORAL_TLS_KEY_PATH', { TEMPORAL_TLS_CERT_PATH: '/c.pem' }],
  ])('a bad value stops start-up naming %s', (variable, env) => {
    const err = errorOf(env);
    expect(err.variable).toBe(variable);
    expect(err.message).toContain(variable);
  });

  it('webhooks: production sends only to public https targets unless opted in; the retry schedule is checked', () => {
    expect(loadConfig(prod).webhooks.policy).toMatchObject({ allowHttp: false, allowPrivateAddresses: false, timeoutMs: 10_000 });
    expect(loadConfig({ ...prod, ONRAMP_WEBHOOK_ALLOW_PRIVATE_ADDRESSES: 'true' }).webhooks.policy.allowPrivateAddresses).toBe(true);
    expect(loadConfig({ NODE_ENV: 'development' }).webhooks.policy).toMatchObject({ allowHttp: true, allowPrivateAddresses: true });
    expect(loadConfig(prod).webhooks.scheduleSeconds).toEqual([0, 5, 300, 1_800, 7_200, 18_000, 36_000, 36_000]);
    expect(loadConfig(prod).events.retentionMs).toBe(30 * 86_400_000);
    expect(errorOf({ ...prod, ONRAMP_WEBHOOK_RETRY_SCHEDULE: '5,10' }).variable).toBe('ONRAMP_WEBHOOK_RETRY_SCHEDULE');
    expect(errorOf({ ...prod, ONRAMP_WEBHOOK_RETRY_SCHEDULE: '0,x' }).variable).toBe('ONRAMP_WEBHOOK_RETRY_SCHEDULE');
  });

  it('plain HTTP in production only with the explicit opt-in', () => {
    const c = loadConfig({ ...prod, ONRAMP_PUBLIC_URL: 'http://onramp.internal', ONRAMP_ALLOW_INSECURE_HTTP: 'true' });
    expect(c.http.secureCookies).toBe(false);
  });
});
