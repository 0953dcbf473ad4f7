import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness';
import { importDone, peopleCsv, postImport } from '../support/imports';
import { startWorkerProcess, type WorkerProcess } from '../support/workerProcess';

/**
 * The worker is SIGKILLed twice in the middle of an import.
 * Each time another worker takes the chunk over once its heartbeat is late;
 * in the end every row is done once — no row lost, none done twice. Runs
 * continue as new every 2 chunks, so the kills land on different runs.
 */
describe('an import survives its worker being killed twice', () => {
  let h: Harness;
  const workers: Array<Pick<WorkerProcess, 'stop'>> = [];
  const models = () => h.services.db.models;

  beforeAll(async () => {
    h = await startHarness({ worker: false, env: { ONRAMP_IMPORT_HEARTBEAT_SECONDS: '2', ONRAMP_IMPORT_CHUNKS_PER_RUN: '2' } });
    await h.createTenant('kill-co', { enabled: false, defaultRoles: ['member'] });
    expect((await h.admin('PUT', '/tenants/kill-co/domains', { domains: [{ domain: 'kill.test', verified: true }] })).status).toBe(200);
    expect((await h.admin('POST', '/tenants/kill-co/groups', { name: 'Staff', roles: [] })).status).toBe(201);
  });
  afterAll(async () => {
    for (const w of workers) await w.stop();
    await h?.close();
  });

  /** Wait until the import's rows reach `rows` accounts, then SIGKILL the worker mid-chunk. */
  const killAt = async (worker: WorkerProcess, rows: number) => {
    const until = Date.now() + 120_000;
    while ((await models().memberships.countDocuments({})) < rows) {
      if (Date.now() > until) throw new Error(`the import never reached ${rows} rows`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    worker.child.kill('SIGKILL');
    await worker.exited;
  };

  it('every row once: 600 accounts, 600 memberships, 600 grants, one audit event of each', async () => {
    const res = await postImport(h, 'kill-co', peopleCsv('kill.test', 0, 600, 'Staff'), { query: 'key=kill' });
    expect(res.status).toBe(202);
    const id = res.body.import?.id ?? '';

    const first = await startWorkerProcess(h);
    workers.push(first);
    await killAt(first, 150);
    const second = await startWorkerProcess(h);
    workers.push(second);
    await killAt(second, 380);
    const third = await h.startWorker();
    workers.push(third);

    const done = await importDone(h, 'kill-co', id);
    expect(done.counts).toMatchObject({ created: 600, failed: 0, unchanged: 0 });
    expect(await models().users.countDocuments({})).toBe(600);
    expect(await models().memberships.countDocuments({})).toBe(600);
    expect(await models().grants.countDocuments({ value: 'Staff', source: 'import' })).toBe(600);
    for (const action of ['user.created', 'membership.created', 'group.granted']) {
      expect(await models().auditEvents.countDocuments({ action }), action).toBe(600);
    }
    expect(await models().auditEvents.countDocuments({ action: 'import.completed' })).toBe(1);
    expect(first.child.signalCode).toBe('SIGKILL');
    expect(second.child.signalCode).toBe('SIGKILL');
    // The import ran as several runs (continue-as-new every 2 chunks of 100 rows).
    const runs = await h.services.client.workflow.count(`WorkflowId = 'import-${id}'`);
    expect(runs.count).toBeGreaterThanOrEqual(3);
  });
});
