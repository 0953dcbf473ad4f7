import { ensurePythonTools } from './pythonTools';

/** schemathesis from PyPI, pinned: property-based tests of an API from its OpenAPI document (`st run`). */
export const SCHEMATHESIS_PACKAGES = ['schemathesis==4.32.5'] as const;

/** The `st` command, in its cached virtualenv (installed on first use). */
export async function ensureSchemathesis(cache: string): Promise<string> {
  return (await ensurePythonTools(cache, 'schemathesis', SCHEMATHESIS_PACKAGES, ['st'])).st;
}
