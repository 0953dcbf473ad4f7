import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { MEMORY_ENV, nodeFlagsFor } from '../../src/bin/nodeFlags';

const BIN = fileURLToPath(new URL('../../src/bin/', import.meta.url));

export interface OnrampProcess {
  child: ChildProcess;
  /** Resolves with the web app's URL (or null for a worker) once it printed `ready`; rejects if it exits first. */
  ready: Promise<string | null>;
  exited: Promise<number | null>;
  /** Everything it wrote to stderr so far. */
  stderr(): string;
  stop(): Promise<void>;
}

/**
 * Run one of onramp's entry points (`serve.ts`, `onramp.ts`), or its built form, as its own OS
 * process with exactly the given environment (plus PATH/HOME), as production
 * or an operator would start it. node itself runs it, so a kill reaches it.
 */
export function spawnOnramp(
  entry: 'serve.ts' | 'onramp.ts',
  env: Record<string, string>,
  args: string[] = [],
  opts: { builtDir?: string } = {},
): OnrampProcess {
  // From `npm run build`'s output (src/bin/build.ts) plain node runs the compiled entry point, as the image does.
  const command = opts.builtDir
    ? [...nodeFlagsFor(env.ONRAMP_ROLE), `${opts.builtDir}/${entry.replace(/\.ts$/, '.mjs')}`]
    : ['--import', 'tsx', `${BIN}${entry}`];
  const child = spawn(process.execPath, [...command, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...(opts.builtDir ? MEMORY_ENV : {}), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const lines = createInterface({ input: child.stdout! });
  const ready = new Promise<string | null>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${entry} did not become ready in 90 s`)), 90_000);
    lines.on('line', (line) => {
      if (!line.includes('"ready":true')) return;
      clearTimeout(timer);
      resolve((JSON.parse(line) as { url: string | null }).url);
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${entry} exited with ${code} before it was ready: ${err.slice(-2000)}`));
    });
  });
  ready.catch(() => undefined);
  return {
    child,
    ready,
    exited,
    stderr: () => err,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
