import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createSamlIdp } from '../../src/demo/samlIdp';
import { ensureTemporalCli } from '../../src/devservices/goBinaries';
import { cacheDir } from '../../src/devservices/paths';
import { freePort } from '../../src/devservices/ports';
import { startTemporalDevServer, type RunningTemporal } from '../../src/devservices/temporalDevServer';
import { connectClient } from '../../src/runs/connection';
import { SEARCH_ATTRIBUTES } from '../../src/runs/searchAttributes';
import { samlSignIn } from '../support/harness';
import { spawnOnramp, type OnrampProcess } from '../support/serveProcess';

/**
 * `npm start` (src/bin/serve.ts, NODE_ENV=production) against a
 * Temporal server that has never seen onramp — as docker-compose's
 * temporalio/auto-setup or a new cluster is.
 */
describe('the production entry point against a fresh Temporal', () => {
  const stack = inject('stack');
  let logDir: string;
  const servers: RunningTemporal[] = [];
  const processes: OnrampProcess[] = [];

  const freshTemporal = async () => {
    const bin = await ensureTemporalCli(cacheDir(process.env.ONRAMP_CACHE_DIR), process.env.TEMPORAL_CLI_PATH);
    const server = await startTemporalDevServer({ bin, logDir, namespace: 'default', searchAttributes: false });
    servers.push(server);
    return server;
  };
  const productionEnv = async (temporal: RunningTemporal, extra: Record<string, string> = {}) => {
    const port = await freePort();
    return {
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      ONRAMP_ROLE: 'all',
      ONRAMP_PORT: String(port),
      ONRAMP_PUBLIC_URL: `http://127.0.0.1:${port}`,
      ONRAMP_ALLOW_INSECURE_HTTP: 'true',
      ONRAMP_ADMIN_TOKEN: randomBytes(24).toString('base64url'),
      ONRAMP_SESSION_SECRET: randomBytes(24).toString('base64url'),
      ONRAMP_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      ONRAMP_TEMPORAL_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
      ONRAMP_SEARCH_HASH_KEY: randomBytes(32).toString('base64'),
      ONRAMP_SMTP_URL: 'smtp://127.0.0.1:9',
      MONGODB_URI: stack.mongoUri,
      MONGODB_DATABASE: `prod_${randomBytes(4).toString('hex')}`,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_NAMESPACE: temporal.namespace,
      ...extra,
    };
  };
  const registered = async (temporal: RunningTemporal) => {
    const client = await connectClient({
      address: temporal.address,
      namespace: temporal.namespace,
      tls: { enabled: false, certPath: undefined, keyPath: undefined },
      apiKey: undefined,
      dataConverter: undefined,
    });
    try {
      const { customAttributes } = await client.connection.operatorService.listSearchAttributes({ namespace: temporal.namespace });
      return Object.keys(customAttributes ?? {})
        .filter((n) => n in SEARCH_ATTRIBUTES)
        .sort();
    } finally {
      await client.connection.close();
    }
  };

  beforeAll(async () => {
    logDir = await mkdtemp(join(tmpdir(), 'onramp-prod-'));
  });
  afterAll(async () => {
    for (const p of processes) await p.stop();
    for (const s of servers) await s.stop();
    await rm(logDir, { recursive: true, force: true });
  });

  it('registers the search attributes itself, and a SAML sign-in works', async () => {
    const temporal = await freshTemporal();
    expect(await registered(temporal)).toEqual([]);
    const env = await productionEnv(temporal);
    const app = spawnOnramp('serve.ts', env);
    processes.push(app);
    const url = await app.ready;
    expect(await registered(temporal)).toEqual(Object.keys(SEARCH_ATTRIBUTES).sort());

    const admin = async (path: string, body: unknown) => {
      const res = await fetch(`${url}/api/admin${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${env.ONRAMP_ADMIN_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(201);
      return (await res.json()) as { id: string; tenantId: string; acsUrl: string; loginUrl: string; metadataUrl: string; spEntityId: string };
    };
    const idp = createSamlIdp({ entityId: 'https://idp.prod.test/metadata', ssoUrl: 'https://idp.prod.test/sso' });
    await admin('/tenants', { slug: 'prod', name: 'Prod', jit: { enabled: true, defaultRoles: ['member'] } });
    const conn = await admin('/tenants/prod/connections/saml', { name: 'IdP', idpEntityId: idp.entityId, ssoUrl: idp.ssoUrl, certificates: [idp.certificate] });
    const metadataXml = await (await fetch(conn.metadataUrl)).text();
    const res = await samlSignIn({ ...conn, metadataXml }, idp, { nameId: 'sarah', email: 'sarah@prod.test', name: 'Sarah' });
    expect(res.status).toBe(303);
    expect(res.cookie).toMatch(/^onramp\.sid=/);
  });

  it('with registration not allowed, start-up fails at once naming the attributes and the commands; setup-temporal then fixes it', async () => {
    const temporal = await freshTemporal();
    const env = await productionEnv(temporal, { ONRAMP_TEMPORAL_SEARCH_ATTRIBUTES: 'check' });
    const refused = spawnOnramp('serve.ts', env);
    processes.push(refused);
    expect(await refused.exited).toBe(2);
    const said = refused.stderr();
    for (const name of Object.keys(SEARCH_ATTRIBUTES)) expect(said).toContain(name);
    expect(said).toContain('temporal operator search-attribute create --namespace default --name OnrampTenant --type Keyword');
    expect(said).toContain('tcld namespace search-attributes add');
    expect(said).not.toMatch(/\n\s+at /); // no stack trace
    expect(await registered(temporal)).toEqual([]);

    const setup = spawnOnramp('onramp.ts', env, ['setup-temporal']);
    expect(await setup.exited, setup.stderr()).toBe(0);
    expect(await registered(temporal)).toEqual(Object.keys(SEARCH_ATTRIBUTES).sort());
    const again = spawnOnramp('onramp.ts', env, ['setup-temporal']); // idempotent
    expect(await again.exited).toBe(0);

    const app = spawnOnramp('serve.ts', env);
    processes.push(app);
    expect(await app.ready).toMatch(/^http:/);
  });
});
