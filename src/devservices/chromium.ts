import { execFile } from 'node:child_process';
import { access } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Debian's Chromium, which the browser tests drive through playwright-core. */
export const CHROMIUM_PATH = process.env.ONRAMP_CHROMIUM_PATH ?? '/usr/bin/chromium';

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/**
 * Install Debian's `chromium` package unless it is there (a no-op then).
 * Needs root and apt-get, as on the project's machines; says what to do otherwise.
 */
export async function ensureChromium(): Promise<string> {
  if (await exists(CHROMIUM_PATH)) return CHROMIUM_PATH;
  if (process.getuid?.() !== 0 || !(await exists('/usr/bin/apt-get'))) {
    throw new Error(`Chromium is missing at ${CHROMIUM_PATH}; install Debian's "chromium" package (or set ONRAMP_CHROMIUM_PATH) for the browser tests`);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await run('apt-get', ['update'], { env, maxBuffer: 64 * 1024 * 1024 });
  await run('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], { env, maxBuffer: 64 * 1024 * 1024 });
  if (!(await exists(CHROMIUM_PATH))) throw new Error(`apt-get installed chromium but ${CHROMIUM_PATH} is still missing`);
  return CHROMIUM_PATH;
}
