import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, inject } from 'vitest';
import { loadConfig, type Config } from '../../src/config';
import { createSamlIdp, type IdpUser, type ResponseOptions, type SamlIdp } from '../../src/demo/samlIdp';
import { freePort } from '../../src/devservices/ports';
import { createLogger } from '../../src/logger';
import { createServices, type ServiceOptions, type Services } from '../../src/services';
import { temporalDataConverter } from '../../src/runs/dataConverter';
import type { Faults } from '../../src/runs/faultInjection';

const testKey = (name: string) => createHash('sha256').update(`onramp integration tests: ${name}`).digest('base64');
/** Integration tests run with Temporal payload encryption on, under fixed keys (spawned workers get the same). */
export const TEST_TEMPORAL_ENV = {
  ONRAMP_TEMPORAL_ENCRYPTION: 'on',
  ONRAMP_TEMPORAL_ENCRYPTION_KEYS: `test-1:${testKey('payload key')}`,
  ONRAMP_SEARCH_HASH_KEY: testKey('search hash key'),
} as const;

/**
 * What tests read from admin API answers. Every field is declared so tests can
 * reach into any answer; each test asserts the fields its endpoint must carry.
 */
export interface ApiBody {
  error: { code: string; message: string };
  data: Array<Record<string, string>>;
  nextCursor: string | null;
  id: string;
  slug: string;
  tenantId: string;
  spEntityId: string;
  acsUrl: string;
  metadataUrl: string;
  loginUrl: string;
  allowIdpInitiated: boolean;
  certificates: Array<{ fingerprint256: string; validTo: string }>;
  domains: Array<{ domain: string; verified: boolean }>;
  linkedElsewhere: number;
}

export interface Harness {
  url: string;
  config: Config;
  services: Services;
  adminToken: string;
  /** Admin API call; returns status and parsed JSON. */
  admin(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: ApiBody }>;
  createTenant(slug: string, jit?: { enabled: boolean; defaultRoles: string[] }): Promise<{ id: string; slug: string }>;
  createSamlConnection(tenantSlug: string, idp: SamlIdp, extra?: Record<string, unknown>): Promise<SamlConnectionInfo>;
  /**
   * Start another worker in this process on the harness's database and task queue, as a restarted one would
   * (no faults). Crash tests kill only workers of their own OS process (test/support/workerProcess.ts); the
   * healthy worker that finishes the run starts here, in a fraction of a process's start-up.
   */
  startWorker(): Promise<{ stop(): Promise<void> }>;
  close(): Promise<void>;
}

export interface SamlConnectionInfo {
  id: string;
  tenantId: string;
  acsUrl: string;
  loginUrl: string;
  metadataUrl: string;
  spEntityId: string;
  metadataXml: string;
}

export const newIdp = (name: string): SamlIdp => createSamlIdp({ entityId: `https://idp.${name}.test/metadata`, ssoUrl: `https://idp.${name}.test/sso` });

/** Start the web app (and, unless told otherwise, a worker) on the shared real servers, in a fresh database and task queue. */
export async function startHarness(
  opts: {
    worker?: boolean;
    taskQueue?: string;
    database?: string;
    publicUrl?: string;
    env?: Record<string, string>;
    /** Another Temporal server than the shared one (a test that restarts its own). */
    temporalAddress?: string;
    /** Another MongoDB-compatible server than the shared one (a test that restarts its own). */
    mongoUri?: string;
    /** Faults the in-process worker injects (src/runs/faultInjection.ts). */
    faults?: Faults;
  } = {},
): Promise<Harness> {
  const stack = inject('stack');
  const mongoUri = opts.mongoUri ?? stack.mongoUri;
  const adminToken = randomBytes(24).toString('base64url');
  const port = await freePort();
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    ONRAMP_PORT: String(port),
    ...(opts.publicUrl ? { ONRAMP_PUBLIC_URL: opts.publicUrl } : {}),
    ...TEST_TEMPORAL_ENV,
    ...opts.env,
    ONRAMP_ADMIN_TOKEN: adminToken,
    MONGODB_URI: mongoUri,
    MONGODB_DATABASE: opts.database ?? `t_${randomBytes(5).toString('hex')}`,
    TEMPORAL_ADDRESS: opts.temporalAddress ?? stack.temporalAddress,
    TEMPORAL_NAMESPACE: stack.namespace,
    TEMPORAL_TASK_QUEUE: opts.taskQueue ?? `onramp-test-${randomBytes(5).toString('hex')}`,
  });
  const base: Omit<ServiceOptions, 'web' | 'worker'> = {
    config,
    logger: createLogger(config.logLevel, 'onramp-test'),
    mongoUri,
    temporal: {
      address: opts.temporalAddress ?? stack.temporalAddress,
      namespace: stack.namespace,
      tls: config.temporal.tls,
      apiKey: undefined,
      dataConverter: temporalDataConverter(config.temporal.encryption),
    },
    workflowBundle: { codePath: stack.workflowBundlePath },
  };
  const services = await createServices({ ...base, web: true, worker: opts.worker ?? true, ...(opts.faults ? { faults: opts.faults } : {}) });
  const url = services.url ?? '';

  const admin: Harness['admin'] = async (method, path, body, token = adminToken) => {
    const res = await fetch(`${url}/api/admin${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as ApiBody };
  };

  return {
    url,
    config,
    services,
    adminToken,
    admin,
    async createTenant(slug, jit = { enabled: true, defaultRoles: ['member'] }) {
      const res = await admin('POST', '/tenants', { slug, name: `Tenant ${slug}`, jit });
      if (res.status !== 201) throw new Error(`createTenant: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    },
    async createSamlConnection(tenantSlug, idp, extra = {}) {
      const res = await admin('POST', `/tenants/${tenantSlug}/connections/saml`, {
        name: `IdP ${idp.entityId}`,
        idpEntityId: idp.entityId,
        ssoUrl: idp.ssoUrl,
        certificates: [idp.certificate],
        ...extra,
      });
      if (res.status !== 201) throw new Error(`createSamlConnection: ${res.status} ${JSON.stringify(res.body)}`);
      const metadataXml = await (await fetch(res.body.metadataUrl)).text();
      return { ...res.body, metadataXml };
    },
    async startWorker() {
      const worker = await createServices({ ...base, web: false, worker: true });
      return { stop: () => worker.close() };
    },
    close: () => services.close(),
  };
}

export interface SignInResult {
  status: number;
  location: string | null;
  cookie: string | null;
  body: string;
}

/** Start an SP-initiated login at onramp, let the IdP answer, post the answer to the ACS — as a browser would. */
export async function samlSignIn(
  conn: SamlConnectionInfo,
  idp: SamlIdp,
  user: IdpUser,
  options: ResponseOptions = {},
): Promise<SignInResult & { SAMLResponse: string }> {
  const login = await fetch(conn.loginUrl, { redirect: 'manual' });
  const location = login.headers.get('location');
  if (login.status !== 302 || !location) throw new Error(`login did not redirect: ${login.status}`);
  const response = await idp.respond(conn.metadataXml, location, user, options);
  const result = await postAcs(response.acsUrl, response.SAMLResponse);
  return { ...result, SAMLResponse: response.SAMLResponse };
}

export async function postAcs(acsUrl: string, SAMLResponse: string): Promise<SignInResult> {
  const res = await fetch(acsUrl, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ SAMLResponse }).toString(),
  });
  const cookie = res.headers.get('set-cookie');
  return { status: res.status, location: res.headers.get('location'), cookie: cookie ? (cookie.split(';')[0] ?? null) : null, body: await res.text() };
}

export const user = (local: string, domain = 'superfantasy.test'): IdpUser => ({
  nameId: `${local}@${domain}`,
  email: `${local}@${domain}`,
  name: local.charAt(0).toUpperCase() + local.slice(1),
});

/**
 * The usual setup of a describe block: a harness, one tenant and its SAML
 * connection to `idp`, closed after the block. `assign` receives them once
 * they exist (in beforeAll).
 */
export function useSamlTenant(
  slug: string,
  idp: SamlIdp,
  assign: (t: { h: Harness; conn: SamlConnectionInfo }) => void,
  opts: { harness?: Parameters<typeof startHarness>[0]; jit?: { enabled: boolean; defaultRoles: string[] }; connection?: Record<string, unknown> } = {},
): void {
  let h: Harness | undefined;
  beforeAll(async () => {
    h = await startHarness(opts.harness);
    await h.createTenant(slug, opts.jit);
    assign({ h, conn: await h.createSamlConnection(slug, idp, opts.connection) });
  });
  afterAll(async () => h?.close());
}

/**
 * Like useSamlTenant for several tenants at once: one harness, a tenant and a
 * SAML connection to the given IdP per slug (in order), closed after the block.
 */
export function useSamlTenants(
  tenants: ReadonlyArray<{ slug: string; idp: SamlIdp }>,
  assign: (h: Harness, conns: SamlConnectionInfo[]) => void,
  opts: { harness?: Parameters<typeof startHarness>[0] } = {},
): void {
  let h: Harness | undefined;
  beforeAll(async () => {
    const harness = await startHarness(opts.harness);
    h = harness;
    for (const t of tenants) await harness.createTenant(t.slug);
    const conns: SamlConnectionInfo[] = [];
    for (const t of tenants) conns.push(await harness.createSamlConnection(t.slug, t.idp));
    assign(harness, conns);
  });
  afterAll(async () => h?.close());
}
