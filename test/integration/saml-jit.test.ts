import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newIdp, samlSignIn, startHarness, user, type Harness, type SamlConnectionInfo } from '../support/harness';

describe('SAML sign-in → durable JIT provisioning (Sarah)', () => {
  let h: Harness;
  let conn: SamlConnectionInfo;
  const idp = newIdp('superfantasy');

  beforeAll(async () => {
    h = await startHarness();
    await h.createTenant('superfantasy', { enabled: true, defaultRoles: ['member'] });
    conn = await h.createSamlConnection('superfantasy', idp);
  });
  afterAll(async () => h?.close());

  it('creates exactly one user, identity and membership with the default roles, and audits each step', async () => {
    const res = await samlSignIn(conn, idp, user('sarah'));
    expect(res.status).toBe(303);
    expect(res.location).toBe('/');
    expect(res.cookie).toMatch(/^onramp\.sid=/);

    const me = await fetch(`${h.url}/api/me`, { headers: { cookie: res.cookie ?? '' } });
    expect(me.status).toBe(200);
    const body = await me.json();
    expect(body.user.email).toBe('sarah@superfantasy.test');
    expect(body.memberships).toEqual([{ tenantId: conn.tenantId, tenantSlug: 'superfantasy', roles: ['member'], status: 'active' }]);

    const { models } = h.services.db;
    expect(await models.users.countDocuments()).toBe(1);
    expect(await models.identities.countDocuments()).toBe(1);
    expect(await models.memberships.countDocuments()).toBe(1);
  });
});
