import type { Connection } from '@temporalio/client';
import { optionalTsToMs } from '@temporalio/common';
import proto from '@temporalio/proto';
import { webhookTaskQueue } from './webhookClient';

/** A poller seen this recently counts as a worker polling (a long poll is renewed about every minute). */
export const POLLER_FRESH_MS = 120_000;

const { TaskQueueKind, TaskQueueType } = proto.temporal.api.enums.v1;

/** Temporal answers: the frontend's system info, within the deadline. */
export async function temporalReachable(connection: Connection, timeoutMs: number): Promise<void> {
  await connection.withDeadline(Date.now() + timeoutMs, () => connection.workflowService.getSystemInfo({}));
}

/**
 * A worker polls each of onramp's task queues (the provisioning queue and the
 * webhook queue): a workflow poller seen within POLLER_FRESH_MS. Throws
 * naming the first queue nobody polls.
 */
export async function workersPolling(connection: Connection, namespace: string, taskQueue: string, timeoutMs: number, now = Date.now): Promise<void> {
  for (const name of [taskQueue, webhookTaskQueue(taskQueue)]) {
    const answer = await connection.withDeadline(Date.now() + timeoutMs, () =>
      connection.workflowService.describeTaskQueue({
        namespace,
        taskQueue: { name, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
        taskQueueType: TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
      }),
    );
    const fresh = (answer.pollers ?? []).some((p) => now() - (optionalTsToMs(p.lastAccessTime) ?? 0) < POLLER_FRESH_MS);
    if (!fresh) throw new Error(`no worker polls task queue ${name}`);
  }
}
