import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDnsServer, type TestDnsServer } from '../support/dnsServer';
import { startHarness, type Harness } from '../support/harness';

/** A verification that fails after its DNS check gives up only the claim it took itself, never one another verification holds. */
describe('domain verification: the claim of a concurrent verification', () => {
  let h: Harness;
  let dns: TestDnsServer;

  beforeAll(async () => {
    dns = await startDnsServer();
    h = await startHarness({ env: { ONRAMP_DNS_SERVERS: dns.address } });
    await h.createTenant('claima');
    await h.createTenant('claimb');
  });
  afterAll(async () => {
    await h?.close();
    await dns?.close();
  });

  it("a verification refused while another holds the tenant's turn keeps that other verification's claim; no other tenant can take the domain", async () => {
    const { models } = h.services.db;
    const added = await h.admin('POST', '/tenants/claima/domains', { domain: 'claim.test' });
    expect(added.status).toBe(201);
    dns.setTxt('_onramp-challenge.claim.test', [(added.body as unknown as { txtRecord: { value: string } }).txtRecord.value]);
    const tenant = await models.tenants.findOne({ slug: 'claima' }).lean();
    // Another verification of the same domain is under way: it took the claim and the tenant's next turn, and is writing the row.
    await models.verifiedDomains.create({ _id: 'claim.test', tenantId: tenant?._id });
    const next = (tenant?.changeGeneration ?? 0) + 1;
    const blocker = `tenant:${String(tenant?._id)}:${String(next).padStart(10, '0')}`;
    await models.documentChanges.create({ _id: blocker, set: [{ path: 'changeGeneration', value: next }], at: new Date() });

    const refused = await h.admin('POST', '/tenants/claima/domains/claim.test/verify');
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('concurrent_change');
    // The other verification's claim stays: it is about to write the row as verified.
    expect(await models.verifiedDomains.findById('claim.test').lean()).toMatchObject({ tenantId: tenant?._id });

    await models.documentChanges.deleteOne({ _id: blocker });
    expect((await h.admin('POST', '/tenants/claima/domains/claim.test/verify')).status).toBe(200);
    const rival = await h.admin('POST', '/tenants/claimb/domains', { domain: 'claim.test' });
    expect(rival.status).toBe(409);
    expect(rival.body.error.code).toBe('domain_verified_by_other_tenant');
  });
});
