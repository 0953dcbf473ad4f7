import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { temporalDataConverter } from '../../src/runs/dataConverter';
import { TEST_TEMPORAL_ENV } from '../support/harness';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'histories');

/**
 * Runs that waited days for an approval must replay on the code
 * deployed since. Every recorded history (test/fixtures/histories, refreshed
 * by `npm run record-histories`) is replayed through today's workflow code;
 * a change that would break a running workflow fails here — guard it with
 * `patched()` (workflows/versions.ts).
 */
describe("recorded workflow histories replay on today's code", () => {
  it('every history replays without a determinism error', async () => {
    const stack = inject('stack');
    const files = (await readdir(FIXTURES)).filter((f) => f.endsWith('.pb')).sort();
    expect(files.length).toBeGreaterThanOrEqual(8);
    const histories = await Promise.all(
      files.map(async (f) => ({ workflowId: f.replace(/\.pb$/, ''), history: temporal.api.history.v1.History.decode(await readFile(join(FIXTURES, f))) })),
    );
    const failures: string[] = [];
    let replayed = 0;
    // With the tests' payload codec: histories recorded before it (in clear) and since (sealed with the test key) both replay.
    const dataConverter = temporalDataConverter(loadConfig({ NODE_ENV: 'test', ...TEST_TEMPORAL_ENV }).temporal.encryption);
    for await (const result of Worker.runReplayHistories({ workflowBundle: { codePath: stack.workflowBundlePath }, dataConverter }, histories)) {
      replayed++;
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
    expect(replayed).toBe(files.length);
  });
});
