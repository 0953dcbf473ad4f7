import { execFile } from 'node:child_process';
import { access, constants, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const exists = (path: string) => access(path, constants.X_OK).then(
  () => true,
  () => false,
);

/** The peer SCIM conformance suites from PyPI, pinned: scim2-cli runs scim2-tester (`scim … test`); scim-sanity probes. */
export const SCIM_PEER_PACKAGES = ['scim2-cli==0.6.0', 'scim2-tester==0.5.2', 'scim-sanity==0.7.4'] as const;

export interface ScimPeerSuites {
  /** `scim` (scim2-cli): `scim --url URL -h "Authorization: Bearer T" test`. */
  scim2Cli: string;
  /** `scim-sanity probe URL --token T`. */
  scimSanity: string;
}

/** Debian splits `venv` out of python3: install python3-venv when it is missing (root and apt-get needed, as for Chromium). */
async function ensureVenvModule(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('python3 cannot create a virtualenv here; install Debian\'s "python3-venv" package');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await run('apt-get', ['update'], { env, maxBuffer: 64 * 1024 * 1024 });
  await run('apt-get', ['install', '-y', '--no-install-recommends', 'python3-venv'], { env, maxBuffer: 64 * 1024 * 1024 });
}

/**
 * A virtualenv in the per-user cache holding the peer suites (installed once,
 * a few seconds; then a stat). Named by the pinned versions, so a change of
 * pin installs beside the old one. Needs python3 with `venv` (Debian:
 * python3-venv) and PyPI.
 */
export async function ensureScimPeerSuites(cache: string): Promise<ScimPeerSuites> {
  const dir = join(cache, 'scim-peers', SCIM_PEER_PACKAGES.join('_').replace(/[^A-Za-z0-9._-]/g, '-'));
  const suites = { scim2Cli: join(dir, 'bin', 'scim'), scimSanity: join(dir, 'bin', 'scim-sanity') };
  const ready = join(dir, '.installed');
  if ((await exists(suites.scim2Cli)) && (await exists(suites.scimSanity)) && (await access(ready).then(() => true, () => false))) return suites;
  process.stderr.write(`onramp: installing the SCIM conformance suites (${SCIM_PEER_PACKAGES.join(', ')}) into ${dir} (first run only)…\n`);
  // In place (a virtualenv's scripts name its absolute path); the marker, written last, says it is complete.
  await rm(dir, { recursive: true, force: true });
  await run('python3', ['-m', 'venv', dir], { maxBuffer: 16 * 1024 * 1024 }).catch(async () => {
    await ensureVenvModule();
    await rm(dir, { recursive: true, force: true });
    await run('python3', ['-m', 'venv', dir], { maxBuffer: 16 * 1024 * 1024 });
  });
  await run(join(dir, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', ...SCIM_PEER_PACKAGES], { maxBuffer: 64 * 1024 * 1024 });
  await writeFile(ready, `${SCIM_PEER_PACKAGES.join('\n')}\n`);
  return suites;
}
