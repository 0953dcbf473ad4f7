import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listEvents } from '../../src/store/events';
import { newIdp, samlSignIn, useSamlTenant, user, type Harness, type SamlConnectionInfo } from '../support/harness';
import { waitForSignInRuns } from '../support/temporal';
import { startReceiver, type Receiver } from '../support/webhookReceiver';
import { startWorkerProcess, type WorkerProcess } from '../support/workerProcess';

/** The worker is SIGKILLed while a webhook request is in flight: the event still arrives, repeated only under the same webhook-id. */
describe('the worker dies in the middle of a webhook delivery', () => {
  let h: Harness;
  let conn: SamlConnectionInfo;
  const idp = newIdp('hook-crash');
  const workers: WorkerProcess[] = [];
  let receiver: Receiver;
  const env = {
    ONRAMP_WEBHOOK_TIMEOUT_MS: '2000',
    ONRAMP_WEBHOOK_POLL_MS: '500',
    ONRAMP_WEBHOOK_RETRY_SCHEDULE: '0,0.3,0.3,0.3',
    ONRAMP_WORKFLOW_TASK_TIMEOUT_MS: '2000',
  };

  useSamlTenant('hook-crash', idp, (t) => ({ h, conn } = t), { harness: { worker: false, env } });
  beforeAll(async () => {
    // The first request of all hangs (the worker dies while it waits); every later one is answered.
    let first = true;
    receiver = await startReceiver([], () => {
      if (!first) return { status: 200 };
      first = false;
      return 'hang';
    });
  });
  afterAll(async () => {
    for (const w of workers) await w.stop();
    await receiver?.close();
  });

  it('delivers every event after the restart; the repeat carries the same webhook-id and is counted', async () => {
    const doomed = await startWorkerProcess(h, env);
    workers.push(doomed);
    const created = await h.admin('POST', '/tenants/hook-crash/webhooks', { url: receiver.url });
    expect(created.status).toBe(201);
    receiver.state.secrets.push((created.body as unknown as { secret: string }).secret);
    const endpointId = (created.body as unknown as { endpoint: { id: string } }).endpoint.id;

    const who = user('dora', 'hook-crash.test');
    expect((await samlSignIn(conn, idp, who)).status).toBe(303);
    await waitForSignInRuns(h.services.client, conn.id, who.nameId);
    await receiver.waitFor((r) => r.length >= 1);
    doomed.child.kill('SIGKILL');
    expect(await doomed.exited).toBeNull();

    const healthy = await startWorkerProcess(h, env);
    workers.push(healthy);
    const { models } = h.services.db;
    const events = (
      await listEvents(models, { tenantId: String((await models.tenants.findOne({ slug: 'hook-crash' }).lean())?._id), after: null, limit: 100 })
    ).filter((e) => e.userId !== null);
    expect(events.map((e) => e.type)).toEqual(['user.created', 'identity.linked', 'membership.created']);
    await receiver.waitFor((r) => r.filter((x) => x.status === 200).length >= events.length, 60_000);

    // Every event delivered once with a 2xx, in order; the only repeat is the interrupted one, under its own webhook-id.
    const ok = receiver.delivered();
    expect(ok.map((r) => r.eventId)).toEqual(events.map((e) => e.id));
    const repeats = receiver.received.length - new Set(receiver.received.map((r) => r.webhookId)).size;
    expect(repeats).toBe(1);
    expect(receiver.received[0]?.webhookId).toBe(events[0]?.id);
    expect(receiver.received.every((r) => r.verifiedBy.includes(0))).toBe(true);
    // The log shows the delivered attempt of the interrupted event (the killed send never reported back).
    const log = await h.admin('GET', `/tenants/hook-crash/webhooks/${endpointId}/attempts?eventId=${events[0]?.id}`);
    expect(log.body.data.map((a) => a.outcome)).toContain('delivered');
    // Each event's live delivery is finished once (recorded just after the receiver's answer).
    for (let i = 0; i < 50 && (await models.webhookDeliveries.countDocuments({ endpointId })) < events.length; i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(await models.webhookDeliveries.countDocuments({ endpointId })).toBe(events.length);
  });
});
