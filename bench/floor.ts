/**
 * The Temporal server's floor, measured in the same run as the sign-ins: a
 * workflow with no steps, on the bench's own worker and task queue, one at a
 * time. `answered` is what a sign-in's Update-with-Start costs before its
 * first step; durable overhead beyond it is onramp's own.
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Client, Connection, WithStartWorkflowOperation } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { latencyStats } from './load';
import { answerUpdate, answered, bare } from './floorWorkflow';

export interface ServerFloor {
  rounds: number;
  /** p50 of start → result of a workflow with no steps. */
  startToResultMs: number;
  /** p50 of Update-with-Start → the update's answer, given at once. */
  updateWithStartMs: number;
}

const p50 = (values: number[]) => latencyStats(values).p50;

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const at = performance.now();
  await fn();
  return performance.now() - at;
}

export async function measureServerFloor(target: { address: string; namespace: string }, rounds: number): Promise<ServerFloor> {
  const taskQueue = `bench-floor-${randomBytes(4).toString('hex')}`;
  const workerConnection = await NativeConnection.connect({ address: target.address });
  const connection = await Connection.connect({ address: target.address });
  const client = new Client({ connection, namespace: target.namespace });
  try {
    const worker = await Worker.create({
      connection: workerConnection,
      namespace: target.namespace,
      taskQueue,
      workflowsPath: fileURLToPath(new URL('./floorWorkflow.ts', import.meta.url)),
    });
    return await worker.runUntil(async () => {
      let n = 0;
      const bareOnce = () => client.workflow.execute(bare, { taskQueue, workflowId: `${taskQueue}-bare-${n++}` });
      const answeredOnce = () =>
        client.workflow.executeUpdateWithStart(answerUpdate, {
          startWorkflowOperation: new WithStartWorkflowOperation(answered, {
            taskQueue,
            workflowId: `${taskQueue}-answered-${n++}`,
            workflowIdConflictPolicy: 'USE_EXISTING',
          }),
        });
      // Warm-up, not measured: the worker's first tasks, the connection.
      for (let i = 0; i < 3; i++) await Promise.all([bareOnce(), answeredOnce()]);
      const startToResult: number[] = [];
      const updateWithStart: number[] = [];
      for (let i = 0; i < rounds; i++) {
        startToResult.push(await timed(bareOnce));
        updateWithStart.push(await timed(answeredOnce));
      }
      return { rounds, startToResultMs: p50(startToResult), updateWithStartMs: p50(updateWithStart) };
    });
  } finally {
    await connection.close();
    await workerConnection.close();
  }
}
