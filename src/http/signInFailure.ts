import type { Request } from 'express';
import { recordAction } from '../store/audit';
import type { Models } from '../store/models';
import { isInfrastructureError, OnrampError, serviceUnavailable } from '../errors';
import type { Logger } from '../logger';
import { countSignInFailure } from '../metrics/registry';

/**
 * What went wrong with a sign-in, the same way for every protocol:
 * - `unavailable`: the database, Temporal or the network failed — a 503 "try
 *   again" (Retry-After), logged as an error, never audited as the user's
 *   rejection, and the protocol's one-time state is given back where it can be;
 * - `rejected`: the input was refused (4xx) — audited as `signin.rejected`;
 * - `internal`: a defect — 500, logged.
 */
export type SignInFailure = { kind: 'unavailable'; error: OnrampError } | { kind: 'rejected'; error: OnrampError } | { kind: 'internal'; error: unknown };

export function classifySignInFailure(err: unknown): SignInFailure {
  if (err instanceof OnrampError && err.status < 500) return { kind: 'rejected', error: err };
  if (isInfrastructureError(err)) return { kind: 'unavailable', error: err instanceof OnrampError ? err : serviceUnavailable(err) };
  return { kind: 'internal', error: err };
}

export interface RejectionTarget {
  tenantId: string | null;
  /** The connection that sent the refused input (the audit's actor and target), or null (email sign-in: the address). */
  connectionId: string | null;
  /** `saml_connection`, `oidc_connection`, `email`. */
  type: string;
  /** The target's ID when it is not the connection (the email address). */
  id?: string;
}

/** Audit a refused sign-in (`signin.rejected`, reason = the error's code); a failure to audit is logged, never thrown. */
export function auditRejection(models: Models, logger: Logger, req: Request, target: RejectionTarget, err: OnrampError): Promise<void> {
  return recordAction(models, {
    tenantId: target.tenantId,
    actor: target.connectionId ? { type: 'idp', id: target.connectionId } : { type: 'system', id: null },
    action: 'signin.rejected',
    target: { type: target.type, id: target.id ?? target.connectionId },
    reason: err.code,
    context: { message: err.message, ip: req.ip ?? null },
  }).then(
    () => undefined,
    (e: unknown) => logger.error({ err: e }, 'could not audit a rejected sign-in'),
  );
}

/** What recording a failure needs: the store the audit goes to and the log. */
export interface FailureDeps {
  models: Models;
  logger: Logger;
}

/**
 * The one catch of every sign-in (http/completeSignIn.ts): classify, audit a rejection, undo the
 * one-time state on an infrastructure failure (`onUnavailable`, best effort),
 * log, and return the error to answer with.
 */
export async function signInFailure(
  err: unknown,
  ctx: FailureDeps & { req: Request; target: RejectionTarget; onUnavailable?: () => Promise<void>; onAnswered?: () => Promise<void> },
): Promise<unknown> {
  const failure = classifySignInFailure(err);
  countSignInFailure(ctx.req, failure.kind, failure.kind === 'internal' ? null : failure.error.code);
  if (failure.kind === 'unavailable') {
    ctx.logger.error({ err, connectionId: ctx.target.connectionId }, 'sign-in failed on the infrastructure; answered 503 (retryable)');
    await ctx.onUnavailable?.().catch((e: unknown) => ctx.logger.warn({ err: e }, 'could not give back the one-time sign-in state'));
    return failure.error;
  }
  await ctx.onAnswered?.().catch((e: unknown) => ctx.logger.warn({ err: e }, 'could not clear the one-time sign-in state'));
  if (failure.kind === 'rejected') await auditRejection(ctx.models, ctx.logger, ctx.req, ctx.target, failure.error);
  return failure.error;
}
