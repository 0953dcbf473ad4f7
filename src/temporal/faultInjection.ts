import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, Next } from '@temporalio/worker';
import { Context } from '@temporalio/activity';

/**
 * Fault injection for crash tests, never enabled in production:
 * ONRAMP_FAULT_KILL_AFTER_ACTIVITY=<activityType> makes the worker process
 * SIGKILL itself right after that activity's effect is written and before
 * its completion reaches Temporal — the worst moment for idempotency.
 */
export function faultInjectionInterceptor(activityType: string): ActivityInboundCallsInterceptor {
  return {
    async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
      const result = await next(input);
      if (Context.current().info.activityType === activityType && Context.current().info.attempt === 1) {
        process.kill(process.pid, 'SIGKILL');
      }
      return result;
    },
  };
}
