import { ApplicationFailure } from '@temporalio/common';
import { Context } from '@temporalio/activity';
import { FAILURE_TYPES } from '../domain/failureTypes';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, Next } from '@temporalio/worker';

/**
 * MongoDB / FerretDB error codes that mean "this document or query is
 * refused", which no retry can change: BadValue (FerretDB's "invalid key"),
 * FailedToParse, TypeMismatch, InvalidBSON, DollarPrefixedFieldName,
 * EmptyFieldName, DottedFieldName, ImmutableField, DocumentValidationFailure,
 * BSONObjectTooLarge.
 */
const REFUSAL_CODES = new Set([2, 9, 14, 22, 52, 56, 57, 66, 121, 10334]);
/** mongoose's own refusals (schema validation, casting). */
const REFUSAL_NAMES = new Set(['ValidationError', 'CastError', 'StrictModeError', 'ObjectParameterError']);

/** Whether the database (or mongoose) refused the input itself, as opposed to being unreachable or busy. */
export function isDatabaseRefusal(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { name?: unknown; code?: unknown };
  if (typeof e.name === 'string' && REFUSAL_NAMES.has(e.name)) return true;
  return e.name === 'MongoServerError' && typeof e.code === 'number' && REFUSAL_CODES.has(e.code);
}

/**
 * Activity interceptor: a database refusal becomes a non-retryable
 * `DatabaseRefused` failure, so the run answers at once with a reason code
 * instead of retrying the same refused write until the login gives up.
 */
export function refusalsAreFinal(): ActivityInboundCallsInterceptor {
  return {
    async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
      try {
        return await next(input);
      } catch (err) {
        if (!isDatabaseRefusal(err)) throw err;
        const message = err instanceof Error ? err.message.slice(0, 300) : 'refused by the database';
        // The step's name rides along (a local activity's failure reaches the workflow without it).
        const step = Context.current().info.activityType;
        throw ApplicationFailure.create({
          message,
          type: FAILURE_TYPES.databaseRefused,
          nonRetryable: true,
          details: [step],
          cause: err instanceof Error ? err : undefined,
        });
      }
    },
  };
}
