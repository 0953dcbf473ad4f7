import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newIdp, samlSignIn, startHarness, user, type Harness } from '../support/harness';
import { waitForSignInRuns } from '../support/temporal';

describe('admin API', () => {
  let h: Harness;
  const idp = newIdp('admin');

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h?.close());

  describe('authentication', () => {
    it('refuses a missing token with 401 JSON', async () => {
      const res = await fetch(`${h.url}/api/admin/tenants`);
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: { code: 'unauthorized', message: 'a valid admin bearer token is required' } });
    });
    it('refuses a wrong token and a malformed header', async () => {
      expect((await h.admin('GET', '/tenants', undefined, 'wrong-token')).status).toBe(401);
      const res = await fetch(`${h.url}/api/admin/tenants`, { headers: { authorization: `Basic ${h.adminToken}` } });
      expect(res.status).toBe(401);
    });
  });

  describe('validation', () => {
    it.each([
      [{ slug: 'Bad Slug!', name: 'x' }, 'slug'],
      [{ slug: 'ok-slug' }, 'name'],
      [{ slug: 'ok-slug', name: 'x', jit: { enabled: true, defaultRoles: ['owner'] } }, 'jit.defaultRoles'],
      [{ slug: 'ok-slug', name: 'x', extra: 1 }, 'body'],
    ])('a bad tenant body (%j) is a 400 naming %s, and writes nothing', async (body, field) => {
      const res = await h.admin('POST', '/tenants', body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
      expect(res.body.error.message.startsWith(`${field}`)).toBe(true);
      expect(await h.services.db.models.tenants.countDocuments({ slug: 'ok-slug' })).toBe(0);
    });

    it('malformed JSON is a 400', async () => {
      const res = await h.admin('POST', '/tenants', '{"slug":');
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_body');
    });

    it('a duplicate slug is a 409', async () => {
      expect((await h.admin('POST', '/tenants', { slug: 'dupe', name: 'Dupe' })).status).toBe(201);
      const res = await h.admin('POST', '/tenants', { slug: 'dupe', name: 'Dupe again' });
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('tenant_exists');
    });

    it('a SAML connection needs a real certificate and an absolute SSO URL', async () => {
      const base = { name: 'IdP', idpEntityId: 'https://idp.test', ssoUrl: 'https://idp.test/sso', certificates: [idp.certificate] };
      const bad = await h.admin('POST', '/tenants/dupe/connections/saml', { ...base, certificates: ['not a cert'] });
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toMatch(/^certificates\.0: is not a PEM X\.509 certificate/);
      const badUrl = await h.admin('POST', '/tenants/dupe/connections/saml', { ...base, ssoUrl: 'javascript:alert(1)' });
      expect(badUrl.status).toBe(400);
      expect(badUrl.body.error.message).toMatch(/^ssoUrl/);
      expect(await h.services.db.models.samlConnections.countDocuments()).toBe(0);
    });

    it('an unknown tenant is a 404', async () => {
      const res = await h.admin('GET', '/tenants/nope/members');
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    });

    it('an unknown route is a JSON 404', async () => {
      const res = await h.admin('GET', '/nothing-here');
      expect(res.status).toBe(404);
    });
  });

  describe('tenants, connections, members and audit', () => {
    it('creates a SAML connection and answers with its SP entity ID, ACS and metadata URLs (no certificate bodies)', async () => {
      await h.createTenant('globex');
      const res = await h.admin('POST', '/tenants/globex/connections/saml', {
        name: 'Globex Okta',
        idpEntityId: idp.entityId,
        ssoUrl: idp.ssoUrl,
        certificates: [idp.certificate],
      });
      expect(res.status).toBe(201);
      expect(res.body.spEntityId).toBe(`${h.url}/sso/saml/${res.body.id}/metadata`);
      expect(res.body.acsUrl).toBe(`${h.url}/sso/saml/${res.body.id}/acs`);
      expect(res.body.metadataUrl).toBe(res.body.spEntityId);
      expect(res.body.allowIdpInitiated).toBe(false);
      expect(res.body.certificates[0]?.fingerprint256).toMatch(/^[0-9A-F:]+$/);
      expect(JSON.stringify(res.body)).not.toContain(idp.certificate.split('\n')[1]!);
    });

    it("PATCH changes a SAML connection's attribute mapping and link policy (audited before and after); a bad custom name is refused, nothing written", async () => {
      const conn = await h.services.db.models.samlConnections.findOne({ name: 'Globex Okta' }).lean();
      const path = `/tenants/globex/connections/saml/${String(conn?._id)}`;
      const bad = await h.admin('PATCH', path, { attributeMapping: { custom: { 'not a name': 'dept' } } });
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe('validation_failed');
      expect(bad.body.error.message).toContain('attributeMapping.custom');
      const mapping = { email: 'mail', name: 'displayName', groups: 'memberOf', custom: { department: 'dept' } };
      const res = await h.admin('PATCH', path, { attributeMapping: mapping, linkPolicy: 'deny' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ attributeMapping: mapping, linkPolicy: 'deny' });
      const audit = await h.services.db.models.auditEvents.find({ action: 'connection.saml_settings_changed', 'target.id': String(conn?._id) }).lean();
      expect(audit).toHaveLength(1);
      expect(audit[0]?.before).toMatchObject({ attributeMapping: { email: 'email', name: 'name', groups: 'groups' }, linkPolicy: null });
      expect(audit[0]?.after).toMatchObject({ attributeMapping: mapping, linkPolicy: 'deny' });
      expect((await h.admin('PATCH', path, { linkPolicy: null })).body).toMatchObject({ linkPolicy: null, attributeMapping: mapping });
    });

    it('paginates tenants with a cursor', async () => {
      for (const s of ['p-1', 'p-2', 'p-3', 'p-4']) await h.createTenant(s);
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res = await h.admin('GET', `/tenants?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        expect(res.status).toBe(200);
        expect(res.body.data.length).toBeLessThanOrEqual(2);
        seen.push(...res.body.data.map((t) => t.slug ?? ''));
        cursor = res.body.nextCursor;
        pages++;
      } while (cursor && pages < 10);
      expect(seen).toEqual(['dupe', 'globex', 'p-1', 'p-2', 'p-3', 'p-4']);
      expect(pages).toBe(3);
      expect((await h.admin('GET', '/tenants?limit=0')).status).toBe(400);
      expect((await h.admin('GET', '/tenants?limit=500')).status).toBe(400);
      expect((await h.admin('GET', '/tenants?cursor=bogus')).body.error.message).toMatch(/^cursor/);
    });

    it('lists members and filters and paginates the audit log', async () => {
      await h.createTenant('initrode');
      const conn = await h.createSamlConnection('initrode', idp);
      for (const who of ['ann', 'bob', 'cid']) {
        expect((await samlSignIn(conn, idp, user(who, 'initrode.test'))).status).toBe(303);
        await waitForSignInRuns(h.services.client, conn.id, `${who}@initrode.test`);
      }
      const members = await h.admin('GET', '/tenants/initrode/members?limit=2');
      expect(members.status).toBe(200);
      expect(members.body.data.map((m) => m.email)).toEqual(['ann@initrode.test', 'bob@initrode.test']);
      const rest = await h.admin('GET', `/tenants/initrode/members?limit=2&cursor=${members.body.nextCursor}`);
      expect(rest.body.error).toBeUndefined();
      expect(rest.body.data.map((m) => m.email)).toEqual(['cid@initrode.test']);
      expect(rest.body.nextCursor).toBeNull();

      const all = await h.admin('GET', '/tenants/initrode/audit-events?limit=200');
      // tenant.created, connection.created + 3 × (user.created, identity.linked, membership.created, signin.succeeded)
      expect(all.body.data).toHaveLength(14);
      const created = await h.admin('GET', '/tenants/initrode/audit-events?action=user.created');
      expect(created.body.data).toHaveLength(3);
      const bob = members.body.data[1]?.userId;
      const bobs = await h.admin('GET', `/tenants/initrode/audit-events?user=${bob}`);
      expect(bobs.body.data.map((e) => e.action)).toEqual(['signin.succeeded', 'membership.created', 'identity.linked', 'user.created']);
      const future = await h.admin('GET', `/tenants/initrode/audit-events?from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`);
      expect(future.body.data).toHaveLength(0);
      const past = await h.admin('GET', `/tenants/initrode/audit-events?to=${encodeURIComponent(new Date(Date.now() - 3_600_000).toISOString())}`);
      expect(past.body.data).toHaveLength(0);
      const page1 = await h.admin('GET', '/tenants/initrode/audit-events?limit=5');
      const page2 = await h.admin('GET', `/tenants/initrode/audit-events?limit=5&cursor=${page1.body.nextCursor}`);
      const ids = [...page1.body.data, ...page2.body.data].map((e) => e.id);
      expect(new Set(ids).size).toBe(10);
      expect((await h.admin('GET', '/tenants/initrode/audit-events?from=yesterday')).body.error.message).toMatch(/^from/);
      expect((await h.admin('GET', '/tenants/initrode/audit-events?user=nope')).status).toBe(400);
    });
  });
});
