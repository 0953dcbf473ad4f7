import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, Next } from '@temporalio/worker';
import { Context } from '@temporalio/activity';
import type { Models } from '../store/models';

/** Faults a test can ask a worker for (never available in production). */
export interface Faults {
  /** SIGKILL the worker right after this activity's effect is written, before its completion reaches Temporal. */
  killAfterActivity?: string;
  /** Make this activity meet a real refusal from the database (a document with a `$`-prefixed key). */
  refuseActivity?: string;
}

/**
 * Fault injection for crash and failure tests: ONRAMP_FAULT_KILL_AFTER_ACTIVITY
 * kills the worker process at the worst moment for idempotency;
 * ONRAMP_FAULT_REFUSE_ACTIVITY makes the activity write something the
 * database refuses, as a claim it cannot store would.
 */
export function faultInjectionInterceptor(faults: Faults, models: Models): ActivityInboundCallsInterceptor {
  return {
    async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
      const type = Context.current().info.activityType;
      if (type === faults.refuseActivity) await models.auditEvents.collection.insertOne({ $refusedByTheDatabase: true } as never);
      const result = await next(input);
      if (type === faults.killAfterActivity && Context.current().info.attempt === 1) process.kill(process.pid, 'SIGKILL');
      return result;
    },
  };
}
