import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { access, mkdir, readFile, rename, constants } from 'node:fs/promises';
import { join } from 'node:path';
import { FERRETDB_MAIN_DIR, TEMPORAL_CLI_MODULE, TEMPORAL_CLI_VERSION } from './paths';

async function exists(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv }): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', (err) => reject(new Error(`cannot run ${cmd}: ${err.message}${cmd === 'go' ? ' (install Go 1.25+ and put it on PATH)' : ''}`)));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}`))));
  });
}

/** The Temporal CLI (dev server + UI): TEMPORAL_CLI_PATH, else built once into the cache with `go install`. */
export async function ensureTemporalCli(cache: string, override?: string): Promise<string> {
  if (override) {
    if (!(await exists(override))) throw new Error(`TEMPORAL_CLI_PATH=${override} is not an executable file`);
    return override;
  }
  const binDir = join(cache, 'temporal-cli', TEMPORAL_CLI_VERSION);
  const bin = join(binDir, 'temporal');
  if (await exists(bin)) return bin;
  await mkdir(binDir, { recursive: true });
  process.stderr.write(`onramp: building the Temporal CLI ${TEMPORAL_CLI_VERSION} with go install (first run only, a few minutes)…\n`);
  await run('go', ['install', `${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION}`], { env: { GOBIN: binDir, GOFLAGS: '-trimpath' } });
  return bin;
}

/** The embedded FerretDB server, built from src/devservices/ferretdb; rebuilt when its sources change. */
export async function ensureFerretDb(cache: string): Promise<string> {
  const hash = createHash('sha256');
  for (const f of ['main.go', 'go.mod', 'go.sum']) hash.update(await readFile(join(FERRETDB_MAIN_DIR, f)));
  const binDir = join(cache, 'ferretdb', hash.digest('hex').slice(0, 16));
  const bin = join(binDir, 'onramp-ferretdb');
  if (await exists(bin)) return bin;
  await mkdir(binDir, { recursive: true });
  process.stderr.write('onramp: building the embedded FerretDB server with go build (first run only)…\n');
  const tmp = `${bin}.tmp-${process.pid}`;
  await run('go', ['build', '-trimpath', '-o', tmp, '.'], { cwd: FERRETDB_MAIN_DIR });
  await rename(tmp, bin);
  return bin;
}
