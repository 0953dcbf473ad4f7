import { execFile } from 'node:child_process';
import { access, constants, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const executable = (path: string) =>
  access(path, constants.X_OK).then(
    () => true,
    () => false,
  );
const present = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/** Debian splits `venv` out of python3: install python3-venv when it is missing (root and apt-get needed, as for Chromium). */
async function ensureVenvModule(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('python3 cannot create a virtualenv here; install Debian\'s "python3-venv" package');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await run('apt-get', ['update'], { env, maxBuffer: 64 * 1024 * 1024 });
  await run('apt-get', ['install', '-y', '--no-install-recommends', 'python3-venv'], { env, maxBuffer: 64 * 1024 * 1024 });
}

/**
 * Command-line tools from PyPI (the test suites' peers: SCIM conformance
 * suites, schemathesis), pinned, in a virtualenv in the per-user cache:
 * installed once (seconds), then a stat. The virtualenv is named by the
 * pins, so a change of pin installs beside the old one. Needs python3 with
 * `venv` (Debian: python3-venv) and PyPI. Answers each of `bins` by its path.
 */
export async function ensurePythonTools<B extends string>(
  cache: string,
  name: string,
  packages: readonly string[],
  bins: readonly B[],
): Promise<Record<B, string>> {
  const dir = join(cache, name, packages.join('_').replace(/[^A-Za-z0-9._-]/g, '-'));
  const paths = Object.fromEntries(bins.map((bin) => [bin, join(dir, 'bin', bin)])) as Record<B, string>;
  const ready = join(dir, '.installed');
  const installed = await Promise.all(Object.values<string>(paths).map(executable));
  if (installed.every(Boolean) && (await present(ready))) return paths;
  process.stderr.write(`onramp: installing ${packages.join(', ')} into ${dir} (first run only)…\n`);
  // In place (a virtualenv's scripts name its absolute path); the marker, written last, says it is complete.
  await rm(dir, { recursive: true, force: true });
  await run('python3', ['-m', 'venv', dir], { maxBuffer: 16 * 1024 * 1024 }).catch(async () => {
    await ensureVenvModule();
    await rm(dir, { recursive: true, force: true });
    await run('python3', ['-m', 'venv', dir], { maxBuffer: 16 * 1024 * 1024 });
  });
  await run(join(dir, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', ...packages], { maxBuffer: 64 * 1024 * 1024 });
  await writeFile(ready, `${packages.join('\n')}\n`);
  return paths;
}
