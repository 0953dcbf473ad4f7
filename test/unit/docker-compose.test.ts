import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config';
import { envSchema } from '../../src/config/schema';
import { registry } from '../../src/metrics/registry';
import { ENTRY_POINTS } from '../../src/bin/build';
import { MEMORY_ENV, NODE_FLAGS, WORKER_HEAP_FLAGS } from '../../src/bin/nodeFlags';

interface ComposeService {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  healthcheck?: { test: string[] };
}

const read = async (path: string) => readFile(new URL(`../../${path}`, import.meta.url), 'utf8');

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
    expect(Object.keys(compose.services).sort()).toEqual([
      'grafana',
      'mongodb',
      'onramp-setup',
      'onramp-web',
      'onramp-worker',
      'postgresql',
      'prometheus',
      'temporal',
      'temporal-ui',
    ]);
    expect(onrampServices.map(([name]) => name).sort()).toEqual(['onramp-setup', 'onramp-web', 'onramp-worker']);
  });

  it("runs more than one worker (a crashed worker's runs continue on another)", () => {
    const worker = compose.services['onramp-worker'] as ComposeService & { deploy?: { replicas?: number } };
    expect(worker.deploy?.replicas).toBeGreaterThanOrEqual(2);
  });

  it('registers the search attributes once before the app starts, and the app waits for it', () => {
    const setup = compose.services['onramp-setup'] as ComposeService;
    expect(setup.command?.slice(-2)).toEqual(['dist/onramp.mjs', 'setup-temporal']);
    for (const name of ['onramp-web', 'onramp-worker']) {
      const deps = (compose.services[name] as ComposeService & { depends_on?: Record<string, { condition: string }> }).depends_on;
      expect(deps?.['onramp-setup']?.condition).toBe('service_completed_successfully');
    }
  });

  it.each(['onramp-setup', 'onramp-web', 'onramp-worker'])('%s: every variable is known to the config schema and the whole environment validates', (name) => {
    const env = Object.fromEntries(Object.entries(compose.services[name]?.environment ?? {}).map(([k, v]) => [k, interpolate(String(v), operatorEnv)]));
    // onramp's variables, and node's own (NODE_OPTIONS: the worker's heap flags).
    const known = new Set([...Object.keys(envSchema.shape), 'NODE_OPTIONS']);
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

  const configOf = (name: string) =>
    loadConfig(Object.fromEntries(Object.entries(compose.services[name]?.environment ?? {}).map(([k, v]) => [k, interpolate(String(v), operatorEnv)])));
  /** A bind mount's host path (relative to the compose file) for a container path. */
  const mountOf = (service: string, target: string) =>
    (compose.services[service]?.volumes ?? [])
      .map((v) => v.split(':'))
      .find(([, t]) => t === target)?.[0]
      ?.replace(/^\.\//, '');

  it('health-checks the web app and the workers with /readyz on their metrics port', () => {
    for (const name of ['onramp-web', 'onramp-worker']) {
      const port = configOf(name).metrics.port;
      expect(port, name).toBeGreaterThan(0);
      expect(compose.services[name]?.healthcheck?.test.join(' ')).toContain(`http://127.0.0.1:${port}/readyz`);
    }
  });

  it("Prometheus scrapes every web and worker replica on the metrics port, and the workers' SDK metrics", async () => {
    const path = mountOf('prometheus', '/etc/prometheus/prometheus.yml') ?? '';
    const prometheus = parse(await read(path)) as { scrape_configs: Array<{ job_name: string; dns_sd_configs: Array<{ names: string[]; port: number }> }> };
    const jobs = Object.fromEntries(prometheus.scrape_configs.map((j) => [j.job_name, j.dns_sd_configs[0]]));
    expect(jobs['onramp-web']).toMatchObject({ names: ['onramp-web'], port: configOf('onramp-web').metrics.port });
    expect(jobs['onramp-worker']).toMatchObject({ names: ['onramp-worker'], port: configOf('onramp-worker').metrics.port });
    const sdkPort = Number(configOf('onramp-worker').metrics.workerAddress?.split(':')[1]);
    expect(jobs['temporal-sdk']).toMatchObject({ names: ['onramp-worker'], port: sdkPort });
  });

  it('Grafana is provisioned with the Prometheus data source and the onramp dashboard, whose panels use metrics onramp defines', async () => {
    const provisioning = mountOf('grafana', '/etc/grafana/provisioning') ?? '';
    const datasource = parse(await read(`${provisioning}/datasources/prometheus.yml`)) as { datasources: Array<{ uid: string; url: string }> };
    expect(datasource.datasources[0]?.url).toBe('http://prometheus:9090');
    const provider = parse(await read(`${provisioning}/dashboards/onramp.yml`)) as { providers: Array<{ options: { path: string } }> };
    const dashboards = mountOf('grafana', provider.providers[0]?.options.path ?? '') ?? '';
    const dashboard = JSON.parse(await read(`${dashboards}/onramp.json`)) as {
      uid: string;
      panels: Array<{ id: number; type: string; datasource?: { uid: string }; targets?: Array<{ expr: string }> }>;
    };
    expect(dashboard.uid).toBe('onramp');
    const panels = dashboard.panels.filter((p) => p.type !== 'row');
    expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length);
    const defined = new Set((await registry.getMetricsAsJSON()).flatMap((m) => [m.name, `${m.name}_bucket`, `${m.name}_count`, `${m.name}_sum`]));
    for (const p of panels) {
      expect(p.datasource?.uid).toBe(datasource.datasources[0]?.uid);
      for (const t of p.targets ?? []) {
        const names = [...t.expr.matchAll(/\b((?:onramp|nodejs|process|temporal)_[a-z0-9_]+)/g)].map((m) => m[1] ?? '');
        expect(names.length, t.expr).toBeGreaterThan(0);
        // onramp's own metrics must exist; temporal_* are the SDK's (served on the worker's SDK address).
        for (const n of names.filter((x) => !x.startsWith('temporal_'))) expect(defined, `${n} in ${t.expr}`).toContain(n);
      }
    }
    for (const name of ['onramp_signins_total', 'onramp_approvals_pending', 'onramp_scim_requests_total', 'onramp_webhook_backlog', 'onramp_outbox_backlog'])
      expect(JSON.stringify(dashboard)).toContain(name);
  });
});

describe('Dockerfile', async () => {
  const dockerfile = await read('Dockerfile');
  const compose = parse(await read('docker-compose.yml'), { merge: true }) as { services: Record<string, ComposeService> };
  const built = Object.keys(ENTRY_POINTS).map((name) => `dist/${name}.mjs`);

  it('builds in one stage and runs the built output with plain node in another (no tsx at run time)', () => {
    expect(dockerfile).toMatch(/^FROM node:20\S* AS build$/m);
    expect(dockerfile).toMatch(/^RUN npm run build -- --out dist$/m);
    expect(dockerfile).toMatch(/^RUN npm ci --omit=dev/m);
    expect(dockerfile).toMatch(/^COPY --from=build \/app\/dist \.\/dist$/m);
    const cmd = JSON.parse(/^CMD (.*)$/m.exec(dockerfile)?.[1] ?? '[]') as string[];
    expect(cmd[0]).toBe('node');
    expect(built).toContain(cmd[cmd.length - 1]);
    // The flags and memory settings the bench and the tests run the built output with.
    expect(cmd.slice(1, -1)).toEqual(NODE_FLAGS);
    for (const [name, value] of Object.entries(MEMORY_ENV)) expect(dockerfile).toMatch(new RegExp(`^ENV ${name}=${value}$`, 'm'));
    expect(dockerfile).not.toMatch(/tsx/);
    // The worker's heap flags, on the worker only.
    const roles = Object.values(compose.services).filter((s) => s.build === '.' && s.environment?.ONRAMP_ROLE);
    expect(roles.length).toBeGreaterThan(1);
    for (const s of roles)
      expect(s.environment?.NODE_OPTIONS, String(s.environment?.ONRAMP_ROLE)).toBe(
        s.environment?.ONRAMP_ROLE === 'worker' ? WORKER_HEAP_FLAGS.join(' ') : undefined,
      );
  });

  it("the compose file's onramp commands run files the build makes", () => {
    const commands = Object.values(compose.services).flatMap((s) => (s.build === '.' && s.command ? [s.command] : []));
    expect(commands.length).toBeGreaterThan(0);
    for (const command of commands) {
      expect(command).not.toContain('tsx');
      expect(built).toContain(command.find((part) => part.startsWith('dist/')));
    }
  });
});
