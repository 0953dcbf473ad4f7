import { createStore } from '../../src/store/store';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activitySupport } from '../../activities/support';
import { webhookActivities } from '../../activities/webhooks';
import { open } from '../../src/crypto/secretBox';
import { createLogger } from '../../src/logger';
import { startHarness, type Harness } from '../support/harness';
import { startReceiver, type Receiver } from '../support/webhookReceiver';

interface Answer {
  status: number;
  body: {
    endpoint?: { id: string; enabled: boolean; description: string; types: string[]; secrets: Array<{ id: string }> };
    secret?: string;
    enabled?: boolean;
    error?: { code: string };
  };
}

/**
 * Changes of one webhook endpoint are serialized: each takes the endpoint's
 * next generation under a unique key. Two rotations at once never leave a
 * secret an admin was shown but that does not sign; a run's auto-disable
 * never overrides an admin's later enable.
 */
describe('webhook endpoint changes, one at a time', () => {
  let h: Harness;
  let receiver: Receiver;
  const models = () => h.services.db.models;

  beforeAll(async () => {
    h = await startHarness();
    await h.createTenant('hook-changes');
    receiver = await startReceiver([]);
  });
  afterAll(async () => {
    await receiver?.close();
    await h?.close();
  });

  const call = async (method: string, path: string, body?: unknown): Promise<Answer> =>
    (await h.admin(method, `/tenants/hook-changes/webhooks${path}`, body)) as unknown as Answer;
  const create = async () => {
    const created = await call('POST', '', { url: receiver.url });
    expect(created.status).toBe(201);
    return String(created.body.endpoint?.id);
  };
  /** The secrets that sign now, opened. */
  const signing = async (id: string) => {
    const e = await models().webhookEndpoints.findById(id).lean();
    const now = Date.now();
    return (e?.secrets ?? []).filter((s) => !s.expiresAt || s.expiresAt.getTime() > now).map((s) => open(h.config.encryptionKey, s.sealed));
  };

  it('concurrent rotations: every secret an admin was shown signs; the others are 409 and show none', async () => {
    const id = await create();
    const answers = await Promise.all(Array.from({ length: 8 }, () => call('POST', `/${id}/rotate-secret`, { overlapSeconds: 3600 })));
    expect(answers.every((a) => a.status === 200 || a.status === 409)).toBe(true);
    const won = answers.filter((a) => a.status === 200);
    expect(won.length).toBeGreaterThanOrEqual(1);
    for (const a of answers.filter((x) => x.status === 409)) {
      expect(a.body.error?.code).toBe('webhook_endpoint_changed');
      expect(a.body.secret).toBeUndefined();
    }
    const live = await signing(id);
    for (const a of won) expect(live).toContain(a.body.secret);
    expect(live).toHaveLength(won.length + 1); // the first secret still overlaps
    expect(await models().auditEvents.countDocuments({ action: 'webhook.secret_rotated', 'target.id': id })).toBe(won.length);
  });

  it('concurrent updates and a rotation: each answered 200 is kept, none undoes another', async () => {
    const id = await create();
    const [description, types, rotated] = await Promise.all([
      call('PATCH', `/${id}`, { description: 'billing' }),
      call('PATCH', `/${id}`, { types: ['user.created'] }),
      call('POST', `/${id}/rotate-secret`, { overlapSeconds: 0 }),
    ]);
    for (const a of [description, types, rotated]) expect([200, 409]).toContain(a.status);
    const e = await models().webhookEndpoints.findById(id).lean();
    if (description.status === 200) expect(e?.description).toBe('billing');
    if (types.status === 200) expect(e?.types).toEqual(['user.created']);
    if (rotated.status === 200) expect(await signing(id)).toEqual([rotated.body.secret]);
    const changes = await models().webhookEndpointChanges.countDocuments({ endpointId: id });
    expect(changes).toBe([description, types, rotated].filter((a) => a.status === 200).length);
    expect(e?.generation).toBe(changes);
  });

  describe("a run's auto-disable and an admin's enable", () => {
    const activities = () =>
      webhookActivities(
        activitySupport({
          store: createStore(models()),
          logger: createLogger('silent'),
          webhooks: { policy: h.config.webhooks.policy, encryptionKey: h.config.encryptionKey },
        }),
      );
    /** The run's disable activity, scheduled (the run's decision) at `decidedAt`; retried as Temporal would when a change was taken at the same time. */
    const runDisables = async (id: string, decidedAt: number, eventId: string) => {
      const env = new MockActivityEnvironment({ scheduledTimestampMs: decidedAt });
      const input = { endpointId: id, reason: 'gone' as const, eventId, run: { workflowId: `webhook-${id}`, runId: `run-${eventId}` } };
      for (let attempt = 1; ; attempt++) {
        try {
          return await env.run(activities().disableWebhookEndpoint, input);
        } catch (err) {
          if (attempt >= 10) throw err;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    };
    const disabledAudits = (id: string) => models().auditEvents.countDocuments({ action: 'webhook.endpoint_disabled', 'target.id': id });

    it('a disable the run decided before the admin enabled the endpoint does not apply; one decided after does', async () => {
      const id = await create();
      const decided = Date.now();
      await new Promise((r) => setTimeout(r, 20));
      expect(await call('PATCH', `/${id}`, { enabled: true })).toMatchObject({ status: 200, body: { enabled: true } });
      await runDisables(id, decided, 'evt-before-enable');
      expect(await models().webhookEndpoints.findById(id).lean()).toMatchObject({ enabled: true, disabledReason: null });
      expect(await disabledAudits(id)).toBe(0);

      await runDisables(id, Date.now() + 1, 'evt-after-enable');
      expect(await models().webhookEndpoints.findById(id).lean()).toMatchObject({ enabled: false, disabledReason: expect.stringContaining('410') });
      expect(await disabledAudits(id)).toBe(1);
    });

    it('in parallel: the admin who got 200 for an enable finds the endpoint enabled', async () => {
      for (let round = 0; round < 3; round++) {
        const id = await create();
        const decided = Date.now();
        await new Promise((r) => setTimeout(r, 20));
        const enable = async (): Promise<Answer> => {
          for (let i = 0; i < 10; i++) {
            const a = await call('PATCH', `/${id}`, { enabled: true });
            if (a.status !== 409) return a;
          }
          throw new Error('the enable never went through');
        };
        const [enabled] = await Promise.all([enable(), runDisables(id, decided, `evt-race-${round}`)]);
        expect(enabled).toMatchObject({ status: 200, body: { enabled: true } });
        expect((await models().webhookEndpoints.findById(id).lean())?.enabled).toBe(true);
      }
    });
  });
});
