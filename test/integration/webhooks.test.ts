import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { sweepExpired } from '../../src/store/sweeper';
import { signInWorkflowId } from '../../src/runs/signInClient';
import { newIdp, samlSignIn, startHarness, user, type Harness, type SamlConnectionInfo } from '../support/harness';
import { waitForSignInRuns } from '../support/temporal';
import { startDnsServer, type TestDnsServer } from '../support/dnsServer';
import { startReceiver, type Receiver } from '../support/webhookReceiver';

interface Endpoint {
  endpoint: { id: string; enabled: boolean; disabledReason: string | null; secrets: Array<{ id: string }> };
  secret: string;
}
interface EventRow {
  id: string;
  type: string;
  actor: { type: string };
  userId: string | null;
  data: Record<string, unknown>;
}

/** Short retry schedule and poll so the whole schedule runs within a test; the events API answers at once. */
const FAST = {
  ONRAMP_WEBHOOK_RETRY_SCHEDULE: '0,0.3,0.3,0.3',
  ONRAMP_WEBHOOK_POLL_MS: '500',
  ONRAMP_EVENTS_SETTLE_MS: '0',
  ONRAMP_WEBHOOK_TIMEOUT_MS: '3000',
};

describe('webhooks: every event of Sarah, Peter, an approval and a revoke, signed, once, in order', () => {
  let h: Harness;
  const sfIdp = newIdp('sf-hooks');
  const mtIdp = newIdp('mt-hooks');
  let sf: SamlConnectionInfo;
  let mt: SamlConnectionInfo;
  let receiver: Receiver;
  let hook: Endpoint;
  /** The operator's endpoint: every tenant's events. */
  let operator: Receiver;
  /** The tenant's events before the endpoint existed (its groups, its connection): not sent to it. */
  let earlier = 0;

  beforeAll(async () => {
    h = await startHarness({ env: FAST });
    await h.createTenant('superfantasy');
    await h.createTenant('magictech');
    sf = await h.createSamlConnection('superfantasy', sfIdp);
    mt = await h.createSamlConnection('magictech', mtIdp);
    expect((await h.admin('POST', '/tenants/superfantasy/groups', { name: 'engineering' })).status).toBe(201);
    expect((await h.admin('POST', '/tenants/superfantasy/groups', { name: 'administrators' })).status).toBe(201);
    const mappings = [
      { value: 'eng', group: 'engineering' },
      { value: 'admins', group: 'administrators' },
    ];
    expect((await h.admin('PUT', `/tenants/superfantasy/connections/${sf.id}/group-sync`, { mode: 'full', mappings })).status).toBe(200);
    operator = await startReceiver([]);
    const operatorHook = await h.admin('POST', '/webhooks', { url: operator.url, types: ['user.created'] });
    expect(operatorHook.status).toBe(201);
    operator.state.secrets.push((operatorHook.body as unknown as Endpoint).secret);
    // Peter and Paula already have accounts from MagicTech.
    for (const who of ['peter', 'paula']) {
      expect((await samlSignIn(mt, mtIdp, user(who, 'magictech.test'))).status).toBe(303);
      await waitForSignInRuns(h.services.client, mt.id, `${who}@magictech.test`);
    }
    receiver = await startReceiver([]);
    const created = await h.admin('POST', '/tenants/superfantasy/webhooks', { url: receiver.url, description: 'host app' });
    expect(created.status).toBe(201);
    hook = created.body as unknown as Endpoint;
    expect(hook.secret).toMatch(/^whsec_/);
    receiver.state.secrets.push(hook.secret);
    earlier = (await tenantEvents()).length;
  });
  afterAll(async () => {
    await receiver?.close();
    await operator?.close();
    await h?.close();
  });

  const tenantEvents = async (path = '/tenants/superfantasy/events'): Promise<EventRow[]> => {
    const all: EventRow[] = [];
    let after = '';
    for (;;) {
      const page = await h.admin('GET', `${path}?limit=100${after ? `&after=${after}` : ''}`);
      expect(page.status).toBe(200);
      const body = page.body as unknown as { data: EventRow[]; nextCursor: string; hasMore: boolean };
      all.push(...body.data);
      if (!body.hasMore) return all;
      after = body.nextCursor;
    }
  };

  it('delivers what the events API lists, each event once, in ID order, verified by standardwebhooks', async () => {
    // Sarah: first sign-in with two groups, then one group revoked.
    // Her first sign-in double-clicked: two assertions at once attach to one run.
    const sarah = { ...user('sarah'), groups: ['eng', 'admins'] };
    const both = await Promise.all([samlSignIn(sf, sfIdp, sarah), samlSignIn(sf, sfIdp, sarah)]);
    expect(both.map((r) => r.status)).toEqual([303, 303]);
    await waitForSignInRuns(h.services.client, sf.id, sarah.nameId);
    expect((await samlSignIn(sf, sfIdp, { ...sarah, groups: ['eng'] })).status).toBe(303);
    await waitForSignInRuns(h.services.client, sf.id, sarah.nameId);
    // Peter: the acquired company's domain links automatically.
    expect((await h.admin('PUT', '/tenants/superfantasy/domains', { domains: [{ domain: 'magictech.test', verified: true }] })).status).toBe(200);
    expect((await h.admin('PUT', '/tenants/superfantasy/link-policy', { policy: 'auto', fallback: 'deny' })).status).toBe(200);
    const peter = { nameId: 'peter-sf', email: 'peter@magictech.test', name: 'Peter' };
    expect((await samlSignIn(sf, sfIdp, peter)).status).toBe(303);
    await waitForSignInRuns(h.services.client, sf.id, peter.nameId);
    // Paula: the link waits for an admin, who approves.
    expect((await h.admin('PUT', '/tenants/superfantasy/link-policy', { policy: 'approval', fallback: 'deny' })).status).toBe(200);
    const paula = { nameId: 'paula-sf', email: 'paula@magictech.test', name: 'Paula' };
    expect((await samlSignIn(sf, sfIdp, paula)).status).toBe(202);
    const pending = (await h.admin('GET', '/tenants/superfantasy/approvals')).body.data;
    expect(pending).toHaveLength(1);
    expect((await h.admin('POST', `/tenants/superfantasy/approvals/${encodeURIComponent(pending[0]?.id ?? '')}/approve`, {})).status).toBe(200);
    await h.services.client.workflow.getHandle(signInWorkflowId(sf.id, paula.nameId)).result();

    const events = (await tenantEvents()).slice(earlier);
    const types = new Set(events.map((e) => e.type));
    for (const t of ['user.created', 'membership.created', 'group.granted', 'group.revoked', 'identity.linked', 'approval.requested', 'approval.decided'])
      expect(types).toContain(t);
    expect(events.filter((e) => e.type === 'approval.decided')[0]?.data.decision).toBe('approved');
    expect(events.filter((e) => e.type === 'group.revoked')).toHaveLength(1);
    // The double click wrote each of Sarah's facts once.
    const sarahId = String((await h.services.db.models.users.findOne({ email: sarah.email }).lean())?._id);
    const hers = events.filter((e) => e.userId === sarahId).map((e) => e.type);
    expect(hers.filter((t) => t === 'user.created')).toHaveLength(1);
    expect(hers.filter((t) => t === 'membership.created')).toHaveLength(1);
    expect(hers.filter((t) => t === 'group.granted')).toHaveLength(2);
    // Peter's link names his existing account, not a new one.
    const peterId = String((await h.services.db.models.users.findOne({ email: 'peter@magictech.test' }).lean())?._id);
    expect(events.filter((e) => e.type === 'identity.linked' && e.userId === peterId)).toHaveLength(1);
    expect(events.filter((e) => e.type === 'user.created' && e.userId === peterId)).toHaveLength(0);
    expect(events.filter((e) => e.type === 'user.created')[0]?.actor.type).toBe('signin');

    await receiver.waitFor((r) => r.filter((x) => x.status === 200).length >= events.length);
    const got = receiver.delivered();
    expect(got.map((r) => r.eventId)).toEqual(events.map((e) => e.id));
    expect(new Set(got.map((r) => r.webhookId)).size).toBe(got.length);
    expect(got.every((r) => r.webhookId === r.eventId && r.verifiedBy.includes(0))).toBe(true);
    // Nothing of the other tenant reached this tenant's endpoint.
    expect(got.some((r) => r.type === 'user.created' && r.eventId === events.find((e) => e.userId === peterId && e.type === 'user.created')?.id)).toBe(false);
    // The delivery log has one delivered attempt per event.
    const log = await h.admin('GET', `/tenants/superfantasy/webhooks/${hook.endpoint.id}/attempts?limit=200`);
    expect(log.body.data.filter((a) => a.outcome === 'delivered')).toHaveLength(events.length);

    // The operator's endpoint got every tenant's user.created, as the operator's events API lists them.
    const everyone = (await tenantEvents('/events')).filter((e) => e.type === 'user.created');
    expect(everyone.length).toBeGreaterThanOrEqual(3);
    await operator.waitFor((r) => r.filter((x) => x.status === 200).length >= everyone.length);
    expect(operator.delivered().map((r) => r.eventId)).toEqual(everyone.map((e) => e.id));
    // The tenant's endpoint is not the operator's.
    expect((await h.admin('GET', `/webhooks/${hook.endpoint.id}`)).status).toBe(404);
  });

  it('answers 500 three times, then 200: delivered on the fourth attempt, later events after it', async () => {
    const fails = new Map<string, number>();
    receiver.state.responder = ({ webhookId, nth }) => {
      if (fails.size === 0 || fails.has(webhookId)) {
        fails.set(webhookId, nth);
        if (nth <= 3) return { status: 500 };
      }
      return { status: 200 };
    };
    const before = receiver.received.length;
    const kim = user('kim');
    expect((await samlSignIn(sf, sfIdp, kim)).status).toBe(303);
    await waitForSignInRuns(h.services.client, sf.id, kim.nameId);
    const kimId = String((await h.services.db.models.users.findOne({ email: kim.email }).lean())?._id);
    const expected = (await tenantEvents()).filter((e) => e.userId === kimId);
    expect(expected.length).toBeGreaterThanOrEqual(2);
    await receiver.waitFor((r) => r.slice(before).filter((x) => x.status === 200).length >= expected.length);
    const mine = receiver.received.slice(before);
    const [first] = expected;
    expect(mine.slice(0, 4).map((r) => [r.eventId, r.status])).toEqual([
      [first?.id, 500],
      [first?.id, 500],
      [first?.id, 500],
      [first?.id, 200],
    ]);
    expect(mine.filter((r) => r.status === 200).map((r) => r.eventId)).toEqual(expected.map((e) => e.id));
    const log = await h.admin('GET', `/tenants/superfantasy/webhooks/${hook.endpoint.id}/attempts?eventId=${first?.id}`);
    expect(log.body.data.map((a) => `${a.attempt}:${a.status}:${a.outcome}`).sort()).toEqual([
      '1:500:failed',
      '2:500:failed',
      '3:500:failed',
      '4:200:delivered',
    ]);
    receiver.state.responder = () => ({ status: 200 });
  });

  it('resends one event and replays from a cursor, with the same webhook-id as before', async () => {
    const events = await tenantEvents();
    const target = events[2];
    const before = receiver.received.length;
    const resent = await h.admin('POST', `/tenants/superfantasy/webhooks/${hook.endpoint.id}/resend`, { eventId: target?.id });
    expect(resent.status).toBe(202);
    await receiver.waitFor((r) => r.length > before);
    expect(receiver.received[before]).toMatchObject({ webhookId: target?.id, status: 200 });

    const from = events[events.length - 4];
    const mark = receiver.received.length;
    expect((await h.admin('POST', `/tenants/superfantasy/webhooks/${hook.endpoint.id}/replay`, { after: from?.id })).status).toBe(202);
    await receiver.waitFor((r) => r.length >= mark + 3);
    expect(receiver.received.slice(mark).map((r) => r.eventId)).toEqual(events.slice(-3).map((e) => e.id));
    expect((await h.admin('POST', `/tenants/superfantasy/webhooks/${hook.endpoint.id}/replay`, { after: 'nope' })).status).toBe(400);
    expect((await h.admin('POST', `/tenants/magictech/webhooks/${hook.endpoint.id}/resend`, { eventId: target?.id })).status).toBe(404);
  });

  it('after the retention period the sweep removes events and attempts; the API answers what is left', async () => {
    const before = await tenantEvents();
    const { models } = h.services.db;
    const removed = await sweepExpired(models, new Date(Date.now() + 31 * 86_400_000), h.config.events.retentionMs);
    expect(removed.events).toBeGreaterThanOrEqual(before.length);
    expect(removed.webhookAttempts).toBeGreaterThan(0);
    expect(await tenantEvents()).toEqual([]);
    expect((await h.admin('GET', `/tenants/superfantasy/events?after=${before.at(-1)?.id}`)).body).toMatchObject({
      data: [],
      nextCursor: before.at(-1)?.id,
      hasMore: false,
    });
    // A resend of a swept event is refused plainly.
    expect((await h.admin('POST', `/tenants/superfantasy/webhooks/${hook.endpoint.id}/resend`, { eventId: before[0]?.id })).status).toBe(404);
  });

  it('rotates the secret: both signatures during the overlap, only the new one after', async () => {
    const rotated = await h.admin('POST', `/tenants/superfantasy/webhooks/${hook.endpoint.id}/rotate-secret`, { overlapSeconds: 3600 });
    expect(rotated.status).toBe(200);
    const next = (rotated.body as unknown as Endpoint).secret;
    expect(next).not.toBe(hook.secret);
    receiver.state.secrets.push(next);
    const mark = receiver.received.length;
    const lee = user('lee');
    expect((await samlSignIn(sf, sfIdp, lee)).status).toBe(303);
    await receiver.waitFor((r) => r.length > mark);
    expect(receiver.received[mark]?.verifiedBy).toEqual([0, 1]);
    // The listing never shows a secret again.
    const listed = await h.admin('GET', `/tenants/superfantasy/webhooks/${hook.endpoint.id}`);
    expect(JSON.stringify(listed.body)).not.toContain('whsec_');

    const now = await h.admin('POST', `/tenants/superfantasy/webhooks/${hook.endpoint.id}/rotate-secret`, { overlapSeconds: 0 });
    receiver.state.secrets.push((now.body as unknown as Endpoint).secret);
    const mark2 = receiver.received.length;
    const max = user('max');
    expect((await samlSignIn(sf, sfIdp, max)).status).toBe(303);
    await receiver.waitFor((r) => r.length > mark2);
    expect(receiver.received[mark2]?.verifiedBy).toEqual([2]);
    // A tampered body fails verification with the library.
    expect(() =>
      new Webhook(hook.secret).verify('{}', { 'webhook-id': 'x', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': 'v1,abc' }),
    ).toThrow();
  });
});

describe('webhooks: endpoints that fail', () => {
  let h: Harness;
  const idp = newIdp('fail-hooks');
  let conn: SamlConnectionInfo;
  const receivers: Receiver[] = [];

  beforeAll(async () => {
    h = await startHarness({ env: FAST });
    await h.createTenant('failing');
    conn = await h.createSamlConnection('failing', idp);
  });
  afterAll(async () => {
    for (const r of receivers) await r.close();
    await h?.close();
  });
  const endpoint = async (responder: Parameters<typeof startReceiver>[1]) => {
    const r = await startReceiver([], responder);
    receivers.push(r);
    const created = await h.admin('POST', '/tenants/failing/webhooks', { url: r.url, types: ['user.created', 'membership.*'] });
    expect(created.status).toBe(201);
    const body = created.body as unknown as Endpoint;
    r.state.secrets.push(body.secret);
    return { r, id: body.endpoint.id };
  };
  const signIn = async (local: string) => {
    const who = user(local, 'failing.test');
    expect((await samlSignIn(conn, idp, who)).status).toBe(303);
    await waitForSignInRuns(h.services.client, conn.id, who.nameId);
  };
  const endpointState = async (id: string) => (await h.admin('GET', `/tenants/failing/webhooks/${id}`)).body as unknown as Endpoint['endpoint'];

  it('a 410 disables the endpoint (audited, an event); a dead endpoint holds up neither sign-ins nor a healthy endpoint', async () => {
    const gone = await endpoint(() => ({ status: 410 }));
    const dead = await endpoint(() => 'hang');
    const healthy = await endpoint(() => ({ status: 200 }));
    await signIn('ann');
    await signIn('bob');
    await healthy.r.waitFor((r) => r.filter((x) => x.status === 200).length >= 4);
    expect(healthy.r.delivered().map((x) => x.type)).toEqual(['user.created', 'membership.created', 'user.created', 'membership.created']);
    expect(dead.r.received.length).toBeLessThanOrEqual(2);
    await gone.r.waitFor((r) => r.length >= 1);
    for (let i = 0; i < 50 && (await endpointState(gone.id)).enabled; i++) await new Promise((r) => setTimeout(r, 200));
    const state = await endpointState(gone.id);
    expect(state.enabled).toBe(false);
    expect(state.disabledReason).toContain('410');
    expect(gone.r.received).toHaveLength(1);
    const audits = await h.services.db.models.auditEvents.find({ action: 'webhook.endpoint_disabled', 'target.id': gone.id }).lean();
    expect(audits).toHaveLength(1);
    const ops = await h.admin('GET', '/events?types=webhook.endpoint_disabled');
    expect(ops.body.data).toHaveLength(1);
  });

  it('an endpoint failing for the whole schedule is disabled; Retry-After is honoured', async () => {
    const failing = await endpoint(() => ({ status: 503, headers: { 'retry-after': '1' } }));
    await signIn('cat');
    for (let i = 0; i < 100 && (await endpointState(failing.id)).enabled; i++) await new Promise((r) => setTimeout(r, 200));
    const state = await endpointState(failing.id);
    expect(state.enabled).toBe(false);
    expect(state.disabledReason).toContain('failed for the whole retry schedule');
    // Four attempts (the schedule's length), each at least the asked second after the one before.
    expect(failing.r.received).toHaveLength(4);
    const gaps = failing.r.received.slice(1).map((x, i) => x.at - (failing.r.received[i]?.at ?? 0));
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(950);
    // Enabling again starts from now; replay brings back what was missed.
    const enabled = await h.admin('PATCH', `/tenants/failing/webhooks/${failing.id}`, { enabled: true });
    expect(enabled.body).toMatchObject({ enabled: true, disabledReason: null });
  });

  it('refuses endpoint input it cannot use, with a clear error', async () => {
    const bad = await h.admin('POST', '/tenants/failing/webhooks', { url: 'ftp://example.com/hook' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
    const types = await h.admin('POST', '/tenants/failing/webhooks', { url: 'https://example.com/hook', types: ['user.exploded'] });
    expect(types.status).toBe(400);
    expect(types.body.error.message).toContain('user.exploded');
    expect((await h.admin('GET', '/tenants/failing/webhooks/whe_000000000000000000000000')).status).toBe(404);
    // The events API: exact types and event-ID cursors only.
    for (const q of ['types=user.exploded', 'types=group.*', 'limit=0']) {
      const res = await h.admin('GET', `/tenants/failing/events?${q}`);
      expect(res.status, q).toBe(400);
      expect(res.body.error.code, q).toBe('validation_failed');
    }
    const cursor = await h.admin('GET', '/tenants/failing/events?after=nope');
    expect(cursor.status).toBe(400);
    expect(cursor.body.error.code).toBe('invalid_cursor');
    expect((await h.admin('GET', '/tenants/nobody/events')).status).toBe(404);
  });
});

describe('webhooks: outbound protections as in production', () => {
  let h: Harness;
  let dns: TestDnsServer;
  beforeAll(async () => {
    dns = await startDnsServer();
    dns.setAddresses('hooks.internal.test', ['127.0.0.1']);
    h = await startHarness({
      env: { ...FAST, ONRAMP_WEBHOOK_ALLOW_HTTP: 'false', ONRAMP_WEBHOOK_ALLOW_PRIVATE_ADDRESSES: 'false', ONRAMP_DNS_SERVERS: dns.address },
    });
    await h.createTenant('guarded');
  });
  afterAll(async () => {
    await h?.close();
    await dns?.close();
  });

  it('refuses http, loopback, link-local metadata and private addresses when saved', async () => {
    for (const url of [
      'http://example.com/hook',
      'https://127.0.0.1/hook',
      'https://169.254.169.254/latest/meta-data',
      'https://10.1.2.3/hook',
      'https://[::1]/hook',
      'https://localhost/hook',
    ]) {
      const res = await h.admin('POST', '/tenants/guarded/webhooks', { url });
      expect(res.status, url).toBe(400);
    }
    expect((await h.admin('GET', '/tenants/guarded/webhooks')).body.data).toHaveLength(0);
  });

  it('a name that resolves to loopback is refused at delivery: nothing is sent, the attempt says why', async () => {
    const created = await h.admin('POST', '/tenants/guarded/webhooks', { url: 'https://hooks.internal.test/hook' });
    expect(created.status).toBe(201);
    const id = (created.body as unknown as Endpoint).endpoint.id;
    expect((await h.admin('POST', '/tenants/guarded/groups', { name: 'ops' })).status).toBe(201);
    let attempts: Array<Record<string, string>> = [];
    for (let i = 0; i < 100 && attempts.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 200));
      attempts = (await h.admin('GET', `/tenants/guarded/webhooks/${id}/attempts`)).body.data;
    }
    expect(attempts[0]).toMatchObject({ outcome: 'refused', status: null });
    expect(attempts[0]?.error).toMatch(/address_not_allowed/);
  });
});
