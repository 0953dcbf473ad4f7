import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config';
import { envSchema } from '../../src/config/schema';

interface ComposeService {
  image?: string;
  build?: string;
  environment?: Record<string, string>;
}

/** Resolve compose-style ${VAR}, ${VAR:-default} and ${VAR:?message} against the given variables. */
function interpolate(value: string, vars: Record<string, string>): string {
  return value.replace(/\$\{([A-Z0-9_]+)(?::([-?])([^}]*))?\}/g, (_m, name: string, op?: string, arg?: string) => {
    const v = vars[name];
    if (v !== undefined && v !== '') return v;
    if (op === '-') return arg ?? '';
    throw new Error(`${name} is required: ${arg ?? ''}`);
  });
}

describe('docker-compose.yml', async () => {
  const compose = parse(await readFile(new URL('../../docker-compose.yml', import.meta.url), 'utf8'), { merge: true }) as {
    services: Record<string, ComposeService>;
  };
  const operatorEnv = {
    ONRAMP_PUBLIC_URL: 'https://onramp.example.com',
    ONRAMP_ADMIN_TOKEN: 'x'.repeat(40),
    ONRAMP_SESSION_SECRET: 'y'.repeat(40),
    ONRAMP_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
    ONRAMP_SMTP_URL: 'smtp://mail.example.test:587',
    ONRAMP_TEMPORAL_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 8).toString('base64')}`,
    ONRAMP_SEARCH_HASH_KEY: Buffer.alloc(32, 9).toString('base64'),
  };
  const onrampServices = Object.entries(compose.services).filter(([, s]) => s.build === '.');

  it('has the production-shaped services', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['mongodb', 'onramp-setup', 'onramp-web', 'onramp-worker', 'postgresql', 'temporal', 'temporal-ui']);
    expect(onrampServices.map(([name]) => name).sort()).toEqual(['onramp-setup', 'onramp-web', 'onramp-worker']);
  });

  it("runs more than one worker (a crashed worker's runs continue on another)", () => {
    const worker = compose.services['onramp-worker'] as ComposeService & { deploy?: { replicas?: number } };
    expect(worker.deploy?.replicas).toBeGreaterThanOrEqual(2);
  });

  it('registers the search attributes once before the app starts, and the app waits for it', () => {
    const setup = compose.services['onramp-setup'] as ComposeService & { command?: string[] };
    expect(setup.command?.slice(-2)).toEqual(['src/bin/onramp.ts', 'setup-temporal']);
    for (const name of ['onramp-web', 'onramp-worker']) {
      const deps = (compose.services[name] as ComposeService & { depends_on?: Record<string, { condition: string }> }).depends_on;
      expect(deps?.['onramp-setup']?.condition).toBe('service_completed_successfully');
    }
  });

  it.each(['onramp-setup', 'onramp-web', 'onramp-worker'])('%s: every variable is known to the config schema and the whole environment validates', (name) => {
    const env = Object.fromEntries(Object.entries(compose.services[name]?.environment ?? {}).map(([k, v]) => [k, interpolate(String(v), operatorEnv)]));
    const known = new Set(Object.keys(envSchema.shape));
    expect(Object.keys(env).filter((k) => !known.has(k))).toEqual([]);
    const config = loadConfig(env);
    expect(config.env).toBe('production');
    expect(config.temporal.address).toBe('temporal:7233');
  });

  it('web and worker agree on the task queue, namespace and database', () => {
    const [web, worker] = ['onramp-web', 'onramp-worker'].map((n) =>
      loadConfig(Object.fromEntries(Object.entries(compose.services[n]?.environment ?? {}).map(([k, v]) => [k, interpolate(String(v), operatorEnv)]))),
    );
    expect(web?.role).toBe('web');
    expect(worker?.role).toBe('worker');
    expect(web?.temporal.taskQueue).toBe(worker?.temporal.taskQueue);
    expect(web?.temporal.namespace).toBe(worker?.temporal.namespace);
    expect(web?.mongo.database).toBe(worker?.mongo.database);
  });

  it('refuses to start without the operator secrets', () => {
    const env = compose.services['onramp-web']?.environment ?? {};
    expect(() => interpolate(String(env.ONRAMP_ADMIN_TOKEN), {})).toThrow(/ONRAMP_ADMIN_TOKEN is required/);
  });
});
