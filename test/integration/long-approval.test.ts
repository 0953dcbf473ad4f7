import { createStore } from '../../src/store/store';
import { randomBytes } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createProvisioningActivities } from '../../activities/provisioning';
import { connectDatabase, type Database } from '../../src/store/connect';
import { cacheDir } from '../../src/devservices/paths';
import { ensureTimeSkippingServer } from '../../src/devservices/timeSkippingServer';
import { MAX_APPROVAL_EXPIRY_SECONDS } from '../../src/domain/approval';
import type { IdentityClaim } from '../../src/domain/claim';
import { createLogger } from '../../src/logger';
import { createSamlConnectionLibrary } from '../../src/library/samlConnections';
import { createTenantLibrary } from '../../src/library/tenants';
import { SEARCH_ATTRIBUTES } from '../../src/runs/searchAttributes';
import { emailSearchValue } from '../../src/runs/searchEmail';
import { createSignInStarter, signInWorkflowId } from '../../src/runs/signInClient';
import { approvalUpdate, stateQuery } from '../../workflows/signIn';

/**
 * A sign-in parked for an approval waits as long as the
 * tenant's expiry says (7 days by default), not the one day a workflow
 * execution timeout used to allow — proven on Temporal's time-skipping test
 * server, which lets days pass in seconds, with the real activities and
 * database.
 */
describe('an approval that waits for days', () => {
  const stack = inject('stack');
  let env: TestWorkflowEnvironment;
  let db: Database;
  let worker: Worker;
  let running: Promise<void>;
  const taskQueue = `long-${randomBytes(4).toString('hex')}`;
  let claimBase: Omit<IdentityClaim, 'subject' | 'email' | 'name'>;

  beforeAll(async () => {
    const path = await ensureTimeSkippingServer(cacheDir(process.env.ONRAMP_CACHE_DIR));
    env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path } } });
    // The test server implements adding search attributes (not listing them): register onramp's directly.
    await env.client.connection.operatorService.addSearchAttributes({
      namespace: env.namespace ?? 'default',
      searchAttributes: Object.fromEntries(Object.entries(SEARCH_ATTRIBUTES).map(([name, type]) => [name, type === 'Keyword' ? 2 : 7])),
    });
    const logger = createLogger('warn');
    db = await connectDatabase(stack.mongoUri, `long_${randomBytes(4).toString('hex')}`, logger);
    const actor = { type: 'admin' as const, id: 'test' };
    const tenant = await createTenantLibrary(createStore(db.models)).create(
      { slug: 'patient', name: 'Patient', jit: { enabled: true, defaultRoles: ['member'] } },
      actor,
    );
    await db.models.tenants.updateOne({ _id: tenant._id }, { $set: { approval: { when: ['new-accounts'], expirySeconds: 7 * 24 * 3600 } } });
    const conn = await createSamlConnectionLibrary(createStore(db.models), 'http://127.0.0.1:1', Buffer.alloc(32, 1)).create(
      tenant._id,
      {
        name: 'IdP',
        idpEntityId: 'https://idp.patient.test',
        ssoUrl: 'https://idp.patient.test/sso',
        certificates: [],
        attributeMapping: { email: 'email', name: 'name', groups: 'groups', custom: {} },
        allowIdpInitiated: false,
        linkPolicy: null,
        allowedDomains: null,
        signatures: 'either',
        allowSha1: false,
        subjectAttribute: null,
        signAuthnRequests: false,
      },
      actor,
    );
    claimBase = { tenantId: String(tenant._id), connectionId: conn.id, emailVerified: true, groups: null, attributes: [] };
    worker = await Worker.create({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      workflowBundle: { codePath: stack.workflowBundlePath },
      activities: createProvisioningActivities({ store: createStore(db.models), logger }),
    });
    running = worker.run();
  });
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
    await db?.close();
  });

  const signIn = (local: string) =>
    createSignInStarter(env.client, {
      taskQueue,
      waitMs: 60_000,
      workflowTaskTimeoutMs: 10_000,
      searchEmail: emailSearchValue({ mode: 'hash', hashKey: randomBytes(32) }),
    }).signIn(
      {
        ...claimBase,
        subject: local,
        email: `${local}@patient.test`,
        name: local,
      },
      `${local}@patient.test`,
    );

  it("is still waiting after two days, and the admin's approval on day two provisions the person", async () => {
    const { decision, workflowId } = await signIn('ada');
    expect(decision.status).toBe('pending');
    const handle = env.client.workflow.getHandle(workflowId);
    // No execution timeout set by onramp (the server shows none as 0, or its own far-off default): never shorter than the longest approval.
    const timeout = Number((await handle.describe()).raw.executionConfig?.workflowExecutionTimeout?.seconds ?? 0);
    expect(timeout === 0 || timeout >= MAX_APPROVAL_EXPIRY_SECONDS).toBe(true);

    await env.sleep('2 days');
    expect((await handle.describe()).status.name).toBe('RUNNING');
    expect((await handle.query(stateQuery)).phase).toBe('awaiting-approval');
    expect((await db.models.approvalRequests.findOne({ workflowId }).lean())?.status).toBe('pending');

    await handle.executeUpdate(approvalUpdate, { args: [{ approve: true, by: 'admin-token', reason: 'back from holiday', roles: null }] });
    expect((await handle.result()).status).toBe('active');
    const user = await db.models.users.findOne({ email: 'ada@patient.test' }).lean();
    expect(await db.models.memberships.countDocuments({ userId: user?._id, status: 'active' })).toBe(1);
    expect(await db.models.auditEvents.countDocuments({ action: 'approval.approved', workflowId })).toBe(1);
  });

  it('expires on its own timer after seven days: audited, nothing provisioned', async () => {
    const { decision } = await signIn('bob');
    expect(decision.status).toBe('pending');
    const handle = env.client.workflow.getHandle(signInWorkflowId(claimBase.connectionId, 'bob'));
    await env.sleep('3 days');
    expect((await handle.describe()).status.name).toBe('RUNNING');
    await env.sleep('5 days');
    const result = await handle.result();
    expect(result).toMatchObject({ status: 'denied', reason: 'approval_expired' });
    expect((await handle.describe()).status.name).toBe('COMPLETED');
    const { workflowId } = handle;
    expect(await db.models.auditEvents.countDocuments({ action: 'approval.expired', workflowId })).toBe(1);
    expect((await db.models.approvalRequests.findOne({ workflowId }).lean())?.status).toBe('expired');
    expect(await db.models.users.countDocuments({ email: 'bob@patient.test' })).toBe(0);
  });
});
