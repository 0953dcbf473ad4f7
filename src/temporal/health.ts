import type { Client } from '@temporalio/client';
import { optionalTsToMs } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { webhookTaskQueue } from './webhookClient';

/** A poller seen this recently counts as a worker polling (a long poll is renewed about every minute). */
export const POLLER_FRESH_MS = 120_000;

/** Temporal answers: the frontend's system info, within the deadline. */
export async function temporalReachable(client: Client, timeoutMs: number): Promise<void> {
  await client.connection.withDeadline(Date.now() + timeoutMs, () => client.workflowService.getSystemInfo({}));
}

/**
 * A worker polls each of onramp's task queues (the provisioning queue and the
 * webhook queue): a workflow poller seen within POLLER_FRESH_MS. Throws
 * naming the first queue nobody polls.
 */
export async function workersPolling(client: Client, namespace: string, taskQueue: string, timeoutMs: number, now = Date.now): Promise<void> {
  for (const name of [taskQueue, webhookTaskQueue(taskQueue)]) {
    const answer = await client.connection.withDeadline(Date.now() + timeoutMs, () =>
      client.workflowService.describeTaskQueue({
        namespace,
        taskQueue: { name, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
        taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
      }),
    );
    const fresh = (answer.pollers ?? []).some((p) => now() - (optionalTsToMs(p.lastAccessTime) ?? 0) < POLLER_FRESH_MS);
    if (!fresh) throw new Error(`no worker polls task queue ${name}`);
  }
}
