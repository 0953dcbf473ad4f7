import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness';

/** `POST …/members` runs the core as a workflow; an Idempotency-Key makes a retry return the first answer and write nothing twice. */
describe('member creation by the admin API', () => {
  let h: Harness;
  let tenantId: string;
  const models = () => h.services.db.models;
  const create = (body: Record<string, unknown>, key?: string) =>
    fetch(`${h.url}/api/admin/tenants/api-co/members`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.adminToken}`, 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
      body: JSON.stringify(body),
    }).then(async (res) => ({
      status: res.status,
      body: (await res.json()) as Record<string, unknown> & { member?: { userId: string; roles: string[]; groups: string[] }; error?: { code: string } },
    }));

  beforeAll(async () => {
    h = await startHarness();
    await h.createTenant('api-co', { enabled: false, defaultRoles: ['member'] });
    await h.createTenant('api-old');
    expect((await h.admin('PUT', '/tenants/api-co/domains', { domains: [{ domain: 'api-co.test', verified: true }] })).status).toBe(200);
    expect((await h.admin('PUT', '/tenants/api-co/link-policy', { policy: 'auto', fallback: 'deny' })).status).toBe(200);
    expect((await h.admin('POST', '/tenants/api-co/groups', { name: 'Support', roles: [] })).status).toBe(201);
    tenantId = String((await models().tenants.findOne({ slug: 'api-co' }).lean())?._id);
  });
  afterAll(async () => h?.close());

  it('creates the account and membership with roles and groups (JIT off does not matter); a retried key returns the first answer, writing nothing', async () => {
    const first = await create({ email: 'Ann@API-co.test', name: 'Ann', roles: ['admin'], groups: ['Support'] }, 'key-ann');
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      outcome: 'created',
      member: { email: 'ann@api-co.test', directRoles: ['admin'], groups: ['Support'], status: 'active' },
    });
    const userId = String(first.body.member?.userId);
    const again = await create({ email: 'Ann@API-co.test', name: 'Ann', roles: ['admin'], groups: ['Support'] }, 'key-ann');
    expect(again).toEqual(first);
    expect(await models().auditEvents.countDocuments({ userId, action: { $in: ['user.created', 'membership.created', 'group.granted'] } })).toBe(3);

    // Same key, another body: refused, nothing written.
    expect((await create({ email: 'someone@api-co.test' }, 'key-ann')).body.error?.code).toBe('idempotency_key_reused');
    expect(await models().users.countDocuments({ email: 'someone@api-co.test' })).toBe(0);
    // No key, an existing member: 200 unchanged.
    expect(await create({ email: 'ann@api-co.test' })).toMatchObject({ status: 200, body: { outcome: 'unchanged' } });
  });

  it('a double-clicked create (8 parallel requests, one key) makes one account, one membership, one set of audit events', async () => {
    const answers = await Promise.all(Array.from({ length: 8 }, () => create({ email: 'bo@api-co.test', groups: ['Support'] }, 'key-bo')));
    expect(new Set(answers.map((a) => a.status))).toEqual(new Set([201]));
    expect(new Set(answers.map((a) => a.body.member?.userId)).size).toBe(1);
    expect(await models().users.countDocuments({ email: 'bo@api-co.test' })).toBe(1);
    const userId = String(answers[0]?.body.member?.userId);
    expect(await models().memberships.countDocuments({ userId })).toBe(1);
    expect(await models().grants.countDocuments({ userId })).toBe(1);
    expect(await models().auditEvents.countDocuments({ userId, action: 'membership.created' })).toBe(1);
  });

  it('refuses what it must — unknown role or group, a bad address, an unverified domain — writing nothing but the audited refusal', async () => {
    expect((await create({ email: 'cy@api-co.test', roles: ['superuser'] })).body.error?.code).toBe('unknown_role');
    expect((await create({ email: 'cy@api-co.test', groups: ['Nope'] })).body.error?.code).toBe('unknown_group');
    expect((await create({ email: 'not an email' })).body.error?.code).toBe('email_invalid');
    const unverified = await create({ email: 'cy@gmail.com' });
    expect(unverified).toMatchObject({ status: 422, body: { error: { code: 'domain_not_verified' } } });
    expect((await create({ email: 'cy@api-co.test', bogus: 1 })).status).toBe(400);
    expect((await create({ email: 'cy@api-co.test' }, 'bad key with spaces')).status).toBe(400);
    expect(await models().users.countDocuments({ email: { $in: ['cy@api-co.test', 'cy@gmail.com'] } })).toBe(0);
    expect(
      await models().auditEvents.countDocuments({
        tenantId,
        action: 'member.admin_refused',
        reason: { $in: ['unknown_role', 'unknown_group', 'email_invalid', 'domain_not_verified'] },
      }),
    ).toBe(4);
  });

  it("links another tenant's existing account under the link policy (acquisition): auto links the same account; approval answers 409", async () => {
    // The account exists in the old tenant while it held the domain; the domain then moves to api-co.
    expect((await h.admin('PUT', '/tenants/api-old/domains', { domains: [{ domain: 'legacy.test', verified: true }] })).status).toBe(200);
    expect((await h.admin('POST', '/tenants/api-old/members', { email: 'dee@legacy.test' })).status).toBe(201);
    const dee = String((await models().users.findOne({ email: 'dee@legacy.test' }).lean())?._id);
    expect((await h.admin('PUT', '/tenants/api-old/domains', { domains: [] })).status).toBe(200);
    expect(
      (
        await h.admin('PUT', '/tenants/api-co/domains', {
          domains: [
            { domain: 'api-co.test', verified: true },
            { domain: 'legacy.test', verified: true },
          ],
        })
      ).status,
    ).toBe(200);

    expect((await h.admin('PUT', '/tenants/api-co/link-policy', { policy: 'approval', fallback: 'deny' })).status).toBe(200);
    expect((await create({ email: 'dee@legacy.test' })).body.error?.code).toBe('link_requires_approval');
    expect((await h.admin('PUT', '/tenants/api-co/link-policy', { policy: 'auto', fallback: 'deny' })).status).toBe(200);
    const linked = await create({ email: 'dee@legacy.test' });
    expect(linked).toMatchObject({ status: 201, body: { outcome: 'linked', member: { userId: dee } } });
    expect(await models().users.countDocuments({ email: 'dee@legacy.test' })).toBe(1);
  });
});
