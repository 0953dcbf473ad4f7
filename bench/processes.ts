import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { MEMORY_ENV, nodeFlagsFor } from '../src/bin/nodeFlags';

export const SERVE = fileURLToPath(new URL('../src/bin/serve.ts', import.meta.url));
/** The web app with the inline (no Temporal) baseline: bench only. */
export const SERVE_INLINE = fileURLToPath(new URL('./serveInline.ts', import.meta.url));

export interface ServerProcess {
  name: string;
  child: ChildProcess;
  url: string | null;
  /** From spawn to its `ready` line. */
  startMs: number;
  /** Peak resident set size (VmHWM) in MiB, read from /proc while the process lives. */
  peakRssMiB(): number | null;
  stop(): Promise<void>;
}

/**
 * Start onramp's production entry point (web or worker) as its own process:
 * a built `.mjs` (`npm run build`) with plain node, a `.ts` source through tsx.
 */
export async function startServer(name: string, env: Record<string, string>, entry = SERVE): Promise<ServerProcess> {
  const started = Date.now();
  // A built entry point runs as the image runs it (src/bin/nodeFlags.ts).
  const built = entry.endsWith('.mjs');
  const args = built ? [...nodeFlagsFor(env.ONRAMP_ROLE), entry] : ['--import', 'tsx', entry];
  const child = spawn(process.execPath, args, {
    env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'error', ...(built ? MEMORY_ENV : {}), ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // A bench that dies (Ctrl+C, a timeout) takes its servers with it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  void exited.then(() => process.removeListener('exit', killOnExit));
  const url = await new Promise<string | null>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start in 60 s`)), 60_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      // The servers log JSON at LOG_LEVEL=error: show those lines (a 500 in a run is worth reading).
      if (line.includes('"level":50') || line.includes('"level":60')) process.stderr.write(`${name}: ${line.slice(0, 2000)}\n`);
      if (!line.includes('"ready":true')) return;
      clearTimeout(timer);
      resolve((JSON.parse(line) as { url: string | null }).url);
    });
    void exited.then(() => reject(new Error(`${name} exited during start-up`)));
  });
  return {
    name,
    child,
    url,
    startMs: Date.now() - started,
    peakRssMiB() {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        return m?.[1] ? Math.round(Number(m[1]) / 1024) : null;
      } catch {
        return null;
      }
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
