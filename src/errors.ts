import { adminRefusalMessage, REFUSALS, refusalMessage, type Refusal } from './domain/refusals';
import { ERROR_CODES, isErrorCode } from './errorCodes';

/**
 * The one error style of onramp (after openid-client / oidc-provider):
 * every error the product raises on purpose carries a stable `code` (listed,
 * with its status, in errorCodes.ts), an HTTP `status`, and `expose` telling
 * whether its message may be shown to callers.
 */
export class OnrampError extends Error {
  readonly code: string;
  readonly status: number;
  readonly expose: boolean;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: string, message: string, options: { status?: number; expose?: boolean; details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'OnrampError';
    this.code = code;
    const catalogued = isErrorCode(code) ? ERROR_CODES[code] : null;
    this.status = options.status ?? catalogued?.status ?? 400;
    this.expose = options.expose ?? (catalogued && this.status === catalogued.status ? catalogued.expose : this.status < 500);
    this.details = options.details;
  }
}

export const validationError = (field: string, message: string): OnrampError =>
  new OnrampError('validation_failed', `${field}: ${message}`, { status: 400, details: { field } });

export const notFound = (what: string): OnrampError => new OnrampError('not_found', `${what} not found`, { status: 404 });

export const unauthorized = (message = 'authentication required'): OnrampError => new OnrampError('unauthorized', message, { status: 401 });

export const forbidden = (message: string): OnrampError => new OnrampError('forbidden', message, { status: 403 });

export const conflict = (code: string, message: string): OnrampError => new OnrampError(code, message, { status: 409 });

/** A refusal of the core (src/domain/refusals.ts) as the person's error: its one code, status and words. */
export const personRefusal = (reason: Refusal): OnrampError => new OnrampError(reason, refusalMessage(reason));

/** A refusal of the core (src/domain/refusals.ts) as an admin caller's error: its one code, status and words. */
export const refusalError = (reason: Refusal, detail?: string | null): OnrampError =>
  new OnrampError(REFUSALS[reason].apiCode ?? reason, adminRefusalMessage(reason, detail));

/** Narrow an unknown thrown value to the MongoDB duplicate-key error. */
export function isDuplicateKeyError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && (err as { code: unknown }).code === 11000;
}

/** Error names of the MongoDB driver and mongoose that mean "the database could not be reached or answer", not "no". */
const DB_UNAVAILABLE = new Set([
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoServerSelectionError',
  'MongooseServerSelectionError',
  'MongoNotConnectedError',
  'MongoPoolClearedError',
  'MongoTopologyClosedError',
  'MongoServerClosedError',
  'MongoOperationTimeoutError',
]);
/** gRPC status codes a Temporal call fails with when the cluster is unreachable or overloaded. */
const GRPC_UNAVAILABLE = new Set([4 /* DEADLINE_EXCEEDED */, 8 /* RESOURCE_EXHAUSTED */, 14 /* UNAVAILABLE */]);
const NET_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
/** Server answers that mean "busy, try again" (FerretDB's SQLite backend: "database is locked"). */
const BUSY_MESSAGE = /database is locked|SQLITE_BUSY|connection .* closed|connection pool .* cleared|server selection timed out/i;

/** Whether a name is one the MongoDB driver or mongoose gives its errors (MongoServerError, MongooseError…). */
const isDatabaseErrorName = (name: string): boolean => /^Mongo(ose)?[A-Z]?\w*Error$/.test(name);

/**
 * Whether an error is the infrastructure failing (database, Temporal, the
 * network) rather than a decision or bad input: such errors are retried or
 * answered 503 "try again", never reported as the user's fault. Walks the
 * `cause` chain (Temporal and mongoose wrap the original error).
 *
 * Only real `Error` objects count, and message patterns only on the
 * database's own errors: a SAML response or an OIDC provider's JSON body can
 * carry any text ("SQLITE_BUSY") or shape ({ code: 'ECONNRESET' }), and must
 * not turn a rejection into "try again".
 */
export function isInfrastructureError(err: unknown, depth = 0): boolean {
  if (depth > 5 || !(err instanceof Error)) return false;
  if (err instanceof OnrampError) return err.status === 503;
  const e = err as Error & { code?: unknown; errorLabels?: unknown };
  if (DB_UNAVAILABLE.has(e.name)) return true;
  const fromDatabase = isDatabaseErrorName(e.name);
  if (fromDatabase && Array.isArray(e.errorLabels) && e.errorLabels.some((l) => l === 'RetryableWriteError' || l === 'ResetPool')) return true;
  if (typeof e.code === 'string' && NET_CODES.has(e.code)) return true;
  if (typeof e.code === 'number' && GRPC_UNAVAILABLE.has(e.code) && (e.name === 'ServiceError' || 'details' in e || 'metadata' in e)) return true;
  if (e.name === 'TransportError') return true;
  if (fromDatabase && BUSY_MESSAGE.test(e.message)) return true;
  return isInfrastructureError(e.cause, depth + 1);
}

/** Seconds a client is asked to wait before trying again after an infrastructure failure. */
export const RETRY_AFTER_SECONDS = 5;

/** The one answer to an infrastructure failure: 503, retryable, its message shown (it names nothing internal). */
export const serviceUnavailable = (cause: unknown): OnrampError =>
  new OnrampError('service_unavailable', 'The service is briefly unavailable. Please try again in a few seconds.', {
    status: 503,
    expose: true,
    cause,
    details: { retryAfterSeconds: RETRY_AFTER_SECONDS },
  });

/**
 * Run a short write again when the infrastructure failed (a few times, with
 * a small growing pause); any other error, or the last failure, is thrown.
 */
export async function retryTransient<T>(work: () => Promise<T>, attempts = 4, firstDelayMs = 50): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await work();
    } catch (err) {
      if (i >= attempts || !isInfrastructureError(err)) throw err;
      await new Promise((r) => setTimeout(r, firstDelayMs * 2 ** (i - 1)));
    }
  }
}
