import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import './provided';
import { loadConfig } from '../../src/config';
import { startStack } from '../../src/devservices/launcher';
import { buildProduction } from '../../src/bin/build';

/** Start the real servers once for all integration tests (embedded FerretDB + Temporal dev server unless configured). */
export default async function setup(project: TestProject) {
  const dataDir = await mkdtemp(join(tmpdir(), 'onramp-test-'));
  const config = loadConfig({ ...process.env, NODE_ENV: 'test' });
  const stack = await startStack({ config, dataDir, persistTemporal: true });
  // What production runs (`npm run build`): the entry points with plain node and the workflow bundle every worker
  // here loads. Node finds the packages through a node_modules link beside the build.
  const builtDir = join(dataDir, 'dist');
  const workflowBundlePath = join(builtDir, 'workflow-bundle.js');
  try {
    await buildProduction(builtDir);
    await symlink(join(process.cwd(), 'node_modules'), join(dataDir, 'node_modules'), 'dir');
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
    builtDir,
    dataDir,
  });
  return async () => {
    await stack.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
}
