/**
 * The one error style of onramp (after openid-client / oidc-provider):
 * every error the product raises on purpose carries a stable `code`, an HTTP
 * `status`, and `expose` telling whether its message may be shown to callers.
 */
export class OnrampError extends Error {
  readonly code: string;
  readonly status: number;
  readonly expose: boolean;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: string,
    message: string,
    options: { status?: number; expose?: boolean; details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'OnrampError';
    this.code = code;
    this.status = options.status ?? 400;
    this.expose = options.expose ?? this.status < 500;
    this.details = options.details;
  }
}

export const validationError = (field: string, message: string): OnrampError =>
  new OnrampError('validation_failed', `${field}: ${message}`, { status: 400, details: { field } });

export const notFound = (what: string): OnrampError =>
  new OnrampError('not_found', `${what} not found`, { status: 404 });

export const unauthorized = (message = 'authentication required'): OnrampError =>
  new OnrampError('unauthorized', message, { status: 401 });

export const forbidden = (message: string): OnrampError => new OnrampError('forbidden', message, { status: 403 });

export const conflict = (code: string, message: string): OnrampError =>
  new OnrampError(code, message, { status: 409 });

/** Narrow an unknown thrown value to the MongoDB duplicate-key error. */
export function isDuplicateKeyError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && (err as { code: unknown }).code === 11000;
}
