import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import './provided';
import { loadConfig } from '../../src/config';
import { startStack } from '../../src/devservices/launcher';
import { bundleWorkflows } from '../../src/runs/worker';
import { bundleServeEntry } from './entryBundle';

/** Start the real servers once for all integration tests (embedded FerretDB + Temporal dev server unless configured). */
export default async function setup(project: TestProject) {
  const dataDir = await mkdtemp(join(tmpdir(), 'onramp-test-'));
  const config = loadConfig({ ...process.env, NODE_ENV: 'test' });
  const stack = await startStack({ config, dataDir, persistTemporal: true });
  const workflowBundlePath = join(dataDir, 'workflow-bundle.js');
  let serveEntry: { path: string; dir: string };
  try {
    await writeFile(workflowBundlePath, (await bundleWorkflows()).code);
    serveEntry = await bundleServeEntry();
  } catch (err) {
    await stack.stop();
    throw err;
  }
  project.provide('stack', {
    mongoUri: stack.mongoUri,
    mongoBackend: stack.mongoBackend ?? null,
    temporalAddress: stack.temporal.address,
    namespace: stack.temporal.namespace,
    temporalUiUrl: stack.temporalUiUrl ?? null,
    temporalCli: null,
    workflowBundlePath,
    serveEntryPath: serveEntry.path,
    dataDir,
  });
  return async () => {
    await stack.stop();
    await rm(dataDir, { recursive: true, force: true });
    await rm(serveEntry.dir, { recursive: true, force: true });
  };
}
