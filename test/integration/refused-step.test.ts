import { describe, expect, it } from 'vitest';
import { signInWorkflowId } from '../../src/runs/signInClient';
import { SA_OUTCOME } from '../../src/runs/searchAttributes';
import { newIdp, samlSignIn, useSamlTenant, type Harness, type SamlConnectionInfo } from '../support/harness';

/**
 * A step the database refuses for good (here: a real refusal
 * from the server, as a claim it cannot store would get) ends the sign-in at
 * once with a reason code, audited once — not retried until the login gives up.
 */
describe('a step the database refuses', () => {
  let h: Harness;
  let conn: SamlConnectionInfo;
  const idp = newIdp('refused');

  useSamlTenant('refused', idp, (t) => ({ h, conn } = t), { harness: { faults: { refuseActivity: 'ensureUser' } } });

  it('answers with provisioning_failed and a reference, tried once, audited once, the run failed for ops to find', async () => {
    const started = Date.now();
    const res = await samlSignIn(conn, idp, { nameId: 'rita', email: 'rita@refused.test', name: 'Rita' });
    const tookMs = Date.now() - started;
    expect(res.status).toBe(500);
    expect(res.body).toContain('Sign-in could not be completed');
    expect(res.body).toContain('provisioning_failed');
    const workflowId = signInWorkflowId(conn.id, 'rita');
    expect(res.body).toContain(workflowId);
    expect(tookMs).toBeLessThan(10_000); // far from the 30 s the login would wait for a retried step

    const handle = h.services.client.workflow.getHandle(workflowId);
    await expect(handle.result()).rejects.toThrow();
    const description = await handle.describe();
    expect(description.status.name).toBe('FAILED');
    expect(description.searchAttributes[SA_OUTCOME.name]).toEqual(['Failed']);
    // One attempt of the refused step: its local-activity marker says attempt 1, and there is no other.
    const history = await handle.fetchHistory();
    const markers = (history.events ?? []).flatMap((e) => {
      const data = e.markerRecordedEventAttributes?.details?.data?.payloads?.[0]?.data;
      return data ? [JSON.parse(new TextDecoder().decode(data)) as { activity_type: string; attempt: number }] : [];
    });
    expect(markers.filter((m) => m.activity_type === 'ensureUser')).toEqual([expect.objectContaining({ attempt: 1 })]);
    const failed = await h.services.db.models.auditEvents.findOne({ action: 'signin.failed', workflowId }).lean();
    expect(failed?.context).toMatchObject({ step: 'ensureUser', message: expect.stringContaining('ensureUser step was refused') });
    expect(JSON.stringify(failed?.context)).not.toContain('refusedByTheDatabase'); // the refusal's own text stays in the log
    const { models } = h.services.db;
    expect(await models.auditEvents.countDocuments({ action: 'signin.failed', reason: 'provisioning_failed', workflowId })).toBe(1);
    expect(await models.users.countDocuments()).toBe(0);
    expect(await models.auditEvents.countDocuments({ action: 'signin.rejected' })).toBe(0);
  });
});
