import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // One file at a time: the machine has 2 cores and every integration file runs a worker and a web app
    // (two at a time was tried: sign-ins then ran past their answer deadline).
    fileParallelism: false,
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
