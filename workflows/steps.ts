/**
 * What every workflow's activity steps share: the retry policy (transient
 * failures retried, the refusals in failureTypes.ts not), and how to tell a
 * step that failed for good from one still being retried.
 */
import { ActivityFailure, ApplicationFailure, type RetryPolicy } from '@temporalio/workflow';
import { NON_RETRYABLE_FAILURES } from '../src/domain/failureTypes';

export const retry: RetryPolicy = {
  initialInterval: '200 milliseconds',
  backoffCoefficient: 2,
  maximumInterval: '10 seconds',
  maximumAttempts: 20,
  nonRetryableErrorTypes: NON_RETRYABLE_FAILURES,
};

/**
 * A step that failed for good: a regular activity's failure arrives as an
 * ActivityFailure around a non-retryable ApplicationFailure; a local
 * activity's as the ApplicationFailure itself.
 */
export function refusedStep(err: unknown): { step: string; message: string } | null {
  if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.nonRetryable) {
    return { step: err.activityType ?? 'activity', message: err.cause.message };
  }
  if (err instanceof ApplicationFailure && err.nonRetryable) {
    const step = typeof err.details?.[0] === 'string' ? err.details[0] : (err.type ?? 'activity');
    return { step, message: err.message };
  }
  return null;
}

/**
 * A SCIM write whose step failed for good: the directory gets a 500 with the
 * run as reference (ops find it among failed runs); anything else is thrown
 * as it is (Temporal retries the workflow task).
 */
export function writeFailure(err: unknown): unknown {
  const refusal = refusedStep(err);
  if (!refusal) return err;
  return ApplicationFailure.create({
    message: `SCIM write failed: ${refusal.step} was refused: ${refusal.message}`,
    type: 'ProvisioningFailed',
    nonRetryable: true,
  });
}
