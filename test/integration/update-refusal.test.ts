import { join } from 'node:path';
import { NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directoryUserWorkflowId } from '../../src/runs/directoryClient';
import { signInWorkflowId } from '../../src/runs/signInClient';
import { newIdp, samlSignIn, startHarness, useSamlTenant, user, type Harness, type SamlConnectionInfo } from '../support/harness';
import { createDirectory } from '../support/scimClient';
import { waitForSignInRuns } from '../support/temporal';
import type { WorkerProcess } from '../support/workerProcess';

const FAILING_WORKFLOWS = join(import.meta.dirname, '..', 'support', 'failingWorkflows.ts');

/** A worker on the harness's task queue whose sign-in and directory workflow tasks all fail (a bad deploy, a crash loop). */
async function startBrokenWorker(h: Harness): Promise<{ stop: () => Promise<void> }> {
  const connection = await NativeConnection.connect({ address: h.config.temporal.address ?? '' });
  const worker = await Worker.create({
    connection,
    namespace: h.config.temporal.namespace,
    taskQueue: h.config.temporal.taskQueue,
    workflowsPath: FAILING_WORKFLOWS,
  });
  const running = worker.run();
  return {
    async stop() {
      worker.shutdown();
      await running;
      await connection.close();
    },
  };
}

/** Wait until the run's workflow task has failed often enough that Temporal refuses updates to it. */
async function untilTaskKeepsFailing(h: Harness, workflowId: string): Promise<void> {
  const handle = h.services.client.workflow.getHandle(workflowId);
  const deadline = Date.now() + 30_000;
  while (((await handle.describe()).raw.pendingWorkflowTask?.attempt ?? 0) < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
  expect((await handle.describe()).raw.pendingWorkflowTask?.attempt ?? 0).toBeGreaterThanOrEqual(3);
}

/** The ACS's answer as a browser sees it, with the header that tells it when to come back. */
async function signInWithHeaders(conn: SamlConnectionInfo, idp: ReturnType<typeof newIdp>, who: ReturnType<typeof user>) {
  const login = await fetch(conn.loginUrl, { redirect: 'manual' });
  const response = await idp.respond(conn.metadataXml, login.headers.get('location') ?? '', who);
  const started = Date.now();
  const res = await fetch(response.acsUrl, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ SAMLResponse: response.SAMLResponse }).toString(),
  });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.text(), ms: Date.now() - started };
}

describe("Temporal refuses the sign-in update: the run's workflow task keeps failing", () => {
  let h: Harness;
  let conn: SamlConnectionInfo;
  const idp = newIdp('refusal');
  let healthy: Pick<WorkerProcess, 'stop'> | undefined;

  useSamlTenant('refusal', idp, (t) => ({ h, conn } = t), {
    harness: { worker: false, env: { ONRAMP_WORKFLOW_TASK_TIMEOUT_MS: '1000', ONRAMP_SIGNIN_WAIT_MS: '3000' } },
  });
  afterAll(async () => {
    await healthy?.stop();
  });

  it("answers 503 signin_pending with Retry-After (not 500), writes nothing, and the browser's retry signs in once a worker can run it", async () => {
    const who = user('rita', 'refusal.test');
    const { models } = h.services.db;
    const broken = await startBrokenWorker(h);
    try {
      // The first attempt starts the run and waits for a decision that does not come.
      const first = await signInWithHeaders(conn, idp, who);
      expect(first.status).toBe(503);
      expect(first.body).toContain('signin_pending');

      // After a few failed workflow tasks Temporal takes no more updates for the run: FAILED_PRECONDITION.
      await untilTaskKeepsFailing(h, signInWorkflowId(conn.id, who.nameId));
      const refused = await signInWithHeaders(conn, idp, who);
      expect(refused.status).toBe(503);
      expect(refused.retryAfter).toBe('5');
      expect(refused.body).toContain('signin_pending');
      expect(refused.body).toContain('This could not be done just now'); // Temporal's refusal, answered at once (not the wait running out)
      expect(refused.ms).toBeLessThan(3000);
    } finally {
      await broken.stop();
    }
    // Nothing was provisioned and nothing audited as the user's rejection.
    expect(await models.users.countDocuments()).toBe(0);
    expect(await models.memberships.countDocuments()).toBe(0);
    expect(await models.auditEvents.countDocuments({ action: 'signin.rejected' })).toBe(0);

    // A worker that can run the sign-in: the browser comes back after Retry-After, and is signed in.
    healthy = await h.startWorker();
    let retry = await samlSignIn(conn, idp, who);
    for (let i = 0; retry.status === 503 && i < 10; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      retry = await samlSignIn(conn, idp, who);
    }
    expect(retry.status).toBe(303);
    await waitForSignInRuns(h.services.client, conn.id, who.nameId);
    expect(await models.users.countDocuments({ email: who.email })).toBe(1);
    expect(await models.memberships.countDocuments()).toBe(1);
    // Created once: the update admitted before the refusals and the browser's retry do not provision twice.
    expect(await models.auditEvents.countDocuments({ action: 'user.created' })).toBe(1);
    expect(await models.auditEvents.countDocuments({ action: 'membership.created' })).toBe(1);
    expect(await models.auditEvents.countDocuments({ action: 'signin.succeeded' })).toBeGreaterThanOrEqual(1);
    expect(await models.auditEvents.countDocuments({ action: 'signin.rejected' })).toBe(0);
  });
});

describe("Temporal refuses a SCIM write: the resource run's workflow task keeps failing", () => {
  let h: Harness;
  const workers: Array<Pick<WorkerProcess, 'stop'>> = [];
  beforeAll(async () => {
    h = await startHarness({ worker: false, env: { ONRAMP_WORKFLOW_TASK_TIMEOUT_MS: '1000', ONRAMP_SCIM_WAIT_MS: '3000' } });
    await h.createTenant('refusal-scim');
  });
  afterAll(async () => {
    for (const w of workers) await w.stop();
    await h?.close();
  });

  it("answers 503 in SCIM's error format with Retry-After, and the directory's retry is applied once a worker can run it", async () => {
    const scim = await createDirectory(h, 'refusal-scim');
    const first = await h.startWorker();
    workers.push(first);
    const created = await scim.call('POST', '/Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'ada@refusal-scim.test',
      displayName: 'Ada',
      active: true,
    });
    expect(created.status).toBe(201);
    const id = created.body.id ?? '';
    await first.stop();

    const rename = { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'displayName', value: 'Ada Lovelace' }] };
    const broken = await startBrokenWorker(h);
    try {
      expect((await scim.call('PATCH', `/Users/${id}`, rename)).status).toBe(503); // the wait runs out
      await untilTaskKeepsFailing(h, directoryUserWorkflowId(scim.id, id));
      const refused = await scim.call('PATCH', `/Users/${id}`, rename);
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('5');
      expect(refused.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '503' });
      expect(refused.body.detail).toContain('This could not be done just now');
    } finally {
      await broken.stop();
    }
    expect((await scim.call('GET', `/Users/${id}`)).body).toMatchObject({ displayName: 'Ada' });

    const healthy = await h.startWorker();
    workers.push(healthy);
    let retry = await scim.call('PATCH', `/Users/${id}`, rename);
    for (let i = 0; retry.status === 503 && i < 10; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      retry = await scim.call('PATCH', `/Users/${id}`, rename);
    }
    expect(retry.status).toBe(200);
    expect((await scim.call('GET', `/Users/${id}`)).body).toMatchObject({ displayName: 'Ada Lovelace' });
  });
});
