import { Types } from 'mongoose';
import { beforeAll, describe, expect, it } from 'vitest';
import { returnPath } from '../../src/http/signInAnswer';
import { newIdp, samlSignIn, useSamlTenants, user, type Harness, type SamlConnectionInfo } from '../support/harness';
import { waitForSignInRuns } from '../support/temporal';

/** Who may decide through the console: tenant admins of that tenant only, with a valid CSRF token. */
describe('admin console: authorization and CSRF', () => {
  let h: Harness;
  const idpA = newIdp('con-a');
  const idpB = newIdp('con-b');
  let a: SamlConnectionInfo;
  let b: SamlConnectionInfo;
  let adminCookie = '';
  let memberCookie = '';
  let requestB = '';

  const get = (path: string, cookie: string) => fetch(`${h.url}${path}`, { headers: { cookie }, redirect: 'manual' });
  const post = (path: string, cookie: string, form: Record<string, string>, origin?: string) =>
    fetch(`${h.url}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', ...(origin ? { origin } : {}) },
      body: new URLSearchParams(form).toString(),
    });
  const csrfOf = async (path: string, cookie: string) => /name="_csrf" value="([^"]+)"/.exec(await (await get(path, cookie)).text())?.[1] ?? '';

  useSamlTenants(
    [
      { slug: 'con-a', idp: idpA },
      { slug: 'con-b', idp: idpB },
    ],
    (harness, conns) => ([h, [a, b]] = [harness, conns as [SamlConnectionInfo, SamlConnectionInfo]]),
  );
  beforeAll(async () => {
    // Ada administers tenant A; Max is a plain member of A.
    const ada = await samlSignIn(a, idpA, user('ada', 'con-a.test'));
    const max = await samlSignIn(a, idpA, user('max', 'con-a.test'));
    adminCookie = ada.cookie ?? '';
    memberCookie = max.cookie ?? '';
    await waitForSignInRuns(h.services.client, a.id, 'ada@con-a.test');
    const adaId = String((await h.services.db.models.users.findOne({ email: 'ada@con-a.test' }).lean())?._id);
    await h.admin('POST', '/tenants/con-a/groups', { name: 'admins', roles: ['admin'] });
    await h.admin('PUT', `/tenants/con-a/members/${adaId}/groups/admins`);
    // Tenant B has a pending request.
    await h.admin('PUT', '/tenants/con-b/approval-policy', { when: ['new-accounts'] });
    expect((await samlSignIn(b, idpB, user('bea', 'con-b.test'))).status).toBe(202);
    requestB = (await h.admin('GET', '/tenants/con-b/approvals')).body.data[0]?.id ?? '';
  });

  it('a signed-out visitor is sent to the sign-in page', async () => {
    const res = await get('/console/t/con-a/approvals', '');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/console');
    expect(await (await get('/console', '')).text()).toContain('Continue with SSO');
  });

  it("an admin of tenant A acting on tenant B: 403 and an audit event; B's request stays pending", async () => {
    expect((await get('/console/t/con-a/approvals', adminCookie)).status).toBe(200);
    const page = await get('/console/t/con-b/approvals', adminCookie);
    expect(page.status).toBe(403);
    expect(await page.text()).toContain('not an administrator');
    const csrf = await csrfOf('/console/t/con-a/approvals', adminCookie);
    const res = await post(`/console/t/con-b/approvals/${encodeURIComponent(requestB)}/approve`, adminCookie, { _csrf: csrf });
    expect(res.status).toBe(403);
    const denied = await h.services.db.models.auditEvents.find({ action: 'console.access_denied' }).lean();
    expect(denied.length).toBe(2);
    expect(String(denied[0]?.tenantId)).toBe(b.tenantId);
    expect((await h.services.db.models.approvalRequests.findById(requestB).lean())?.status).toBe('pending');
    // Nor through tenant A's URL: the request is not A's.
    const viaA = await post(`/console/t/con-a/approvals/${encodeURIComponent(requestB)}/approve`, adminCookie, { _csrf: csrf });
    expect(viaA.status).toBe(303);
    expect(await (await get('/console/t/con-a/approvals', adminCookie)).text()).toContain('approval request not found');
    expect((await h.services.db.models.approvalRequests.findById(requestB).lean())?.status).toBe('pending');
  });

  it("every section of tenant B is refused to A's admin (403, audited); B's invitation cannot be revoked from B's URL nor through A's", async () => {
    const created = await h.admin('POST', '/tenants/con-b/invitations', { email: 'iris@con-b.test' });
    expect(created.status).toBe(201);
    const invitationId = String((created.body as unknown as { invitation: { id: string } }).invitation.id);
    const adaId = String((await h.services.db.models.users.findOne({ email: 'ada@con-a.test' }).lean())?._id);
    const { models } = h.services.db;
    const before = await models.auditEvents.countDocuments({ action: 'console.access_denied' });
    for (const section of ['members', `members/${adaId}`, 'invitations', 'invitations?status=pending', 'audit', 'audit?action=invitation.created']) {
      expect((await get(`/console/t/con-a/${section}`, adminCookie)).status).toBe(200);
      const refused = await get(`/console/t/con-b/${section}`, adminCookie);
      expect(refused.status).toBe(403);
      expect(await refused.text()).toContain('not an administrator');
    }
    expect(await models.auditEvents.countDocuments({ action: 'console.access_denied' })).toBe(before + 6);
    const csrf = await csrfOf('/console/t/con-a/invitations', adminCookie);
    expect((await post(`/console/t/con-b/invitations/${invitationId}/revoke`, adminCookie, { _csrf: csrf })).status).toBe(403);
    const viaA = await post(`/console/t/con-a/invitations/${invitationId}/revoke`, adminCookie, { _csrf: csrf });
    expect(viaA.status).toBe(303);
    expect(await (await get('/console/t/con-a/invitations', adminCookie)).text()).toContain('invitation not found');
    expect((await models.invitations.findById(invitationId).lean())?.status).toBe('pending');
    expect(await models.auditEvents.countDocuments({ action: 'invitation.revoked' })).toBe(0);
    // A filter the console does not know is refused before any query.
    expect((await get('/console/t/con-a/members?status=deleted', adminCookie)).status).toBe(400);
    expect((await get('/console/t/con-a/audit?from=yesterday', adminCookie)).status).toBe(400);
  });

  it("B's SAML connection cannot be changed by A's admin: through B's URL 403, through A's 404; nothing written", async () => {
    const { models } = h.services.db;
    const before = await models.samlConnections.findById(b.id).lean();
    const syncBefore = await h.services.libraries.groups.groupSync(new Types.ObjectId(b.tenantId), b.id);
    const csrf = await csrfOf('/console/t/con-a/connections', adminCookie);
    const forms: Array<[string, Record<string, string>]> = [
      ['certificates', { certificate: idpA.certificate }],
      ['certificates/remove', { fingerprint256: 'AA:BB' }],
      ['settings', { email: 'mail', name: 'name', groups: 'groups', custom: '', linkPolicy: 'auto' }],
      ['group-sync', { mode: 'full', whenAbsent: 'revoke', unmapped: 'ignore', allowList: '' }],
      ['metadata/refresh', {}],
    ];
    for (const [action, form] of forms) {
      expect((await post(`/console/t/con-b/connections/saml/${b.id}/${action}`, adminCookie, { ...form, _csrf: csrf })).status, action).toBe(403);
      const viaA = await post(`/console/t/con-a/connections/saml/${b.id}/${action}`, adminCookie, { ...form, _csrf: csrf });
      expect(viaA.status, action).toBe(404);
      expect(await viaA.text(), action).toContain('not_found');
    }
    expect((await get(`/console/t/con-b/connections/saml/${b.id}`, adminCookie)).status).toBe(403);
    expect((await get(`/console/t/con-a/connections/saml/${b.id}`, adminCookie)).status).toBe(404);
    // The upload form: B's URL refused before the body is read.
    const upload = new FormData();
    upload.set('_csrf', csrf);
    upload.set('name', 'Forged');
    upload.set('metadataFile', new Blob([idpA.metadataXml], { type: 'application/xml' }), 'metadata.xml');
    const uploaded = await fetch(`${h.url}/console/t/con-b/connections/saml`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: adminCookie },
      body: upload,
    });
    expect(uploaded.status).toBe(403);
    expect(await models.samlConnections.countDocuments({ name: 'Forged' })).toBe(0);
    const after = await models.samlConnections.findById(b.id).lean();
    expect(after?.certificates).toEqual(before?.certificates);
    expect(after?.attributeMapping).toEqual(before?.attributeMapping);
    expect(after?.linkPolicy).toEqual(before?.linkPolicy);
    expect(await h.services.libraries.groups.groupSync(new Types.ObjectId(b.tenantId), b.id)).toEqual(syncBefore);
  });

  it("the groups, imports, webhook, domain and directory forms: a plain member is refused (403, audited), an admin's form without the CSRF token too; nothing is written", async () => {
    const { models } = h.services.db;
    await h.admin('PUT', '/tenants/con-a/domains', { domains: [{ domain: 'keep.test', verified: true }] });
    const hook = await h.admin('POST', '/tenants/con-a/webhooks', { url: 'http://127.0.0.1:9/hook' });
    const endpointId = String((hook.body as unknown as { endpoint: { id: string } }).endpoint.id);
    const directory = await h.admin('POST', '/tenants/con-a/directories', { name: 'Dir' });
    const directoryId = String((directory.body as unknown as { id: string }).id);
    const upload = await fetch(`${h.url}/api/admin/tenants/con-a/imports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.adminToken}`, 'content-type': 'text/csv' },
      body: 'email,name\ncy@con-a.test,Cy\n',
    });
    const importId = ((await upload.json()) as { import: { id: string } }).import.id;
    const state = async () => ({
      groups: await models.groups.countDocuments({}),
      admins: (await models.groups.findOne({ name: 'admins' }).lean())?.roles,
      imports: await models.imports.countDocuments({}),
      endpoints: await models.webhookEndpoints.countDocuments({}),
      secrets: (await models.webhookEndpoints.findById(endpointId).lean())?.secrets.length,
      domains: await models.verifiedDomains.countDocuments({ _id: 'keep.test' }),
      tokens: (await models.scimDirectories.findById(directoryId).lean())?.tokens.length,
    });
    const before = await state();

    const forms: Array<[string, Record<string, string>]> = [
      ['/console/t/con-a/groups', { name: 'Forged', roles: 'admin' }],
      ['/console/t/con-a/groups/admins/roles', { roles: 'owner' }],
      ['/console/t/con-a/webhooks', { url: 'https://forged.test/hook' }],
      [`/console/t/con-a/webhooks/${endpointId}/rotate-secret`, { overlapSeconds: '0' }],
      ['/console/t/con-a/domains/keep.test/remove', {}],
      [`/console/t/con-a/directories/${directoryId}/tokens`, { overlapSeconds: '0' }],
    ];
    const multipart = (csrf: string | null) => {
      const form = new FormData();
      if (csrf !== null) form.set('_csrf', csrf);
      form.set('file', new Blob(['email\nforged@con-a.test\n'], { type: 'text/csv' }), 'forged.csv');
      return form;
    };
    const postUpload = (cookie: string, csrf: string | null) =>
      fetch(`${h.url}/console/t/con-a/imports`, { method: 'POST', redirect: 'manual', headers: { cookie }, body: multipart(csrf) });

    // A plain member: 403 on every page and form, each refusal audited.
    const denied = await models.auditEvents.countDocuments({ action: 'console.access_denied' });
    const pages = ['groups', 'imports', `imports/${importId}`, `imports/${importId}/results.csv`];
    for (const path of pages) expect((await get(`/console/t/con-a/${path}`, memberCookie)).status, path).toBe(403);
    const memberCsrf = await csrfOf('/console', memberCookie);
    for (const [path, form] of forms) expect((await post(path, memberCookie, { ...form, _csrf: memberCsrf })).status, path).toBe(403);
    expect((await postUpload(memberCookie, memberCsrf)).status).toBe(403);
    expect(await models.auditEvents.countDocuments({ action: 'console.access_denied' })).toBe(denied + pages.length + forms.length + 1);

    // The admin, without the token or with a forged one: 403 csrf_failed.
    for (const [path, form] of forms) {
      const res = await post(path, adminCookie, form);
      expect(res.status, path).toBe(403);
      expect(await res.text()).toContain('csrf_failed');
      expect((await post(path, adminCookie, { ...form, _csrf: 'forged' })).status, path).toBe(403);
    }
    const noToken = await postUpload(adminCookie, null);
    expect(noToken.status).toBe(403);
    expect(await noToken.text()).toContain('csrf_failed');
    expect((await postUpload(adminCookie, 'forged')).status).toBe(403);
    // Tenant B's pages and forms are not A's admin's either.
    const adaCsrf = await csrfOf('/console/t/con-a/groups', adminCookie);
    expect((await get('/console/t/con-b/groups', adminCookie)).status).toBe(403);
    expect((await post('/console/t/con-b/groups', adminCookie, { name: 'Forged', _csrf: adaCsrf })).status).toBe(403);

    expect(await state()).toEqual(before);
    expect(await models.users.countDocuments({ email: 'forged@con-a.test' })).toBe(0);
  });

  it('a plain member cannot open the console of their own tenant', async () => {
    expect((await get('/console/t/con-a/approvals', memberCookie)).status).toBe(403);
  });

  it('refuses a decision without the CSRF token or from another origin', async () => {
    const csrf = await csrfOf('/console', '');
    expect(csrf).not.toBe('');
    const tokenSession = await post('/console/login/token', '', { _csrf: csrf, token: h.adminToken });
    expect(tokenSession.status).toBe(403); // no session yet: the token was never issued to this browser
    const path = `/console/t/con-b/approvals/${encodeURIComponent(requestB)}/approve`;
    const adaCsrf = await csrfOf('/console/t/con-a/approvals', adminCookie);
    expect((await post(path, adminCookie, {})).status).toBe(403);
    expect((await post(path, adminCookie, { _csrf: 'forged' })).status).toBe(403);
    expect((await post(path, adminCookie, { _csrf: adaCsrf }, 'https://evil.test')).status).toBe(403);
    expect((await h.services.db.models.approvalRequests.findById(requestB).lean())?.status).toBe('pending');
  });

  it("the operator signs in with the admin token and rejects B's request (a reason is required)", async () => {
    const first = await get('/console', '');
    const cookie = (first.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await first.text())?.[1] ?? '';
    expect((await post('/console/login/token', cookie, { _csrf: csrf, token: 'wrong' })).status).toBe(401);
    const login = await post('/console/login/token', cookie, { _csrf: csrf, token: h.adminToken });
    expect(login.status).toBe(303);
    const operator = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const list = await get('/console/t/con-b/approvals', operator);
    expect(await list.text()).toContain('bea@con-b.test');
    const opCsrf = await csrfOf('/console/t/con-b/approvals', operator);
    const path = `/console/t/con-b/approvals/${encodeURIComponent(requestB)}/reject`;
    await post(path, operator, { _csrf: opCsrf });
    expect(await (await get('/console/t/con-b/approvals', operator)).text()).toContain('say why');
    expect((await post(path, operator, { _csrf: opCsrf, reason: 'unknown' })).status).toBe(303);
    await h.services.client.workflow.getHandle((await h.services.db.models.approvalRequests.findById(requestB).lean())?.workflowId ?? '').result();
    expect((await h.services.db.models.approvalRequests.findById(requestB).lean())?.status).toBe('rejected');
  });

  it('after SSO, only a console path of this app is followed (RelayState)', async () => {
    expect(returnPath('/console/t/con-a/approvals')).toBe('/console/t/con-a/approvals');
    for (const bad of ['https://evil.test/console', '//evil.test/console', '/console/../../x\n', '/elsewhere', 42, '/console\\x']) {
      expect(returnPath(bad)).toBeNull();
    }
    // End to end: an ACS post with RelayState lands on the console path.
    const who = user('ada', 'con-a.test');
    const login = await fetch(a.loginUrl + '?RelayState=' + encodeURIComponent('/console/t/con-a/approvals'), { redirect: 'manual' });
    const response = await idpA.respond(a.metadataXml, login.headers.get('location'), who);
    expect(response.RelayState).toBe('/console/t/con-a/approvals');
    const acs = await fetch(response.acsUrl, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ SAMLResponse: response.SAMLResponse, RelayState: response.RelayState ?? '' }).toString(),
    });
    expect(acs.headers.get('location')).toBe('/console/t/con-a/approvals');
    await waitForSignInRuns(h.services.client, a.id, who.nameId);
  });

  it('the group-sync form takes 500 mappings (its own, larger body limit); any other form over 16 kB is refused with a readable 413 page', async () => {
    const { models } = h.services.db;
    expect((await h.admin('POST', '/tenants/con-a/groups', { name: 'synced', roles: [] })).status).toBe(201);
    const path = `/console/t/con-a/connections/saml/${a.id}/group-sync`;
    const csrf = await csrfOf(`/console/t/con-a/connections/saml/${a.id}`, adminCookie);
    const form = new URLSearchParams({ _csrf: csrf, mode: 'off', whenAbsent: 'keep', unmapped: 'ignore', allowList: '' });
    for (let i = 0; i < 500; i++) {
      form.append('mappingValue', `CN=idp-group-${i},OU=Groups,DC=con-a,DC=test`);
      form.append('mappingGroup', 'synced');
      form.append('mappingRoles', '');
    }
    const body = form.toString();
    expect(body.length).toBeGreaterThan(16 * 1024);
    const saved = await fetch(`${h.url}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: adminCookie, 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    expect(saved.status).toBe(303);
    expect(saved.headers.get('location')).toBe(`/console/t/con-a/connections/saml/${a.id}`);
    const sync = await h.services.libraries.groups.groupSync(new Types.ObjectId(a.tenantId), a.id);
    expect(sync.mappings).toHaveLength(500);
    expect(sync.mappings[499]).toMatchObject({ value: 'CN=idp-group-499,OU=Groups,DC=con-a,DC=test', group: 'synced' });

    // An ordinary form of 100 kB: refused before it is read further, on a page that says why; nothing written.
    const groups = await models.groups.countDocuments({});
    const big = await post('/console/t/con-a/groups', adminCookie, { _csrf: csrf, name: 'Huge', roles: 'x'.repeat(100 * 1024) });
    expect(big.status).toBe(413);
    expect(big.headers.get('content-type')).toContain('text/html');
    const page = await big.text();
    expect(page).toContain('body_too_large');
    expect(page).not.toContain('PayloadTooLargeError');
    expect(await models.groups.countDocuments({})).toBe(groups);
  });

  it('the upload forms refuse what is not their form once the CSRF token is checked: not multipart (415), two files (400); nothing written', async () => {
    const { models } = h.services.db;
    const csrf = await csrfOf('/console/t/con-a/imports', adminCookie);
    const imports = await models.imports.countDocuments({});
    const connections = await models.samlConnections.countDocuments({});
    for (const path of ['/console/t/con-a/imports', '/console/t/con-a/connections/saml']) {
      const plain = await post(path, adminCookie, { _csrf: csrf, name: 'Plain', metadataXml: idpA.metadataXml.slice(0, 1000) });
      expect(plain.status, path).toBe(415);
      expect(await plain.text(), path).toContain('unsupported_media_type');
      const two = new FormData();
      two.set('_csrf', csrf);
      two.set('name', 'Two');
      const field = path.endsWith('imports') ? 'file' : 'metadataFile';
      two.append(field, new Blob(['email\nx@con-a.test\n'], { type: 'text/csv' }), 'one.csv');
      two.append(field, new Blob(['email\ny@con-a.test\n'], { type: 'text/csv' }), 'two.csv');
      const refused = await fetch(`${h.url}${path}`, { method: 'POST', redirect: 'manual', headers: { cookie: adminCookie }, body: two });
      expect(refused.status, path).toBe(400);
      const text = await refused.text();
      expect(text, path).toContain('validation_failed');
      expect(text, path).toContain('The form was refused');
    }
    // Without the token, the same bodies are refused as forged first (403).
    expect((await post('/console/t/con-a/imports', adminCookie, { name: 'Plain' })).status).toBe(403);
    expect(await models.imports.countDocuments({})).toBe(imports);
    expect(await models.samlConnections.countDocuments({})).toBe(connections);
  });

  it("the session API: a tenant admin decides their own tenant's requests with the CSRF header; another tenant's → 403, audited", async () => {
    await h.admin('PUT', '/tenants/con-a/approval-policy', { when: ['new-accounts'] });
    expect((await samlSignIn(a, idpA, user('nell', 'con-a.test'))).status).toBe(202);
    const api = (path: string, init: RequestInit = {}) =>
      fetch(`${h.url}${path}`, { ...init, headers: { cookie: adminCookie, 'content-type': 'application/json', ...(init.headers ?? {}) } });
    expect((await fetch(`${h.url}/api/csrf`)).status).toBe(401);
    const { token } = (await (await api('/api/csrf')).json()) as { token: string };
    const list = (await (await api('/api/tenants/con-a/approvals')).json()) as { data: Array<{ id: string; email: string }> };
    const nell = list.data.find((r) => r.email === 'nell@con-a.test');
    expect(nell).toBeDefined();
    const approve = (tenant: string, id: string, csrf?: string) =>
      api(`/api/tenants/${tenant}/approvals/${encodeURIComponent(id)}/approve`, { method: 'POST', body: '{}', headers: csrf ? { 'x-csrf-token': csrf } : {} });
    expect((await approve('con-a', nell?.id ?? '')).status).toBe(403); // no CSRF header
    const other = await approve('con-b', requestB, token);
    expect(other.status).toBe(403);
    expect(((await other.json()) as { error: { code: string } }).error.code).toBe('forbidden');
    expect((await api('/api/tenants/con-b/approvals')).status).toBe(403);
    const ok = await approve('con-a', nell?.id ?? '', token);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ status: 'approved' });
    await waitForSignInRuns(h.services.client, a.id, 'nell@con-a.test');
    const approved = await h.services.db.models.auditEvents.findOne({ action: 'approval.approved', 'target.id': nell?.id }).lean();
    const adaId = String((await h.services.db.models.users.findOne({ email: 'ada@con-a.test' }).lean())?._id);
    expect(approved?.actor).toMatchObject({ type: 'admin', id: `user:${adaId}` });
    expect(await h.services.db.models.auditEvents.countDocuments({ action: 'console.access_denied', userId: adaId })).toBeGreaterThanOrEqual(4);
  });
});
