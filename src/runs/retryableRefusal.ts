import { isGrpcServiceError, ServiceError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';

/**
 * gRPC status codes with which Temporal refuses an Update-with-Start that a
 * later attempt may well get through: FAILED_PRECONDITION (the run's workflow
 * task is failing — a worker died mid-task, or a deploy is under way — so the
 * server takes no update until a task completes), DEADLINE_EXCEEDED,
 * RESOURCE_EXHAUSTED (rate limits, busy shards) and UNAVAILABLE.
 */
const RETRYABLE_CODES = new Set([4 /* DEADLINE_EXCEEDED */, 8 /* RESOURCE_EXHAUSTED */, 9 /* FAILED_PRECONDITION */, 14 /* UNAVAILABLE */]);

/** What the server says when an update met a failing workflow task, whatever status carried it. */
const TASK_FAILED =
  /workflow task (?:failed|failure|is failing|in failed state)|unexpected workflow task failure|update (?:was )?(?:rejected|aborted)\b.*\bworkflow task/i;

/**
 * Whether Temporal's refusal of an Update-with-Start (or of waiting for its
 * outcome) is transient — the caller should be told "try again shortly"
 * (503, Retry-After), not "internal error". Only Temporal's own errors count:
 * the client's error classes and gRPC service errors (walking the `cause`
 * chain the client wraps them in), never text or shapes from anywhere else.
 * A rejection by the workflow itself (WorkflowUpdateFailedError) is a
 * decision, not an outage, and is not matched.
 */
export function isRetryableUpdateRefusal(err: unknown, depth = 0): boolean {
  if (depth > 5 || !(err instanceof Error)) return false;
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return true;
  if (isGrpcServiceError(err)) return RETRYABLE_CODES.has(err.code) || TASK_FAILED.test(err.details);
  if (err instanceof ServiceError && TASK_FAILED.test(err.message)) return true;
  return err instanceof ServiceError && isRetryableUpdateRefusal(err.cause, depth + 1);
}
