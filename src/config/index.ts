import { createHash, randomBytes } from 'node:crypto';
import { parseRetrySchedule } from '../domain/webhookRetry';
import { parseCodecKeys, type CodecKey } from '../runs/payloadCodec';
import type { OutboundPolicy } from '../webhooks/outbound';
import { envSchema, type Env } from './schema';

export interface Config {
  env: Env['NODE_ENV'];
  /** Which processes `serve` runs: the web app, the worker, or both. */
  role: Env['ONRAMP_ROLE'];
  logLevel: Env['LOG_LEVEL'];
  http: { host: string; port: number; publicUrl: string; secureCookies: boolean };
  /** The metrics port (`/metrics`, `/healthz`, `/readyz` unauthenticated), when set; the worker's SDK metrics address, when set; how long database-read gauges are reused. */
  metrics: { port: number | undefined; host: string; workerAddress: string | undefined; backlogTtlMs: number };
  adminToken: string;
  /** True when the admin token was generated because none was configured (development only). */
  adminTokenGenerated: boolean;
  session: { secret: string; ttlSeconds: number };
  saml: { clockSkewMs: number; maxAssertionAgeMs: number; requestTtlMs: number; metadataRefreshMs: number };
  signInWaitMs: number;
  /** SCIM: requests per second per directory (per instance), and how long a request waits for its write. */
  scim: { ratePerSecond: number; waitMs: number };
  /** Bulk imports: how late a chunk's heartbeat may be before it is retried elsewhere. */
  imports: { heartbeatSeconds: number; chunksPerRun: number };
  /** How often the sweeper deletes expired short-lived documents. */
  sweepIntervalMs: number;
  events: { retentionMs: number; settleMs: number; includeIp: boolean };
  webhooks: { scheduleSeconds: number[]; pollMs: number; lookbackMs: number; settleMs: number; policy: OutboundPolicy };
  mongo: { uri: string | undefined; database: string; embeddedBackend: 'auto' | 'postgresql' | 'sqlite' };
  temporal: {
    address: string | undefined;
    namespace: string;
    taskQueue: string;
    /** Workflow task timeout of sign-in runs, and the worker's sticky-queue schedule-to-start timeout (crash recovery). */
    workflowTaskTimeoutMs: number;
    stickyQueueTimeoutMs: number;
    /** A prebuilt workflow bundle for the worker (faster start); the sources are bundled when unset. */
    workflowBundlePath: string | undefined;
    /** Whether start-up registers missing search attributes or only checks them. */
    searchAttributes: 'register' | 'check';
    tls: { enabled: boolean; certPath: string | undefined; keyPath: string | undefined };
    apiKey: string | undefined;
    cliPath: string | undefined;
    uiUrl: string | undefined;
    /** The payload codec: whether new payloads are sealed, and the keys (the first seals, all open). */
    encryption: { enabled: boolean; keys: CodecKey[]; developmentKey: boolean };
    /** What `OnrampEmail` holds: a keyed hash (HMAC-SHA256 with hashKey) or the address. */
    searchEmail: { mode: 'hash' | 'clear'; hashKey: Buffer };
    /** The Temporal Web UI's origin, allowed (CORS) to call the codec endpoint. */
    uiOrigin: string | undefined;
  };
  paths: { cacheDir: string | undefined; dataDir: string | undefined };
  /** Seals secrets at rest; in development a fixed key when none is set (data kept in .onramp/dev stays readable). */
  encryptionKey: Buffer;
  mail: { smtpUrl: string | undefined; from: string; retryMs: number };
  /** DNS servers for domain verification; null = the system's resolvers. */
  dns: { servers: string[] | null };
}

/** Outside production, without configured keys: a fixed key (never valid in production, where keys are required). */
const DEVELOPMENT_CODEC_KEY: CodecKey = {
  id: 'development',
  key: createHash('sha256').update('onramp development Temporal payload key (never production)').digest(),
};

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`invalid configuration: ${variable} ${message}`);
    this.name = 'ConfigError';
  }
}

interface NamedCheck {
  name: string;
  variable: string;
  check: (env: Env) => string | null;
}

/** Checks that span several variables; each names the variable to fix. */
const checks: NamedCheck[] = [
  {
    name: 'admin token required in production',
    variable: 'ONRAMP_ADMIN_TOKEN',
    check: (e) => (e.NODE_ENV === 'production' && !e.ONRAMP_ADMIN_TOKEN ? 'is required in production' : null),
  },
  {
    name: 'session secret required in production',
    variable: 'ONRAMP_SESSION_SECRET',
    check: (e) => (e.NODE_ENV === 'production' && !e.ONRAMP_SESSION_SECRET ? 'is required in production' : null),
  },
  {
    name: 'public URL required in production',
    variable: 'ONRAMP_PUBLIC_URL',
    check: (e) => (e.NODE_ENV === 'production' && !e.ONRAMP_PUBLIC_URL ? 'is required in production' : null),
  },
  {
    name: 'https outside development',
    variable: 'ONRAMP_PUBLIC_URL',
    check: (e) =>
      e.NODE_ENV === 'production' && e.ONRAMP_PUBLIC_URL?.startsWith('http:') && !e.ONRAMP_ALLOW_INSECURE_HTTP
        ? 'must use https in production (set ONRAMP_ALLOW_INSECURE_HTTP=true to opt out explicitly)'
        : null,
  },
  {
    name: 'encryption key required in production',
    variable: 'ONRAMP_ENCRYPTION_KEY',
    check: (e) => (e.NODE_ENV === 'production' && !e.ONRAMP_ENCRYPTION_KEY ? 'is required in production' : null),
  },
  {
    name: 'SMTP required in production',
    variable: 'ONRAMP_SMTP_URL',
    check: (e) => (e.NODE_ENV === 'production' && !e.ONRAMP_SMTP_URL ? 'is required in production (email sign-in codes are sent by SMTP)' : null),
  },
  {
    name: 'webhook retry schedule',
    variable: 'ONRAMP_WEBHOOK_RETRY_SCHEDULE',
    check: (e) => {
      const parsed = parseRetrySchedule(e.ONRAMP_WEBHOOK_RETRY_SCHEDULE);
      return typeof parsed === 'string' ? parsed : null;
    },
  },
  {
    name: 'MongoDB required in production',
    variable: 'MONGODB_URI',
    check: (e) => (e.NODE_ENV === 'production' && !e.MONGODB_URI ? 'is required in production' : null),
  },
  {
    name: 'Temporal required in production',
    variable: 'TEMPORAL_ADDRESS',
    check: (e) => (e.NODE_ENV === 'production' && !e.TEMPORAL_ADDRESS ? 'is required in production' : null),
  },
  {
    name: 'Temporal payload keys',
    variable: 'ONRAMP_TEMPORAL_ENCRYPTION_KEYS',
    check: (e) => {
      if (e.ONRAMP_TEMPORAL_ENCRYPTION_KEYS) {
        const keys = parseCodecKeys(e.ONRAMP_TEMPORAL_ENCRYPTION_KEYS);
        return typeof keys === 'string' ? keys : null;
      }
      return e.NODE_ENV === 'production' && e.ONRAMP_TEMPORAL_ENCRYPTION === 'on'
        ? 'is required in production while ONRAMP_TEMPORAL_ENCRYPTION=on (personal data in Temporal payloads is sealed with it)'
        : null;
    },
  },
  {
    name: 'search hash key required in production',
    variable: 'ONRAMP_SEARCH_HASH_KEY',
    check: (e) =>
      e.NODE_ENV === 'production' && e.ONRAMP_SEARCH_EMAIL === 'hash' && !e.ONRAMP_SEARCH_HASH_KEY
        ? 'is required in production unless ONRAMP_SEARCH_EMAIL=clear (OnrampEmail holds a keyed hash of the address)'
        : null,
  },
  {
    name: 'TLS client certificate comes with its key',
    variable: 'TEMPORAL_TLS_KEY_PATH',
    check: (e) => (Boolean(e.TEMPORAL_TLS_CERT_PATH) !== Boolean(e.TEMPORAL_TLS_KEY_PATH) ? 'and TEMPORAL_TLS_CERT_PATH must be set together' : null),
  },
];

/**
 * Validate the environment once at start. A bad value throws a ConfigError
 * that names the variable; callers print it and exit.
 */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const raw: Record<string, string> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const value = source[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const parsed = envSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue?.path[0] ?? 'environment');
    throw new ConfigError(variable, issue?.message ?? 'is invalid');
  }
  const e = parsed.data;
  for (const c of checks) {
    const problem = c.check(e);
    if (problem) throw new ConfigError(c.variable, problem);
  }

  const publicUrl = (e.ONRAMP_PUBLIC_URL ?? `http://${e.ONRAMP_HOST}:${e.ONRAMP_PORT}`).replace(/\/+$/, '');
  const adminTokenGenerated = !e.ONRAMP_ADMIN_TOKEN;
  return {
    env: e.NODE_ENV,
    role: e.ONRAMP_ROLE,
    logLevel: e.LOG_LEVEL,
    http: {
      host: e.ONRAMP_HOST,
      port: e.ONRAMP_PORT,
      publicUrl,
      secureCookies: publicUrl.startsWith('https:'),
    },
    metrics: {
      port: e.ONRAMP_METRICS_PORT,
      host: e.ONRAMP_METRICS_HOST ?? e.ONRAMP_HOST,
      workerAddress: e.ONRAMP_WORKER_METRICS_ADDRESS,
      backlogTtlMs: e.ONRAMP_METRICS_BACKLOG_TTL_MS,
    },
    adminToken: e.ONRAMP_ADMIN_TOKEN ?? randomBytes(32).toString('base64url'),
    adminTokenGenerated,
    session: { secret: e.ONRAMP_SESSION_SECRET ?? randomBytes(32).toString('base64url'), ttlSeconds: e.ONRAMP_SESSION_TTL_SECONDS },
    saml: {
      clockSkewMs: e.ONRAMP_SAML_CLOCK_SKEW_MS,
      maxAssertionAgeMs: e.ONRAMP_SAML_MAX_ASSERTION_AGE_MS,
      requestTtlMs: e.ONRAMP_SAML_REQUEST_TTL_MS,
      metadataRefreshMs: e.ONRAMP_SAML_METADATA_REFRESH_MS,
    },
    signInWaitMs: e.ONRAMP_SIGNIN_WAIT_MS,
    scim: { ratePerSecond: e.ONRAMP_SCIM_RATE_PER_SECOND, waitMs: e.ONRAMP_SCIM_WAIT_MS },
    imports: { heartbeatSeconds: e.ONRAMP_IMPORT_HEARTBEAT_SECONDS, chunksPerRun: e.ONRAMP_IMPORT_CHUNKS_PER_RUN },
    sweepIntervalMs: e.ONRAMP_SWEEP_INTERVAL_MS,
    events: { retentionMs: e.ONRAMP_EVENTS_RETENTION_DAYS * 86_400_000, settleMs: e.ONRAMP_EVENTS_SETTLE_MS, includeIp: e.ONRAMP_EVENTS_INCLUDE_IP },
    webhooks: {
      scheduleSeconds: parseRetrySchedule(e.ONRAMP_WEBHOOK_RETRY_SCHEDULE) as number[],
      pollMs: e.ONRAMP_WEBHOOK_POLL_MS,
      lookbackMs: e.ONRAMP_WEBHOOK_LOOKBACK_MS,
      settleMs: e.ONRAMP_WEBHOOK_SETTLE_MS,
      // Outside production, receivers on this machine or the LAN are the common case; in production they are an opt-in.
      policy: {
        allowHttp: e.ONRAMP_WEBHOOK_ALLOW_HTTP ?? e.NODE_ENV !== 'production',
        allowPrivateAddresses: e.ONRAMP_WEBHOOK_ALLOW_PRIVATE_ADDRESSES ?? e.NODE_ENV !== 'production',
        timeoutMs: e.ONRAMP_WEBHOOK_TIMEOUT_MS,
        maxResponseBytes: 64 * 1024,
        ...(e.ONRAMP_DNS_SERVERS ? { dnsServers: e.ONRAMP_DNS_SERVERS.split(',') } : {}),
      },
    },
    mongo: { uri: e.MONGODB_URI, database: e.MONGODB_DATABASE, embeddedBackend: e.ONRAMP_EMBEDDED_BACKEND },
    temporal: {
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      searchAttributes: e.ONRAMP_TEMPORAL_SEARCH_ATTRIBUTES,
      workflowBundlePath: e.ONRAMP_WORKFLOW_BUNDLE_PATH,
      workflowTaskTimeoutMs: e.ONRAMP_WORKFLOW_TASK_TIMEOUT_MS,
      stickyQueueTimeoutMs: e.ONRAMP_STICKY_QUEUE_TIMEOUT_MS,
      tls: { enabled: e.TEMPORAL_TLS || Boolean(e.TEMPORAL_TLS_CERT_PATH), certPath: e.TEMPORAL_TLS_CERT_PATH, keyPath: e.TEMPORAL_TLS_KEY_PATH },
      apiKey: e.TEMPORAL_API_KEY,
      cliPath: e.TEMPORAL_CLI_PATH,
      uiUrl: e.TEMPORAL_UI_URL,
      encryption: {
        enabled: e.ONRAMP_TEMPORAL_ENCRYPTION === 'on',
        keys: e.ONRAMP_TEMPORAL_ENCRYPTION_KEYS
          ? (parseCodecKeys(e.ONRAMP_TEMPORAL_ENCRYPTION_KEYS) as CodecKey[])
          : e.NODE_ENV === 'production'
            ? []
            : [DEVELOPMENT_CODEC_KEY],
        developmentKey: !e.ONRAMP_TEMPORAL_ENCRYPTION_KEYS && e.NODE_ENV !== 'production',
      },
      searchEmail: {
        mode: e.ONRAMP_SEARCH_EMAIL,
        hashKey: e.ONRAMP_SEARCH_HASH_KEY
          ? Buffer.from(e.ONRAMP_SEARCH_HASH_KEY, 'base64')
          : createHash('sha256').update('onramp development search hash key (never production)').digest(),
      },
      uiOrigin: e.ONRAMP_TEMPORAL_UI_ORIGIN?.replace(/\/+$/, ''),
    },
    paths: { cacheDir: e.ONRAMP_CACHE_DIR, dataDir: e.ONRAMP_DATA_DIR },
    dns: { servers: e.ONRAMP_DNS_SERVERS ? e.ONRAMP_DNS_SERVERS.split(',') : null },
    encryptionKey: e.ONRAMP_ENCRYPTION_KEY
      ? Buffer.from(e.ONRAMP_ENCRYPTION_KEY, 'base64')
      : createHash('sha256').update('onramp development encryption key (never production)').digest(),
    mail: { smtpUrl: e.ONRAMP_SMTP_URL, from: e.ONRAMP_MAIL_FROM, retryMs: e.ONRAMP_OUTBOX_RETRY_MS },
  };
}
