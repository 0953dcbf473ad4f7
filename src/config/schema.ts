import { z } from 'zod';
import { DEFAULT_RETRY_SCHEDULE_SECONDS } from '../domain/webhookRetry';

const boolFromEnv = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');

const positiveInt = (def: number, max: number) => z.coerce.number().int().positive().max(max).default(def);

/**
 * Every environment variable onramp reads, with its default. The same schema
 * validates the web app, the worker, the CLI and docker-compose.yml's
 * service environments (see test/unit/docker-compose.test.ts).
 */
export const envSchema = z.object({
  /** `production` turns on the production checks (required secrets, https, sealed Temporal payloads); `development` generates what is missing. */
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  /** pino log level. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  /** Which processes `npm start` runs: the web app, the worker, or both. */
  ONRAMP_ROLE: z.enum(['all', 'web', 'worker']).default('all'),
  /** Listen address of the web app. */
  ONRAMP_HOST: z.string().min(1).default('127.0.0.1'),
  /** Listen port of the web app. */
  ONRAMP_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** The externally visible base URL (default `http://HOST:PORT`), identical on every instance; SP entity IDs and ACS URLs derive from it. */
  ONRAMP_PUBLIC_URL: z.url().optional(),
  /** Bearer token of the operator (admin API, CLI, codec endpoint); generated in development, required in production. */
  ONRAMP_ADMIN_TOKEN: z.string().min(32, 'must be at least 32 characters').optional(),
  /** Signs session cookies; generated in development, required in production. */
  ONRAMP_SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** 32 random bytes (base64) sealing secrets at rest, e.g. OIDC client secrets and SP signing keys (src/crypto/secretBox.ts): `openssl rand -base64 32`; outside production a fixed development key when unset. */
  ONRAMP_ENCRYPTION_KEY: z
    .string()
    .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 random bytes, base64-encoded (openssl rand -base64 32)')
    .optional(),
  /** How long a signed-in session lasts. */
  ONRAMP_SESSION_TTL_SECONDS: positiveInt(8 * 3600, 30 * 24 * 3600),
  /** Explicit opt-in for plain-HTTP public URLs and non-Secure cookies outside development. */
  ONRAMP_ALLOW_INSECURE_HTTP: boolFromEnv.default(false),

  /**
   * A port of its own serving `/metrics` (Prometheus), `/healthz` and `/readyz` without authentication, for a scraper
   * and health checks on a private network; off when unset (the web app serves `/metrics` to the admin token either way).
   * A worker-only process serves its metrics only here.
   */
  ONRAMP_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** Listen address of the metrics port (default: ONRAMP_HOST); keep it off the public network. */
  ONRAMP_METRICS_HOST: z.string().min(1).optional(),
  /**
   * How long a scrape reuses the gauges read from the database (pending approvals, webhook and outbox backlogs, SAML
   * certificate expiry) before reading them again.
   */
  ONRAMP_METRICS_BACKLOG_TTL_MS: z.coerce.number().int().min(0).max(300_000).default(10_000),
  /** host:port where the worker's Temporal SDK metrics (Prometheus) are served, e.g. `0.0.0.0:9465`; off when unset. */
  ONRAMP_WORKER_METRICS_ADDRESS: z
    .string()
    .regex(/^[^\s:]+:\d{1,5}$/, 'must be host:port')
    .optional(),

  /** How long a login waits for its provisioning decision before answering "try again" (503). */
  ONRAMP_SIGNIN_WAIT_MS: z.coerce.number().int().min(1_000).max(120_000).default(30_000),

  /** How often mail that could not be sent is tried again. */
  ONRAMP_OUTBOX_RETRY_MS: z.coerce.number().int().min(100).max(3_600_000).default(5_000),
  /** SCIM requests a directory may make per second (per onramp instance; a burst of twice as many is allowed; beyond it 429 with `Retry-After`). */
  ONRAMP_SCIM_RATE_PER_SECOND: z.coerce.number().int().min(1).max(100_000).default(100),
  /** How long a SCIM write waits for its run before answering 503 (the write still completes). */
  ONRAMP_SCIM_WAIT_MS: z.coerce.number().int().min(1_000).max(120_000).default(30_000),
  /** How late an import chunk's heartbeat may be before another worker takes the chunk over (a killed worker's). */
  ONRAMP_IMPORT_HEARTBEAT_SECONDS: z.coerce.number().int().min(2).max(600).default(30),
  /** Chunks (of 100 rows) one import run provisions before it continues as new (bounds its history). */
  ONRAMP_IMPORT_CHUNKS_PER_RUN: z.coerce.number().int().min(1).max(1_000).default(100),

  /** Events (and webhook attempts): kept this many days for the events API and replays, then swept (events by whole UTC days: up to a day longer). */
  ONRAMP_EVENTS_RETENTION_DAYS: z.coerce.number().int().min(1).max(3_650).default(30),
  /** The events API answers events at least this old, so a cursor never passes a write still finishing. */
  ONRAMP_EVENTS_SETTLE_MS: z.coerce.number().int().min(0).max(60_000).default(2_000),
  /** Whether events sent to the host app (events API, webhooks) carry the end user's IP address (`data.ip`). Off: the IP stays in the audit log only. */
  ONRAMP_EVENTS_INCLUDE_IP: boolFromEnv.default(false),
  /** Webhook retries: seconds before each attempt, comma-separated, the first 0 (Svix's schedule, about 27.5 hours). */
  ONRAMP_WEBHOOK_RETRY_SCHEDULE: z.string().default(DEFAULT_RETRY_SCHEDULE_SECONDS.join(',')),
  /** How often an idle delivery run looks for events nobody woke it for. */
  ONRAMP_WEBHOOK_POLL_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
  /** How far behind its position a delivery run re-reads for writes that finished out of order. */
  ONRAMP_WEBHOOK_LOOKBACK_MS: z.coerce.number().int().min(0).max(600_000).default(5_000),
  /** Live webhook delivery sends events at least this old, so a receiver gets them in ID order (an ID is taken just before its write). */
  ONRAMP_WEBHOOK_SETTLE_MS: z.coerce.number().int().min(0).max(60_000).default(1_000),
  /** One webhook request's limit (connect, TLS, answer). */
  ONRAMP_WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  /** Webhook URLs may be http:// (default: only outside production). */
  ONRAMP_WEBHOOK_ALLOW_HTTP: boolFromEnv.optional(),
  /** Webhook URLs may reach loopback, private, link-local and other non-public addresses (default: only outside production). */
  ONRAMP_WEBHOOK_ALLOW_PRIVATE_ADDRESSES: boolFromEnv.optional(),

  /** How often expired sessions, SAML/OIDC state, codes and rate-limit slots are deleted. */
  ONRAMP_SWEEP_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),

  /** Clock skew tolerated on SAML assertion times. */
  ONRAMP_SAML_CLOCK_SKEW_MS: z.coerce.number().int().min(0).max(300_000).default(60_000),
  /** How old a SAML assertion may be when it arrives. */
  ONRAMP_SAML_MAX_ASSERTION_AGE_MS: z.coerce.number().int().min(10_000).max(3_600_000).default(300_000),
  /** How long an AuthnRequest ID stays valid for its response. */
  ONRAMP_SAML_REQUEST_TTL_MS: z.coerce.number().int().min(10_000).max(3_600_000).default(600_000),
  /**
   * How often SAML connections set up from a metadata URL fetch it again (new SSO URL, rolled-over signing
   * certificates); 0 = only when an admin asks. Fetched under the webhook client's SSRF rules and timeout.
   */
  ONRAMP_SAML_METADATA_REFRESH_MS: z.coerce.number().int().min(0).max(604_800_000).default(86_400_000),

  /** The MongoDB (or FerretDB) server; `npm run dev` starts an embedded FerretDB when unset. */
  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// or mongodb+srv:// URI')
    .optional(),
  /** Database name. */
  MONGODB_DATABASE: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,63}$/, 'letters, digits, _ and - only')
    .default('onramp'),
  /**
   * Backend of the embedded FerretDB started when MONGODB_URI is unset (dev, tests, bench): `postgresql` runs a private
   * PostgreSQL cluster from the installed server binaries (initdb, postgres), `sqlite` uses SQLite files, `auto` (default)
   * takes PostgreSQL when installed and falls back to SQLite, saying so once.
   */
  ONRAMP_EMBEDDED_BACKEND: z.enum(['auto', 'postgresql', 'sqlite']).default('auto'),

  /** The Temporal frontend (host:port); `npm run dev` starts the Temporal dev server when unset. */
  TEMPORAL_ADDRESS: z
    .string()
    .regex(/^[^\s:]+:\d{1,5}$/, 'must be host:port')
    .optional(),
  /** Temporal namespace of every run. */
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  /** Task queue the worker polls and runs are started on. */
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('onramp-provisioning'),
  /**
   * How long a workflow task may run on a worker before Temporal gives it to
   * another (Temporal's default is 10 s): after a worker crash, sign-ins in
   * flight wait about this long. Long local-activity steps heartbeat the task.
   */
  ONRAMP_WORKFLOW_TASK_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(60_000).default(4_000),
  /** How long a run's next task waits for the worker that cached it before any worker may take it (SDK default 10 s). */
  ONRAMP_STICKY_QUEUE_TIMEOUT_MS: z.coerce.number().int().min(500).max(60_000).default(2_000),
  /** `register` missing search attributes at start (default), or only `check` and fail naming them (e.g. Temporal Cloud). */
  ONRAMP_TEMPORAL_SEARCH_ATTRIBUTES: z.enum(['register', 'check']).default('register'),
  /**
   * Workflow and activity payloads (and failure messages) are sealed with AES-256-GCM before they reach
   * Temporal (`on`, the default), or written in clear (`off`; payloads sealed earlier still open while their keys are listed).
   */
  ONRAMP_TEMPORAL_ENCRYPTION: z.enum(['on', 'off']).default('on'),
  /**
   * Keys of the payload codec, `id:base64key,id2:base64key` (32 random bytes each: openssl rand -base64 32). The first
   * seals new payloads; every listed key opens old ones (rotation: put the new key first, drop an old one once no
   * history needs it). Required in production when encryption is on; outside production a fixed development key is used (`npm run dev` keeps a key of its own in its data directory).
   */
  ONRAMP_TEMPORAL_ENCRYPTION_KEYS: z.string().min(1).optional(),
  /** What the `OnrampEmail` search attribute holds: a keyed hash of the address (`hash`, default) or the address itself (`clear`). */
  ONRAMP_SEARCH_EMAIL: z.enum(['hash', 'clear']).default('hash'),
  /** 32 random bytes (base64) keying the `OnrampEmail` hash (HMAC-SHA256); required in production unless ONRAMP_SEARCH_EMAIL=clear, a development key outside production. */
  ONRAMP_SEARCH_HASH_KEY: z
    .string()
    .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 random bytes, base64-encoded (openssl rand -base64 32)')
    .optional(),
  /** The Temporal Web UI's origin (scheme://host[:port]), the one origin allowed to call the codec endpoint from a browser. */
  ONRAMP_TEMPORAL_UI_ORIGIN: z
    .url()
    .refine((v) => new URL(v).origin === v.replace(/\/+$/, ''), 'must be an origin: scheme://host[:port], no path')
    .optional(),
  /** Connect to Temporal over TLS (Temporal Cloud, mTLS). */
  TEMPORAL_TLS: boolFromEnv.default(false),
  /** Client certificate for mTLS to Temporal. */
  TEMPORAL_TLS_CERT_PATH: z.string().optional(),
  /** Client key for mTLS to Temporal. */
  TEMPORAL_TLS_KEY_PATH: z.string().optional(),
  /** API key for Temporal Cloud. */
  TEMPORAL_API_KEY: z.string().optional(),
  /** Another `temporal` binary instead of the one built into the cache. */
  TEMPORAL_CLI_PATH: z.string().optional(),
  /** The Temporal Web UI address printed and linked to (the dev stack knows its own). */
  TEMPORAL_UI_URL: z.url().optional(),

  /** A prebuilt workflow bundle (from bundleWorkflowCode) for the worker, instead of bundling the sources at start; `npm run build`'s entry points default to the `workflow-bundle.js` beside them. */
  ONRAMP_WORKFLOW_BUNDLE_PATH: z.string().min(1).optional(),

  /** How email sign-in codes are sent: SMTP in real use; `log` (printed, viewable at /dev/outbox) in development. */
  ONRAMP_SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
    .optional(),
  /** Sender of onramp's mail. */
  ONRAMP_MAIL_FROM: z.string().min(3).default('onramp <no-reply@onramp.invalid>'),

  /** DNS servers for domain verification (host or host:port, comma-separated); the system's when unset. */
  ONRAMP_DNS_SERVERS: z
    .string()
    .regex(/^[A-Za-z0-9.:[\]-]+(,[A-Za-z0-9.:[\]-]+)*$/, 'must be a comma-separated list of host or host:port')
    .optional(),

  /** Where the Go-built servers live (default `~/.cache/onramp`). */
  ONRAMP_CACHE_DIR: z.string().optional(),
  /** Development data: FerretDB files, Temporal SQLite, logs, demo IdP keys (default `.onramp/dev`). */
  ONRAMP_DATA_DIR: z.string().optional(),
});

export type Env = z.infer<typeof envSchema>;
