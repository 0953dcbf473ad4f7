import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBacklogs } from '../../src/store/backlogs';
import { createSamlIdp, generateIdpKeys } from '../../src/demo/samlIdp';
import { nextEventId } from '../../src/store/events';
import { newIdp, postAcs, samlSignIn, startHarness, user, type Harness, type SamlConnectionInfo } from '../support/harness';
import { delta, parseExposition, scrape, type Sample } from '../support/metrics';
import { createDirectory } from '../support/scimClient';
import { waitForSignInRuns } from '../support/temporal';

/**
 * `/metrics` on the web app (the operator's token) and on the metrics port:
 * each answered sign-in moves its counter and its latency histogram by
 * exactly one, under its protocol, outcome and reason — and nothing else.
 */
describe('metrics', () => {
  let h: Harness;
  const idps = { open: newIdp('metrics-open'), closed: newIdp('metrics-closed'), waiting: newIdp('metrics-waiting') };
  const conns = {} as Record<keyof typeof idps, SamlConnectionInfo>;

  beforeAll(async () => {
    // Gauges read from the database are re-read after half a second (10 s in production), so the polls below end soon.
    h = await startHarness({ env: { ONRAMP_METRICS_PORT: '0', ONRAMP_METRICS_BACKLOG_TTL_MS: '500' } });
    await h.createTenant('metrics-open');
    await h.createTenant('metrics-closed', { enabled: false, defaultRoles: ['member'] });
    await h.createTenant('metrics-waiting');
    await h.admin('PUT', '/tenants/metrics-waiting/approval-policy', { when: ['new-accounts'] });
    for (const k of Object.keys(idps) as (keyof typeof idps)[]) conns[k] = await h.createSamlConnection(`metrics-${k}`, idps[k]);
  });
  afterAll(async () => h?.close());

  const metrics = () => scrape(`${h.url}/metrics`, h.adminToken);

  /** Sign in, then: the only sign-in series that moved is `series`, by one, and its histogram counted one observation. */
  async function expectCounted(signIn: () => Promise<{ status: number }>, status: number, series: { outcome: string; reason: string }) {
    const before = await metrics();
    expect((await signIn()).status).toBe(status);
    const after = await metrics();
    expect(delta(before, after, 'onramp_signins_total')).toEqual({ [`outcome=${series.outcome},protocol=saml,reason=${series.reason}`]: 1 });
    expect(delta(before, after, 'onramp_signin_duration_seconds_count')).toEqual({ [`outcome=${series.outcome},protocol=saml`]: 1 });
    return after;
  }

  it('refuses /metrics without the operator token (401 unauthorized), with another token too', async () => {
    const bare = await fetch(`${h.url}/metrics`);
    expect(bare.status).toBe(401);
    const page = await bare.text();
    expect(page).toContain('unauthorized');
    expect(page).not.toContain('onramp_signins_total');
    const wrong = await fetch(`${h.url}/metrics`, { headers: { authorization: `Bearer ${randomBytes(24).toString('base64url')}` } });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).not.toContain('onramp_signins_total');
  });

  it('a success counts once (reason: how the account was reached)', async () => {
    const who = user('sam', 'metrics-open.test');
    await expectCounted(() => samlSignIn(conns.open, idps.open, who), 303, { outcome: 'success', reason: 'jit' });
    await waitForSignInRuns(h.services.client, conns.open.id, who.nameId);
    expect(await h.services.db.models.memberships.countDocuments({ tenantId: conns.open.tenantId })).toBe(1);
    // Again: the same person returning.
    await expectCounted(() => samlSignIn(conns.open, idps.open, who), 303, { outcome: 'success', reason: 'returning' });
  });

  it('a denial, a pending approval and a refused response count once each, under their reason codes', async () => {
    const mallory = user('mallory', 'metrics-closed.test');
    await expectCounted(() => samlSignIn(conns.closed, idps.closed, mallory), 403, { outcome: 'denied', reason: 'jit_disabled' });
    await waitForSignInRuns(h.services.client, conns.closed.id, mallory.nameId);
    expect(await h.services.db.models.users.countDocuments({ email: mallory.email })).toBe(0);

    const wanda = user('wanda', 'metrics-waiting.test');
    await expectCounted(() => samlSignIn(conns.waiting, idps.waiting, wanda), 202, { outcome: 'pending', reason: 'approval_required' });
    expect(await h.services.db.models.approvalRequests.countDocuments({ status: 'pending' })).toBe(1);
    // The pending-approvals gauge sees the request (read from the database at a scrape, at most ONRAMP_METRICS_BACKLOG_TTL_MS old).
    const gauge = async () => (await metrics()).find((s) => s.name === 'onramp_approvals_pending')?.value;
    await expect.poll(gauge, { timeout: 15_000, interval: 250 }).toBe(1);

    // A response whose signed content was altered: rejected, audited as such, nothing provisioned.
    const eve = user('eve', 'metrics-open.test');
    const tampered = async () => {
      const login = await fetch(conns.open.loginUrl, { redirect: 'manual' });
      const r = await idps.open.respond(conns.open.metadataXml, login.headers.get('location'), eve);
      const xml = Buffer.from(r.SAMLResponse, 'base64')
        .toString('utf8')
        .replace('eve@metrics-open.test</saml:AttributeValue>', 'ceo@metrics-open.test</saml:AttributeValue>');
      return postAcs(r.acsUrl, Buffer.from(xml).toString('base64'));
    };
    await expectCounted(tampered, 401, { outcome: 'rejected', reason: 'saml_invalid_signature' });
    expect(await h.services.db.models.auditEvents.countDocuments({ action: 'signin.rejected', reason: 'saml_invalid_signature' })).toBe(1);
    expect(await h.services.db.models.users.countDocuments({ email: { $in: [eve.email, 'ceo@metrics-open.test'] } })).toBe(0);
  });

  it('counts SCIM requests by directory and outcome; a request without a valid token under `unauthenticated`', async () => {
    const dir = await createDirectory(h, 'metrics-open');
    const before = await metrics();
    expect((await dir.call('GET', '/Users')).status).toBe(200);
    const refused = await fetch(`${dir.baseUrl}/Users`, { headers: { authorization: 'Bearer not-a-token' } });
    expect(refused.status).toBe(401);
    const after = await metrics();
    expect(delta(before, after, 'onramp_scim_requests_total')).toEqual({
      [`directory=${dir.id},method=GET,outcome=ok,resource=Users`]: 1,
      'directory=unauthenticated,method=GET,outcome=refused,resource=Users': 1,
    });
  });

  it("reads the webhook backlog from each enabled endpoint's position, for its tenant only, in counts that stop at the cap", async () => {
    const { models } = h.services.db;
    const tenant = await h.createTenant('metrics-backlog');
    const other = await h.createTenant('metrics-backlog-other');
    const startAfter = nextEventId();
    await models.webhookEndpoints.create({ _id: 'wh_metrics_backlog', tenantId: tenant.id, url: 'https://receiver.invalid/hook', startAfter });
    const event = (tenantId: string, i: number) => ({
      _id: nextEventId(),
      key: `metrics-backlog-${tenantId}-${i}`,
      type: 'user.created',
      tenantId,
      payload: '{}',
      recordedAt: new Date(),
    });
    await models.events.insertMany([0, 1, 2].map((i) => event(tenant.id, i)));
    await models.events.insertMany([0, 1].map((i) => event(other.id, i)));
    expect((await readBacklogs(models, 10_000)).webhookBacklog).toBe(3);
    expect((await readBacklogs(models, 2)).webhookBacklog).toBe(2);
    // Delivered up to the second event: one left; a disabled endpoint has none.
    const [, second] = await models.events.find({ tenantId: tenant.id }).sort({ _id: 1 }).lean();
    await models.webhookRunStates.create({ _id: 'wh_metrics_backlog', cursor: second?._id });
    expect((await readBacklogs(models, 10_000)).webhookBacklog).toBe(1);
    await models.webhookEndpoints.updateOne({ _id: 'wh_metrics_backlog' }, { $set: { enabled: false } });
    expect((await readBacklogs(models, 10_000)).webhookBacklog).toBe(0);
  });

  it("shows each enabled SAML connection's soonest certificate expiry in seconds; a disabled one is left out", async () => {
    const tenant = await h.createTenant('metrics-certs');
    const at = { entityId: 'https://idp.metrics-certs.test/metadata', ssoUrl: 'https://idp.metrics-certs.test/sso' };
    const soon = await h.createSamlConnection('metrics-certs', createSamlIdp({ ...at, keys: generateIdpKeys('metrics soon', 10) }));
    // Two certificates, a year and two years: the sooner counts.
    const later = await h.admin('POST', '/tenants/metrics-certs/connections/saml', {
      name: 'Later',
      idpEntityId: 'https://idp.metrics-later.test/metadata',
      ssoUrl: 'https://idp.metrics-later.test/sso',
      certificates: [generateIdpKeys('metrics 2y', 730).certificate, generateIdpKeys('metrics 1y', 365).certificate],
    });
    expect(later.status).toBe(201);
    const laterId = (later.body as unknown as { id: string }).id;
    const expiry = async (connection: string) =>
      (await metrics()).find((s) => s.name === 'onramp_saml_certificate_expiry_seconds' && s.labels.connection === connection && s.labels.tenant === tenant.id)
        ?.value;
    // The gauges are read at most every 10 s.
    await expect.poll(() => expiry(soon.id), { timeout: 15_000, interval: 250 }).toBeDefined();
    const tenDays = 864_000;
    expect(await expiry(soon.id)).toBeGreaterThan(tenDays - 2 * 86_400);
    expect(await expiry(soon.id)).toBeLessThanOrEqual(tenDays);
    expect(await expiry(laterId)).toBeGreaterThan(364 * 86_400);
    expect(await expiry(laterId)).toBeLessThanOrEqual(365 * 86_400);

    expect((await h.admin('PATCH', `/tenants/metrics-certs/connections/${soon.id}`, { enabled: false })).status).toBe(200);
    await expect.poll(() => expiry(soon.id), { timeout: 15_000, interval: 250 }).toBeUndefined();
  });

  it('serves the same metrics, /healthz and /readyz on the metrics port without a token', async () => {
    const port = h.services.metricsUrl ?? '';
    expect(port).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const samples: Sample[] = await scrape(`${port}/metrics`);
    const names = new Set(samples.map((s) => s.name));
    for (const n of ['onramp_signins_total', 'onramp_approvals_pending', 'onramp_webhook_backlog', 'onramp_outbox_backlog', 'process_cpu_user_seconds_total'])
      expect(names, n).toContain(n);
    expect((await fetch(`${port}/healthz`)).status).toBe(200);
    const ready = await fetch(`${port}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      ready: true,
      checks: [
        { name: 'database', ok: true },
        { name: 'temporal', ok: true },
        { name: 'workers', ok: true },
      ],
    });
    expect((await fetch(`${port}/api/admin/tenants`)).status).toBe(404);
    expect(parseExposition('# HELP x y\nx{a="b"} 2\n')).toEqual([{ name: 'x', labels: { a: 'b' }, value: 2 }]);
  });
});
