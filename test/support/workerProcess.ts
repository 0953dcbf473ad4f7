import { inject } from 'vitest';
import { TEST_TEMPORAL_ENV, type Harness } from './harness';
import { spawnOnramp, type OnrampProcess } from './serveProcess';

export type WorkerProcess = Pick<OnrampProcess, 'child' | 'exited' | 'stop'>;

/**
 * Run a worker as its own OS process, so a test can kill it: the production entry point as production runs it
 * (`npm run build`'s `serve.mjs` with plain node, built once per test run), which starts seconds sooner than through tsx.
 */
export async function startWorkerProcess(h: Harness, env: Record<string, string> = {}): Promise<WorkerProcess> {
  const stack = inject('stack');
  const proc = spawnOnramp(
    'serve.ts',
    {
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      ONRAMP_ROLE: 'worker',
      ONRAMP_ADMIN_TOKEN: h.adminToken,
      MONGODB_URI: h.config.mongo.uri ?? '',
      MONGODB_DATABASE: h.config.mongo.database,
      TEMPORAL_ADDRESS: h.config.temporal.address ?? '',
      TEMPORAL_NAMESPACE: h.config.temporal.namespace,
      TEMPORAL_TASK_QUEUE: h.config.temporal.taskQueue,
      // The bundle globalSetup built once: a spawned worker starts in about a second instead of re-bundling.
      ONRAMP_WORKFLOW_BUNDLE_PATH: stack.workflowBundlePath,
      ...TEST_TEMPORAL_ENV,
      ...env,
    },
    [],
    { builtDir: stack.builtDir },
  );
  proc.child.stderr?.pipe(process.stderr);
  await proc.ready;
  return proc;
}
