import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
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
import { buildProduction } from '../../src/bin/build';
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
  const productionEnv = async (temporal: Pick<RunningTemporal, 'address' | 'namespace'>, extra: Record<string, string> = {}) => {
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

  /** A tenant, a SAML connection and a first sign-in through the admin API of the process at `url`. */
  const expectSignIn = async (url: string | null, adminToken: string) => {
    const admin = async (path: string, body: unknown) => {
      const res = await fetch(`${url}/api/admin${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
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

    await expectSignIn(url, env.ONRAMP_ADMIN_TOKEN);
  });

  it('the built entry points (`npm run build`) run with plain node and the prebuilt workflow bundle: a SAML sign-in works, and the CLI answers', async () => {
    const builtDir = join(logDir, 'dist');
    const { files } = await buildProduction(builtDir);
    expect(files).toEqual(['serve.mjs', 'onramp.mjs', 'failureConverter.cjs', 'workflow-bundle.js']);
    // As in the image: packages beside the output. The workflow sources are not reachable from here, so a worker
    // that did not take the prebuilt bundle would fail to start.
    await symlink(join(process.cwd(), 'node_modules'), join(logDir, 'node_modules'), 'dir');
    // The shared Temporal (its search attributes registered), on a task queue of this test's own.
    const env = await productionEnv(
      { address: stack.temporalAddress, namespace: stack.namespace },
      { TEMPORAL_TASK_QUEUE: `onramp-built-${randomBytes(4).toString('hex')}` },
    );
    const app = spawnOnramp('serve.ts', env, [], { builtDir });
    processes.push(app);
    const url = await app.ready;
    expect(app.stderr()).not.toMatch(/tsx/);
    await expectSignIn(url, env.ONRAMP_ADMIN_TOKEN);

    const cli = spawnOnramp('onramp.ts', env, ['--help'], { builtDir });
    expect(await cli.exited, cli.stderr()).toBe(0);
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
