import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // One file at a time: the machine has 2 cores and every integration file runs a worker and a web app
    // (two at a time was tried: sign-ins then ran past their answer deadline).
    fileParallelism: false,
    // `--coverage` (npm test): line and branch coverage of the product's code, in-process (the HTTP app, libraries,
    // activities). Workflow code runs in the worker's sandbox from a prebuilt bundle, so its lines count through the
    // flow tests (test/unit/flows), which run it directly.
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts', 'activities/**/*.ts', 'workflows/**/*.ts'],
      exclude: ['src/bin/**', 'src/devservices/**', 'src/demo/**'],
      reporter: ['text-summary', 'json-summary'],
      reportsDirectory: 'coverage',
    },
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node' } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/support/globalSetup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          pool: 'forks',
          // All integration files in one process that keeps its loaded modules (the service stack is imported once,
          // not once per file); every file still starts its own harness in its own database and task queue.
          poolOptions: { forks: { singleFork: true, isolate: false } },
        },
      },
    ],
  },
});
