import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Per-user cache for the Go-built servers; outside the repo, so clones and reruns share it. */
export function cacheDir(override?: string): string {
  if (override) return override;
  const xdg = process.env.XDG_CACHE_HOME;
  return join(xdg && xdg.length > 0 ? xdg : join(homedir(), '.cache'), 'onramp');
}

export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal';
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
export const FERRETDB_MAIN_DIR = fileURLToPath(new URL('./ferretdb/', import.meta.url));
