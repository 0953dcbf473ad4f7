import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDnsServer, type TestDnsServer } from '../support/dnsServer';
import { sweepExpired } from '../../src/store/sweeper';
import { startHarness, type Harness } from '../support/harness';

interface DomainBody {
  domain: string;
  verified: boolean;
  txtRecord: { name: string; value: string } | null;
}

/** Domain ownership proved by a DNS TXT record, checked against a real DNS server on loopback. */
describe('email domains verified by DNS TXT', () => {
  let h: Harness;
  let dns: TestDnsServer;

  beforeAll(async () => {
    dns = await startDnsServer();
    h = await startHarness({ env: { ONRAMP_DNS_SERVERS: dns.address } });
    await h.createTenant('acme');
    await h.createTenant('rival');
  });
  afterAll(async () => {
    await h?.close();
    await dns?.close();
  });

  const add = (tenant: string, domain: string) => h.admin('POST', `/tenants/${tenant}/domains`, { domain });
  const verify = (tenant: string, domain: string) => h.admin('POST', `/tenants/${tenant}/domains/${domain}/verify`);

  it('issues a token; a missing record → not verified; a wrong one → not; the right one → verified and audited', async () => {
    const added = await add('acme', 'Acme.TEST');
    expect(added.status).toBe(201);
    const body = added.body as unknown as DomainBody;
    expect(body).toMatchObject({ domain: 'acme.test', verified: false, txtRecord: { name: '_onramp-challenge.acme.test' } });
    const token = body.txtRecord?.value ?? '';
    expect(token).toMatch(/^onramp-domain-verification=[A-Za-z0-9_-]{32}$/);

    const missing = await verify('acme', 'acme.test');
    expect(missing.status).toBe(422);
    expect(missing.body.error).toMatchObject({ code: 'domain_not_verified' });
    expect(missing.body.error.message).toContain('no TXT record');

    dns.setTxt('_onramp-challenge.acme.test', ['v=spf1 -all', 'onramp-domain-verification=someone-elses-token']);
    expect((await verify('acme', 'acme.test')).body.error.message).toContain('does not hold');

    dns.setTxt('_onramp-challenge.acme.test', ['v=spf1 -all', token]);
    const ok = await verify('acme', 'acme.test');
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ domain: 'acme.test', verified: true, txtRecord: null });
    const { models } = h.services.db;
    expect(await models.verifiedDomains.findById('acme.test').lean()).toMatchObject({ _id: 'acme.test' });
    const actions = (await models.auditEvents.find({ 'target.id': 'acme.test' }).sort({ _id: 1 }).lean()).map((e) => e.action);
    expect(actions).toEqual(['domain.added', 'domain.verification_failed', 'domain.verification_failed', 'domain.verified']);
  });

  it('a domain is verified by one tenant only', async () => {
    const rival = await add('rival', 'acme.test');
    expect(rival.status).toBe(409);
    expect(rival.body.error.code).toBe('domain_verified_by_other_tenant');
  });

  it('free-mail and disposable domains cannot be claimed (audited)', async () => {
    for (const domain of ['gmail.com', 'outlook.com', 'mailinator.com', 'eu.mailinator.com']) {
      const res = await add('acme', domain);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('domain_not_claimable');
    }
    expect((await h.admin('PUT', '/tenants/acme/domains', { domains: [{ domain: 'yahoo.com', verified: true }] })).status).toBe(400);
    expect(await h.services.db.models.auditEvents.countDocuments({ action: 'domain.refused' })).toBe(4);
  });

  it('lists, refuses duplicates and bad input, removes (releasing the claim)', async () => {
    expect((await add('acme', 'acme.test')).status).toBe(409);
    expect((await add('acme', 'not a domain')).status).toBe(400);
    expect((await verify('acme', 'unknown.test')).status).toBe(404);
    const list = await h.admin('GET', '/tenants/acme/domains');
    expect(list.body.data).toMatchObject([{ domain: 'acme.test', verified: true }]);
    expect((await h.admin('DELETE', '/tenants/acme/domains/acme.test')).status).toBe(204);
    expect(await h.services.db.models.verifiedDomains.findById('acme.test').lean()).toBeNull();
    expect((await add('rival', 'acme.test')).status).toBe(201); // now free to claim
  });
});

describe('domains added and changed at the same time', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await h.createTenant('busy');
  });
  afterAll(async () => h?.close());

  it('six admins add six domains at once: all six kept, each audited once; the same domain added twice at once is kept once', async () => {
    const names = ['a', 'b', 'c', 'd', 'e', 'f'].map((x) => `${x}.busy.test`);
    const added = await Promise.all(names.map((domain) => h.admin('POST', '/tenants/busy/domains', { domain })));
    expect(added.map((a) => a.status)).toEqual(names.map(() => 201));
    const listed = ((await h.admin('GET', '/tenants/busy/domains')).body.data as Array<{ domain: string }>).map((d) => d.domain).sort();
    expect(listed).toEqual(names);
    const audits = await h.services.db.models.auditEvents.countDocuments({ action: 'domain.added', 'target.id': { $in: names } });
    expect(audits).toBe(6);

    const twice = await Promise.all([1, 2].map(() => h.admin('POST', '/tenants/busy/domains', { domain: 'same.busy.test' })));
    expect(twice.map((a) => a.status).sort()).toEqual([201, 409]);
    const after = ((await h.admin('GET', '/tenants/busy/domains')).body.data as Array<{ domain: string }>).filter((d) => d.domain === 'same.busy.test');
    expect(after).toHaveLength(1);
  });

  it('every setting of a tenant changed at once by different admins: all kept (before, one $set could undo another)', async () => {
    const changes = await Promise.all([
      h.admin('POST', '/tenants/busy/domains', { domain: 'g.busy.test' }),
      h.admin('PUT', '/tenants/busy/link-policy', { policy: 'deny' }),
      h.admin('PUT', '/tenants/busy/conflict-policy', { policy: 'keep-local' }),
      h.admin('PUT', '/tenants/busy/roles', { custom: ['auditor'] }),
      h.admin('PUT', '/tenants/busy/domain-jit', { enabled: true }),
      h.admin('PUT', '/tenants/busy/invitation-settings', { expirySeconds: 7200 }),
    ]);
    expect(changes.map((c) => c.status)).toEqual([201, 200, 200, 200, 200, 200]);
    const tenant = await h.services.db.models.tenants.findOne({ slug: 'busy' }).lean();
    expect(tenant).toMatchObject({
      linking: { policy: 'deny' },
      conflictPolicy: 'keep-local',
      roles: { custom: ['auditor'] },
      domainJit: true,
      invitations: { expirySeconds: 7200 },
    });
    expect((tenant?.domains ?? []).map((d) => d.domain)).toContain('g.busy.test');
    expect(tenant?.changeGeneration).toBeGreaterThanOrEqual(6);
  });

  it('a change whose writer died after taking its turn is applied by the next writer, which then makes its own', async () => {
    const models = h.services.db.models;
    const tenant = await models.tenants.findOne({ slug: 'busy' }).lean();
    const generation = (tenant?.changeGeneration ?? 0) + 1;
    const key = `tenant:${String(tenant?._id)}:${String(generation).padStart(10, '0')}`;
    await models.documentChanges.create({
      _id: key,
      set: [
        { path: 'conflictPolicy', value: 'review' },
        { path: 'changeGeneration', value: generation },
      ],
      at: new Date(Date.now() - 60_000),
    });
    expect((await h.admin('POST', '/tenants/busy/domains', { domain: 'late.busy.test' })).status).toBe(201);
    const after = await models.tenants.findOne({ slug: 'busy' }).lean();
    expect(after).toMatchObject({ conflictPolicy: 'review', changeGeneration: generation + 1 });
    expect((after?.domains ?? []).map((d) => d.domain)).toContain('late.busy.test');
  });

  it('the sweep removes change records a day old; the tenant keeps its settings and the next change takes the next turn', async () => {
    const models = h.services.db.models;
    const tenant = await models.tenants.findOne({ slug: 'busy' }).lean();
    const key = new RegExp(`^tenant:${String(tenant?._id)}:`);
    expect(await models.documentChanges.countDocuments({ _id: key })).toBeGreaterThan(0);
    const counts = await sweepExpired(models, new Date(Date.now() + 2 * 86_400_000));
    expect(counts.documentChanges).toBeGreaterThan(0);
    expect(await models.documentChanges.countDocuments({ _id: key })).toBe(0);
    expect(await models.tenants.findOne({ slug: 'busy' }).lean()).toMatchObject({
      conflictPolicy: tenant?.conflictPolicy,
      changeGeneration: tenant?.changeGeneration,
    });
    expect((await h.admin('POST', '/tenants/busy/domains', { domain: 'after-sweep.busy.test' })).status).toBe(201);
    expect((await models.tenants.findOne({ slug: 'busy' }).lean())?.changeGeneration).toBe((tenant?.changeGeneration ?? 0) + 1);
  });
});
