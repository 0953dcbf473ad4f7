import type { Request } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { SignInDecision } from '../domain/decision';
import { outcomeOfStatus, reasonLabel, signInProtocolOf, type SignInProtocol } from './labels';

/**
 * onramp's metrics, defined once, for the whole process (`/metrics` on the
 * web app, and the metrics port when configured). Each outcome is counted
 * where it is decided: sign-ins in http/signInAnswer.ts, http/signInFailure.ts
 * and http/invitationAnswer.ts; SCIM requests in the SCIM router; imports,
 * invitations and webhook attempts in their library or activity; database and
 * Temporal client errors at their connections. Backlog gauges are read at
 * scrape time from sources the wiring sets (bounded counts, cached briefly).
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry });

export const CONTENT_TYPE = registry.contentType;

const signIns = new Counter({
  name: 'onramp_signins_total',
  help: 'Sign-ins answered, by protocol, outcome (success, pending, denied, failed, rejected, unavailable, error) and reason code.',
  labelNames: ['protocol', 'outcome', 'reason'] as const,
  registers: [registry],
});

const signInSeconds = new Histogram({
  name: 'onramp_signin_duration_seconds',
  help: 'Time from the sign-in request (ACS post, OIDC callback, code) to its answer, by protocol and outcome.',
  labelNames: ['protocol', 'outcome'] as const,
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
  registers: [registry],
});

const scimRequests = new Counter({
  name: 'onramp_scim_requests_total',
  help: 'SCIM requests answered, by directory (unauthenticated ones: "unauthenticated"), resource, method and outcome.',
  labelNames: ['directory', 'resource', 'method', 'outcome'] as const,
  registers: [registry],
});

const imports = new Counter({
  name: 'onramp_imports_total',
  help: 'Bulk imports by event: received (a file accepted and its run started), completed, failed.',
  labelNames: ['event'] as const,
  registers: [registry],
});

const importRows = new Counter({
  name: 'onramp_import_rows_total',
  help: 'Import rows provisioned, by outcome (counted when the import completes).',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

const invitations = new Counter({
  name: 'onramp_invitations_total',
  help: 'Invitations by event: created, resent, revoked, accepted, refused (an acceptance refused).',
  labelNames: ['event'] as const,
  registers: [registry],
});

const webhookAttempts = new Counter({
  name: 'onramp_webhook_attempts_total',
  help: 'Webhook delivery attempts, by outcome: delivered, failed (the receiver failed; retried on schedule), refused (the target is not allowed).',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

const dbErrors = new Counter({
  name: 'onramp_db_errors_total',
  help: 'Database client errors, by kind: unavailable (a command failed on the connection or server), command (a command refused), heartbeat, checkout.',
  labelNames: ['kind'] as const,
  registers: [registry],
});

const temporalErrors = new Counter({
  name: 'onramp_temporal_client_errors_total',
  help: 'Temporal client calls that ended in an error (after the client retried), by gRPC method and status code.',
  labelNames: ['method', 'code'] as const,
  registers: [registry],
});

/** The gauges read from the database: each a bounded count (at most BACKLOG_CAP). */
export interface Backlogs {
  approvalsPending: number;
  webhookBacklog: number;
  outboxBacklog: number;
  /** Each enabled SAML connection's soonest-expiring IdP signing certificate (ms since the epoch), by tenant and connection id. */
  samlCertificateExpiries: Array<{ tenant: string; connection: string; notAfterMs: number }>;
}
/** The most a backlog gauge counts (a bigger backlog reads as this). */
export const BACKLOG_CAP = 10_000;
const BACKLOG_TIMEOUT_MS = 3_000;

let backlogSource: (() => Promise<Backlogs>) | null = null;
let backlogTtlMs = 10_000;
let lastBacklogs: { at: number; value: Backlogs } | null = null;
let readingBacklogs: Promise<Backlogs | null> | null = null;

const backlogSourceErrors = new Counter({
  name: 'onramp_metrics_source_errors_total',
  help: 'Backlog gauges that could not be read at a scrape (the last value is kept).',
  registers: [registry],
});

/** Read the backlogs at most every `backlogTtlMs` (10 s by default), one read at a time, within 3 s; a failed read keeps the last value. */
async function backlogs(): Promise<Backlogs | null> {
  if (!backlogSource) return null;
  if (lastBacklogs && Date.now() - lastBacklogs.at < backlogTtlMs) return lastBacklogs.value;
  const source = backlogSource;
  readingBacklogs ??= (async () => {
    let timer: NodeJS.Timeout | undefined;
    try {
      const value = await Promise.race([
        source(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('backlog read timed out')), BACKLOG_TIMEOUT_MS);
        }),
      ]);
      lastBacklogs = { at: Date.now(), value };
      return value;
    } catch {
      backlogSourceErrors.inc();
      return lastBacklogs?.value ?? null;
    } finally {
      clearTimeout(timer);
      readingBacklogs = null;
    }
  })();
  return readingBacklogs;
}

const backlogGauge = (name: string, help: string, pick: (b: Backlogs) => number) =>
  new Gauge({
    name,
    help,
    registers: [registry],
    async collect() {
      const b = await backlogs();
      if (b) this.set(pick(b));
    },
  });
backlogGauge('onramp_approvals_pending', `Approval requests waiting for a decision (counted up to ${BACKLOG_CAP}).`, (b) => b.approvalsPending);
backlogGauge(
  'onramp_webhook_backlog',
  `Events enabled webhook endpoints have not yet delivered, summed over endpoints (each counted up to ${BACKLOG_CAP}; type filters not applied).`,
  (b) => b.webhookBacklog,
);
backlogGauge('onramp_outbox_backlog', `Mail waiting in the outbox (counted up to ${BACKLOG_CAP}).`, (b) => b.outboxBacklog);

new Gauge({
  name: 'onramp_saml_certificate_expiry_seconds',
  help: 'Seconds until the soonest-expiring IdP signing certificate of each enabled SAML connection expires (negative: expired), by tenant id and connection id. Alert below 30 days (2592000).',
  labelNames: ['tenant', 'connection'] as const,
  registers: [registry],
  async collect() {
    const b = await backlogs();
    if (!b) return;
    this.reset();
    const now = Date.now();
    for (const c of b.samlCertificateExpiries) this.set({ tenant: c.tenant, connection: c.connection }, Math.round((c.notAfterMs - now) / 1000));
  },
});

/** Where the backlog gauges are read from, and how long a read is reused (the wiring sets it; a returned function unsets it). */
export function setBacklogSource(source: () => Promise<Backlogs>, ttlMs = 10_000): () => void {
  backlogSource = source;
  backlogTtlMs = ttlMs;
  lastBacklogs = null;
  return () => {
    if (backlogSource === source) backlogSource = null;
  };
}

/** The exposition text of every metric. */
export const metricsText = (): Promise<string> => registry.metrics();

const started = new WeakMap<Request, bigint>();
/** Note when a request arrived (the sign-in histogram measures from here). */
export const markStart = (req: Request): void => void started.set(req, process.hrtime.bigint());

export type SignInOutcome = 'success' | 'pending' | 'denied' | 'failed' | 'rejected' | 'unavailable' | 'error';

/** One answered sign-in: counted once, its latency observed (protocol from the request's path). */
export function countSignIn(req: Request, outcome: SignInOutcome, reason: string | null | undefined): void {
  const protocol: SignInProtocol = signInProtocolOf(req.path);
  signIns.inc({ protocol, outcome, reason: reasonLabel(reason) });
  const t0 = started.get(req);
  if (t0 !== undefined) signInSeconds.observe({ protocol, outcome }, Number(process.hrtime.bigint() - t0) / 1e9);
}

/** A decided sign-in as the browser is answered: success (reason: how the identity reached its account), pending, denied or failed. */
export const countSignInDecision = (req: Request, d: SignInDecision): void =>
  countSignIn(req, d.status === 'active' ? 'success' : d.status, d.status === 'active' ? d.via : d.reason);

/** A sign-in that ended in an error: rejected (its code), unavailable (the infrastructure), internal (a defect). */
export const countSignInFailure = (req: Request, kind: 'rejected' | 'unavailable' | 'internal', code: string | null): void =>
  countSignIn(req, kind === 'internal' ? 'error' : kind, kind === 'internal' ? 'internal' : code);

/** An invitation's acceptance answered: a sign-in (success with reason `invitation`, or denied with the refusal) and the invitation's event. */
export function countAcceptance(req: Request, refusal: string | null): void {
  countSignIn(req, refusal === null ? 'success' : 'denied', refusal ?? 'invitation');
  countInvitation(refusal === null ? 'accepted' : 'refused');
}

/** One answered SCIM request. */
export const countScim = (directory: string, resource: string, method: string, status: number): void =>
  void scimRequests.inc({ directory, resource, method, outcome: outcomeOfStatus(status) });

export const countImport = (event: 'received' | 'completed' | 'failed'): void => void imports.inc({ event });
export const countImportRows = (counts: Record<string, number>): void => {
  for (const [outcome, n] of Object.entries(counts)) if (n > 0) importRows.inc({ outcome: reasonLabel(outcome) }, n);
};
export const countInvitation = (event: 'created' | 'resent' | 'revoked' | 'accepted' | 'refused'): void => void invitations.inc({ event });
export const countWebhookAttempt = (outcome: string): void => void webhookAttempts.inc({ outcome: reasonLabel(outcome) });
export const countDbError = (kind: 'unavailable' | 'command' | 'heartbeat' | 'checkout'): void => void dbErrors.inc({ kind });
export const countTemporalError = (method: string, code: string): void => void temporalErrors.inc({ method, code });
