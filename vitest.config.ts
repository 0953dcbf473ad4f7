import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Two files at a time: each integration file has its own database, task queue and web app on the shared
    // Temporal and FerretDB servers, and most of a file's time is spent waiting on them.
    fileParallelism: true,
    maxWorkers: 2,
    minWorkers: 1,
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
        },
      },
    ],
  },
});
