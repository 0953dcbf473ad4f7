import { beforeAll, describe, expect, it } from 'vitest';
import { newIdp, samlSignIn, useSamlTenants, user, type Harness, type SamlConnectionInfo } from '../support/harness';
import { waitForSignInRuns } from '../support/temporal';

const REFUSAL = 'only an owner of the organization may give or take the owner role';

/** A tenant admin who is not an owner, in the console and the session API: every way of giving the owner role is refused alike. */
describe('tenant admin who is not an owner: the owner role', () => {
  let h: Harness;
  const idp = newIdp('cown');
  let conn: SamlConnectionInfo;
  let cookie = '';

  const get = (path: string) => fetch(`${h.url}${path}`, { headers: { cookie }, redirect: 'manual' });
  const post = (path: string, form: Record<string, string>) =>
    fetch(`${h.url}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
  const csrfOf = async (path: string) => /name="_csrf" value="([^"]+)"/.exec(await (await get(path)).text())?.[1] ?? '';

  useSamlTenants([{ slug: 'cown', idp }], (harness, conns) => ([h, [conn]] = [harness, conns as [SamlConnectionInfo]]));
  beforeAll(async () => {
    const ada = await samlSignIn(conn, idp, user('ada', 'cown.test'));
    cookie = ada.cookie ?? '';
    await waitForSignInRuns(h.services.client, conn.id, 'ada@cown.test');
    const adaId = String((await h.services.db.models.users.findOne({ email: 'ada@cown.test' }).lean())?._id);
    await h.admin('POST', '/tenants/cown/groups', { name: 'admins', roles: ['admin'] });
    await h.admin('POST', '/tenants/cown/groups', { name: 'owners', roles: ['owner'] });
    await h.admin('PUT', `/tenants/cown/members/${adaId}/groups/admins`);
  });

  it('groups and invitations: refused with one message, nothing written', async () => {
    const { models } = h.services.db;
    const csrf = await csrfOf('/console/t/cown/groups');
    const created = await post('/console/t/cown/groups', { _csrf: csrf, name: 'Root', roles: 'owner' });
    expect(created.status).toBe(403);
    expect(await created.text()).toContain(REFUSAL);
    const taken = await post('/console/t/cown/groups/owners/roles', { _csrf: csrf, roles: 'admin' });
    expect(taken.status).toBe(403);
    expect(await taken.text()).toContain(REFUSAL);
    expect(await models.groups.countDocuments({ name: 'Root' })).toBe(0);
    expect((await models.groups.findOne({ name: 'owners' }).lean())?.roles).toEqual(['owner']);
    for (const form of [{ roles: 'owner' }, { groups: 'owners' }] as Array<Record<string, string>>) {
      const res = await post('/console/t/cown/invitations', { _csrf: csrf, email: 'ola@cown.test', ...form });
      expect(res.status).toBe(303);
      expect(await (await get('/console/t/cown/invitations')).text()).toContain(REFUSAL);
    }
    expect(await models.invitations.countDocuments({})).toBe(0);
    // Each refusal is audited, naming who asked and through what.
    const refused = await models.auditEvents.find({ action: 'owner_grant.refused' }).sort({ _id: 1 }).lean();
    expect(refused.map((a) => a.context?.where)).toEqual(['group "Root"', 'group "owners"', 'invitation of ola@cown.test', 'invitation of ola@cown.test']);
    expect(refused[0]?.actor).toMatchObject({ type: 'admin', id: expect.stringMatching(/^user:/) });
  });

  it('an approval giving the owner role through the session API: 403 forbidden, as everywhere else; the request stays pending', async () => {
    await h.admin('PUT', '/tenants/cown/approval-policy', { when: ['new-accounts'] });
    expect((await samlSignIn(conn, idp, user('pia', 'cown.test'))).status).toBe(202);
    const requestId = (await h.admin('GET', '/tenants/cown/approvals')).body.data[0]?.id ?? '';
    const api = (path: string, init: RequestInit = {}) =>
      fetch(`${h.url}${path}`, { ...init, headers: { cookie, 'content-type': 'application/json', ...(init.headers ?? {}) } });
    const { token } = (await (await api('/api/csrf')).json()) as { token: string };
    const res = await api(`/api/tenants/cown/approvals/${encodeURIComponent(requestId)}/approve`, {
      method: 'POST',
      body: JSON.stringify({ roles: ['owner'] }),
      headers: { 'x-csrf-token': token },
    });
    expect(res.status).toBe(403);
    const refusal = ((await res.json()) as { error: { code: string; message: string } }).error;
    expect(refusal.code).toBe('forbidden');
    expect(refusal.message).toContain(REFUSAL);
    expect((await h.services.db.models.approvalRequests.findById(requestId).lean())?.status).toBe('pending');
    expect(await h.services.db.models.auditEvents.countDocuments({ action: 'owner_grant.refused', 'context.where': `approval ${requestId}` })).toBe(1);
  });
});
