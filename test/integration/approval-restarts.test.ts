import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTemporalCli } from '../../src/devservices/goBinaries';
import { cacheDir } from '../../src/devservices/paths';
import { freePort } from '../../src/devservices/ports';
import { startTemporalDevServer, type RunningTemporal } from '../../src/devservices/temporalDevServer';
import { signInWorkflowId } from '../../src/runs/signInClient';
import { newIdp, samlSignIn, startHarness, user, type Harness, type SamlConnectionInfo } from '../support/harness';

/** A parked sign-in waits for days in the real world: it must survive its worker and its server going away. */
describe('a pending approval survives restarts', () => {
  let h: Harness;
  let conn: SamlConnectionInfo;
  let temporal: RunningTemporal;
  let dataDir: string;
  let bin: string;
  const ports = { port: 0, uiPort: 0 };
  const idp = newIdp('restarts');
  const workers: Array<{ stop(): Promise<void> }> = [];

  const startTemporal = () =>
    startTemporalDevServer({ bin, ...ports, dbFile: join(dataDir, 'temporal.sqlite'), logDir: dataDir, namespace: h?.config.temporal.namespace ?? 'default' });

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'onramp-restarts-'));
    bin = await ensureTemporalCli(cacheDir(undefined));
    ports.port = await freePort();
    ports.uiPort = await freePort();
    temporal = await startTemporal();
    h = await startHarness({ worker: false, temporalAddress: temporal.address });
    await h.createTenant('restarts');
    conn = await h.createSamlConnection('restarts', idp);
    await h.admin('PUT', '/tenants/restarts/approval-policy', { when: ['new-accounts'] });
  });
  afterAll(async () => {
    for (const w of workers) await w.stop();
    await h?.close();
    await temporal?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const startWorker = async () => {
    const w = await h.startWorker();
    workers.push(w);
    return w;
  };
  const approveAndFinish = async (email: string, subject: string) => {
    const [request] = (await h.admin('GET', `/tenants/restarts/approvals?email=${encodeURIComponent(email)}`)).body.data;
    const res = await h.admin('POST', `/tenants/restarts/approvals/${encodeURIComponent(request?.id ?? '')}/approve`, {});
    expect(res.status).toBe(200);
    await h.services.client.workflow.getHandle(signInWorkflowId(conn.id, subject)).result();
    const u = await h.services.db.models.users.findOne({ email }).lean();
    expect(await h.services.db.models.memberships.countDocuments({ userId: u?._id, status: 'active' })).toBe(1);
  };

  it('the worker is stopped while a run waits, then restarted: the approval completes it', async () => {
    const worker = await startWorker();
    const who = user('wanda', 'restarts.test');
    expect((await samlSignIn(conn, idp, who)).status).toBe(202);
    await worker.stop();
    await startWorker();
    await approveAndFinish(who.email, who.nameId);
  });

  it('the Temporal dev server is restarted (its database file kept) while a run waits: the approval completes it', async () => {
    const who = user('tess', 'restarts.test');
    expect((await samlSignIn(conn, idp, who)).status).toBe(202);
    for (const w of workers) await w.stop();
    await temporal.stop();
    temporal = await startTemporal(); // same ports, same SQLite file
    await startWorker();
    await approveAndFinish(who.email, who.nameId);
  });
});
