import type { Request } from 'express';
import { describe, expect, it } from 'vitest';
import { createReadiness } from '../../src/library/readiness';
import { methodLabel, outcomeOfStatus, reasonLabel, scimResourceOf, signInProtocolOf } from '../../src/metrics/labels';
import { countSignInDecision, countSignInFailure, markStart, metricsText, registry, setBacklogSource } from '../../src/metrics/registry';
import { rpcName } from '../../src/runs/clientMetrics';

/** A counter's value for exactly these labels (0 when never counted). */
async function valueOf(name: string, labels: Record<string, string>): Promise<number> {
  const metric = registry.getSingleMetric(name);
  const data = await metric?.get();
  const found = data?.values.find((v) => Object.entries(labels).every(([k, want]) => v.labels[k] === want));
  return found?.value ?? 0;
}

const request = (path: string) => ({ path }) as Request;

describe('metric labels', () => {
  it('names the sign-in protocol from the path, and nothing else', () => {
    expect(signInProtocolOf('/sso/saml/c1/acs')).toBe('saml');
    expect(signInProtocolOf('/sso/oidc/c1/callback')).toBe('oidc');
    expect(signInProtocolOf('/sso/email/verify')).toBe('email');
    expect(signInProtocolOf('/invite/tok/verify')).toBe('invitation');
    expect(signInProtocolOf('/sso/samlx/c1')).toBe('other');
    expect(signInProtocolOf('/api/admin/tenants')).toBe('other');
  });

  it('keeps reason codes and turns anything else into `other` (no series from untrusted text)', () => {
    expect(reasonLabel('saml_invalid_signature')).toBe('saml_invalid_signature');
    expect(reasonLabel('Some Parser said <x>')).toBe('other');
    expect(reasonLabel('a'.repeat(65))).toBe('other');
    expect(reasonLabel(null)).toBe('other');
  });

  it('maps statuses, SCIM resources and methods to fixed lists', () => {
    expect([200, 201, 204, 303, 400, 401, 404, 409, 429, 500, 503].map(outcomeOfStatus)).toEqual([
      'ok',
      'ok',
      'ok',
      'ok',
      'refused',
      'refused',
      'refused',
      'refused',
      'rate_limited',
      'error',
      'unavailable',
    ]);
    expect(scimResourceOf('/scim/v2/dir_1/Users/abc')).toBe('Users');
    expect(scimResourceOf('/scim/v2/dir_1/Groups')).toBe('Groups');
    expect(scimResourceOf('/scim/v2/dir_1/.search')).toBe('search');
    expect(scimResourceOf('/scim/v2/dir_1/ServiceProviderConfig')).toBe('discovery');
    expect(scimResourceOf('/scim/v2/dir_1/Anything-else')).toBe('discovery');
    expect(methodLabel('PATCH')).toBe('PATCH');
    expect(methodLabel('PROPFIND')).toBe('other');
    expect(rpcName('/temporal.api.workflowservice.v1.WorkflowService/StartWorkflowExecution')).toBe('StartWorkflowExecution');
  });
});

describe('sign-in counters', () => {
  it('count each answered sign-in once under its protocol, outcome and reason, with its latency', async () => {
    const labels = { protocol: 'oidc', outcome: 'success', reason: 'jit' };
    const before = await valueOf('onramp_signins_total', labels);
    const req = request('/sso/oidc/c1/callback');
    markStart(req);
    countSignInDecision(req, {
      status: 'active',
      userId: 'u',
      tenantId: 't',
      membershipId: 'm',
      roles: [],
      groups: [],
      newUser: true,
      via: 'jit',
    });
    expect(await valueOf('onramp_signins_total', labels)).toBe(before + 1);
    expect(await metricsText()).toMatch(/onramp_signin_duration_seconds_count\{protocol="oidc",outcome="success"\} [1-9]/);

    const denied = { protocol: 'saml', outcome: 'denied', reason: 'jit_disabled' };
    const d0 = await valueOf('onramp_signins_total', denied);
    countSignInDecision(request('/sso/saml/c/acs'), { status: 'denied', reason: 'jit_disabled', message: 'no' });
    expect(await valueOf('onramp_signins_total', denied)).toBe(d0 + 1);

    const internal = { protocol: 'email', outcome: 'error', reason: 'internal' };
    const i0 = await valueOf('onramp_signins_total', internal);
    countSignInFailure(request('/sso/email/verify'), 'internal', null);
    expect(await valueOf('onramp_signins_total', internal)).toBe(i0 + 1);
  });
});

describe('backlog gauges', () => {
  it('read their source at a scrape, keep the last value when it fails, and stop reading once unset', async () => {
    let calls = 0;
    let fail = false;
    const unset = setBacklogSource(async () => {
      calls++;
      if (fail) throw new Error('down');
      return {
        approvalsPending: 3,
        webhookBacklog: 5,
        outboxBacklog: 7,
        samlCertificateExpiries: [{ tenant: 't1', connection: 'c1', notAfterMs: Date.now() + 864_000_000 }],
      };
    });
    const text = await metricsText();
    const expiry = /^onramp_saml_certificate_expiry_seconds\{tenant="t1",connection="c1"\} (\d+)$/m.exec(text);
    expect(Number(expiry?.[1])).toBeGreaterThan(863_990);
    expect(Number(expiry?.[1])).toBeLessThanOrEqual(864_000);
    expect(text).toMatch(/^onramp_approvals_pending 3$/m);
    expect(text).toMatch(/^onramp_webhook_backlog 5$/m);
    expect(text).toMatch(/^onramp_outbox_backlog 7$/m);
    // One read serves every gauge of a scrape, and scrapes within 10 s.
    await metricsText();
    expect(calls).toBe(1);
    fail = true;
    unset();
    expect(await metricsText()).toMatch(/^onramp_approvals_pending 3$/m);
    expect(calls).toBe(1);
  });
});

describe('readiness', () => {
  it('is ready when every check passes, and names the one that failed or timed out', async () => {
    const ok = createReadiness(
      [
        { name: 'a', run: async () => undefined },
        { name: 'b', run: async () => undefined },
      ],
      100,
    );
    expect(await ok.check()).toMatchObject({
      ready: true,
      checks: [
        { name: 'a', ok: true },
        { name: 'b', ok: true },
      ],
    });

    const bad = createReadiness(
      [
        { name: 'database', run: () => Promise.reject(new Error('connect ECONNREFUSED 10.0.0.3:27017')) },
        { name: 'temporal', run: () => new Promise(() => undefined) },
        { name: 'workers', run: () => Promise.reject(new Error('no worker polls task queue onramp-provisioning')) },
      ],
      50,
    );
    const report = await bad.check();
    expect(report.ready).toBe(false);
    expect(report.checks).toEqual([
      // A driver's text (here an address) is never shown.
      { name: 'database', ok: false, ms: expect.any(Number), error: 'unreachable' },
      { name: 'temporal', ok: false, ms: expect.any(Number), error: 'no answer within 50 ms' },
      { name: 'workers', ok: false, ms: expect.any(Number), error: 'no worker polls task queue onramp-provisioning' },
    ]);
  });

  it('runs one round of checks for concurrent probes', async () => {
    let runs = 0;
    const r = createReadiness(
      [
        {
          name: 'slow',
          run: async () => {
            runs++;
            await new Promise((res) => setTimeout(res, 20));
          },
        },
      ],
      1_000,
    );
    const all = await Promise.all([r.check(), r.check(), r.check()]);
    expect(all.every((x) => x.ready)).toBe(true);
    expect(runs).toBe(1);
    await r.check();
    expect(runs).toBe(2);
  });
});
