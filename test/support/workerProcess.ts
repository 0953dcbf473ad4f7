import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Harness } from './harness';

const SERVE = fileURLToPath(new URL('../../src/bin/serve.ts', import.meta.url));

export interface WorkerProcess {
  child: ChildProcess;
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

/** Run a worker as its own OS process (the production entry point), so a test can kill it. */
export async function startWorkerProcess(h: Harness, env: Record<string, string> = {}): Promise<WorkerProcess> {
  // node itself (not the tsx wrapper) is the worker process, so a kill reaches it directly.
  const child = spawn(process.execPath, ['--import', 'tsx', SERVE], {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      ONRAMP_ROLE: 'worker',
      ONRAMP_ADMIN_TOKEN: h.adminToken,
      MONGODB_URI: h.config.mongo.uri ?? '',
      MONGODB_DATABASE: h.config.mongo.database,
      TEMPORAL_ADDRESS: h.config.temporal.address ?? '',
      TEMPORAL_NAMESPACE: h.config.temporal.namespace,
      TEMPORAL_TASK_QUEUE: h.config.temporal.taskQueue,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const lines = createInterface({ input: child.stdout! });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('worker process did not become ready in 60 s')), 60_000);
    lines.on('line', (line) => {
      if (line.includes('"ready":true')) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then((code) => reject(new Error(`worker process exited early with ${code}`)));
  });
  return {
    child,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
