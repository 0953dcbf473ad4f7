import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import { beforeAll, describe, expect, it } from 'vitest';
import { signInWorkflowId } from '../../src/runs/signInClient';
import { approvalSignal } from '../../workflows/definitions';
import { newIdp, samlSignIn, useSamlTenant, user, type Harness, type SamlConnectionInfo } from '../support/harness';
import { waitForSignInRuns } from '../support/temporal';
import { createScimGroupLibrary } from '../../src/library/scimGroups';
import { createStore } from '../../src/store/store';
import { emailSearchValue } from '../../src/runs/searchEmail';
import { createDirectoryWriter, directoryGroupWorkflowId, directoryUserWorkflowId } from '../../src/runs/directoryClient';
import { entra, entraGroups, okta, oktaGroups } from '../fixtures/scimRequests';
import { createDirectory } from '../support/scimClient';
import { memberCreationWorkflowId } from '../../src/runs/memberCreationClient';
import { tenantAdminWorkflowId } from '../../src/runs/tenantAdminClient';
import { importWorkflowId } from '../../src/runs/importClient';
import { invitationWorkflowId } from '../../src/runs/invitationClient';
import { importDone, postImport } from '../support/imports';
import { webhookWorkflowId } from '../../src/runs/webhookClient';
import { startReceiver } from '../support/webhookReceiver';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'histories');

/**
 * Records one history per kind of sign-in run into test/fixtures/histories,
 * for the replay test (workflow-replay.test.ts). Runs only with
 * RECORD_HISTORIES=1 (`npm run record-histories`): record after a workflow
 * change has been released, so later changes are checked against it.
 */
describe.skipIf(process.env.RECORD_HISTORIES !== '1')('record workflow histories', () => {
  let h: Harness;
  let conn: SamlConnectionInfo;
  const idp = newIdp('history');
  const save = async (name: string, subject: string) => {
    await waitForSignInRuns(h.services.client, conn.id, subject).catch(() => undefined);
    const history = await h.services.client.workflow.getHandle(signInWorkflowId(conn.id, subject)).fetchHistory();
    // Binary protobuf: exact, and independent of protobufjs's JSON support (which breaks on duplicated protobufjs copies).
    await writeFile(join(FIXTURES, `${name}.pb`), temporal.api.history.v1.History.encode(history).finish());
  };
  const approvals = async () => (await h.admin('GET', '/tenants/history/approvals')).body.data;

  useSamlTenant('history', idp, (t) => ({ h, conn } = t), { harness: { faults: { refuseActivity: 'recordGrantRefusals' } } });
  beforeAll(async () => {
    await h.admin('POST', '/tenants/history/groups', { name: 'eng', roles: [] });
    await h.admin('POST', '/tenants/history/groups', { name: 'admins', roles: ['admin'] });
  });

  it('records the kinds of sign-in runs', async () => {
    // JIT first sign-in, then a returning one with grants and revokes.
    await h.admin('PUT', `/tenants/history/connections/${conn.id}/group-sync`, {
      mode: 'full',
      unmapped: 'create-group',
      mappings: [
        { value: 'eng', group: 'eng' },
        { value: 'admins', group: 'admins' },
      ],
    });
    expect((await samlSignIn(conn, idp, { ...user('jit', 'history.test'), groups: ['eng'] })).status).toBe(303);
    await save('jit-first-sign-in', 'jit@history.test');
    expect((await samlSignIn(conn, idp, { ...user('jit', 'history.test'), groups: ['admins'] })).status).toBe(303);
    await save('returning-grant-and-revoke', 'jit@history.test');
    // A fan-out of more grants than answer before the login (after the answer, in the durable tail).
    const many = Array.from({ length: 25 }, (_, i) => `team-${i}`);
    expect((await samlSignIn(conn, idp, { ...user('fan', 'history.test'), groups: many })).status).toBe(303);
    await save('grant-fan-out', 'fan@history.test');
    // Denied (JIT off).
    await h.services.db.models.tenants.updateOne({ slug: 'history' }, { $set: { 'jit.enabled': false } });
    expect((await samlSignIn(conn, idp, user('nojit', 'history.test'))).status).toBe(403);
    await save('denied', 'nojit@history.test');
    await h.services.db.models.tenants.updateOne({ slug: 'history' }, { $set: { 'jit.enabled': true } });
    // Approval: approved, rejected, expired.
    await h.admin('PUT', '/tenants/history/approval-policy', { when: ['new-accounts'], expirySeconds: 2 });
    for (const who of ['yes', 'no', 'late', 'signal']) expect((await samlSignIn(conn, idp, user(who, 'history.test'))).status).toBe(202);
    const pending = await approvals();
    const idOf = (email: string) => encodeURIComponent(pending.find((r) => r.email === email)?.id ?? '');
    expect((await h.admin('POST', `/tenants/history/approvals/${idOf('yes@history.test')}/approve`, {})).status).toBe(200);
    expect((await h.admin('POST', `/tenants/history/approvals/${idOf('no@history.test')}/reject`, { reason: 'unknown' })).status).toBe(200);
    await h.services.client.workflow
      .getHandle(signInWorkflowId(conn.id, 'signal@history.test'))
      .signal(approvalSignal, { approve: true, by: 'ops', reason: 'override', roles: null });
    await save('approval-approved', 'yes@history.test');
    await save('approval-by-signal', 'signal@history.test');
    await save('approval-rejected', 'no@history.test');
    await save('approval-expired', 'late@history.test');
    await h.admin('PUT', '/tenants/history/approval-policy', { when: ['never'] });
    // A step the database refuses (the refusal audit of an owner grant, made to fail).
    await h.admin('PUT', `/tenants/history/connections/${conn.id}/group-sync`, { mode: 'full', mappings: [{ value: 'boss', roles: ['owner'] }] });
    expect((await samlSignIn(conn, idp, { ...user('boss', 'history.test'), groups: ['boss'] })).status).toBe(303);
    await save('failed-step', 'boss@history.test');
  });

  it('records the kinds of SCIM directory runs', async () => {
    await h.createTenant('history-scim', { enabled: false, defaultRoles: ['member'] });
    const scim = await createDirectory(h, 'history-scim', 'entra');
    const tenantId = String((await h.services.db.models.tenants.findOne({ slug: 'history-scim' }).lean())?._id);
    const saveRun = async (name: string, workflowId: string) => {
      const handle = h.services.client.workflow.getHandle(workflowId);
      await handle.result();
      await writeFile(join(FIXTURES, `${name}.pb`), temporal.api.history.v1.History.encode(await handle.fetchHistory()).finish());
    };
    const created = await scim.call('POST', '/Users', okta.create('hist@history-scim.test', 'okta-hist'));
    const userId = String(created.body.id);
    const userRun = directoryUserWorkflowId(scim.id, userId);
    await saveRun('scim-user-create', userRun);
    const group = await scim.call('POST', '/Groups', { ...oktaGroups.create('History'), members: [{ value: userId }] });
    const groupId = String(group.body.id);
    await saveRun('scim-group-create', directoryGroupWorkflowId(scim.id, groupId));
    expect((await scim.call('PATCH', `/Users/${userId}`, entra.disable)).status).toBe(200);
    await saveRun('scim-user-deactivate', userRun);
    expect((await scim.call('PATCH', `/Users/${userId}`, entra.enable)).status).toBe(200);
    await saveRun('scim-user-reactivate', userRun);
    expect((await scim.call('PATCH', `/Groups/${groupId}`, entraGroups.rename('History 2'))).status).toBe(200);
    await saveRun('scim-group-rename', directoryGroupWorkflowId(scim.id, groupId));
    // A write over its batch budget: the fan-out child, continued as new.
    const writer = createDirectoryWriter(h.services.client, {
      taskQueue: h.config.temporal.taskQueue,
      waitMs: 60_000,
      workflowTaskTimeoutMs: h.config.temporal.workflowTaskTimeoutMs,
      searchEmail: emailSearchValue(h.config.temporal.searchEmail),
    });
    const groups = createScimGroupLibrary(createStore(h.services.db.models), writer, { inlineSteps: 1, fanOutSteps: 1 });
    const ops = [
      { op: 'remove' as const, values: [userId] },
      { op: 'add' as const, values: [userId] },
      { op: 'replace' as const, values: [userId] },
    ];
    expect(
      await groups.write({ directoryId: scim.id, tenantId, scimId: groupId }, { id: 'history-fan-out', kind: 'patch', attributes: {}, members: ops }),
    ).toMatchObject({ ok: true });
    await saveRun('scim-group-fan-out', `${directoryGroupWorkflowId(scim.id, groupId)}-members-history-fan-out`);
    expect((await scim.call('DELETE', `/Groups/${groupId}`)).status).toBe(204);
    await saveRun('scim-group-delete', directoryGroupWorkflowId(scim.id, groupId));
    expect((await scim.call('DELETE', `/Users/${userId}`)).status).toBe(204);
    await saveRun('scim-user-delete', userRun);
  });

  it('records the admin provisioning runs', async () => {
    await h.createTenant('history-admin', { enabled: false, defaultRoles: ['member'] });
    expect((await h.admin('PUT', '/tenants/history-admin/domains', { domains: [{ domain: 'history-admin.test', verified: true }] })).status).toBe(200);
    expect((await h.admin('POST', '/tenants/history-admin/groups', { name: 'Ops', roles: [] })).status).toBe(201);
    const tenantId = String((await h.services.db.models.tenants.findOne({ slug: 'history-admin' }).lean())?._id);
    const saveRun = async (name: string, workflowId: string) => {
      const handle = h.services.client.workflow.getHandle(workflowId);
      await handle.result().catch(() => undefined);
      await writeFile(join(FIXTURES, `${name}.pb`), temporal.api.history.v1.History.encode(await handle.fetchHistory()).finish());
    };
    const created = await fetch(`${h.url}/api/admin/tenants/history-admin/members`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.adminToken}`, 'content-type': 'application/json', 'idempotency-key': 'history-create' },
      body: JSON.stringify({ email: 'made@history-admin.test', groups: ['Ops'] }),
    });
    expect(created.status).toBe(201);
    await saveRun('admin-member-create', memberCreationWorkflowId(tenantId, 'history-create'));
    const userId = String(((await created.json()) as { member: { userId: string } }).member.userId);
    expect((await h.admin('POST', `/tenants/history-admin/members/${userId}/suspend`)).status).toBe(200);
    await saveRun('admin-member-suspend', tenantAdminWorkflowId(tenantId));
    expect((await h.admin('DELETE', '/tenants/history-admin/groups/Ops')).status).toBe(204);
    await saveRun('admin-group-remove', tenantAdminWorkflowId(tenantId));
    const imported = await postImport(h, 'history-admin', 'email,name\nimp@history-admin.test,Imp\nbad,Bad', { query: 'key=history' });
    await importDone(h, 'history-admin', imported.body.import?.id ?? '');
    await saveRun('admin-import', importWorkflowId(imported.body.import?.id ?? ''));
    // An invitation accepted through the history tenant's SAML connection (the acceptance run itself).
    const invited = await h.admin('POST', '/tenants/history/invitations', { email: 'guest@history.test', roles: ['member'] });
    const invitationId = String((invited.body as unknown as { invitation: { id: string } }).invitation.id);
    const historyTenant = String((await h.services.db.models.tenants.findOne({ slug: 'history' }).lean())?._id);
    const claim = {
      tenantId: historyTenant,
      connectionId: conn.id,
      subject: 'guest@history.test',
      email: 'guest@history.test',
      emailVerified: true,
      name: 'Guest',
      groups: null,
      attributes: [],
    };
    expect(await h.services.libraries.invitationLinks.accept(invitationId, claim)).toMatchObject({ ok: true });
    await saveRun('invitation-accept', invitationWorkflowId(invitationId));
  });

  it('records a webhook delivery run (retries, a resend, a replay)', async () => {
    let failed = false;
    const receiver = await startReceiver([], () => {
      if (failed) return { status: 200 };
      failed = true;
      return { status: 500 };
    });
    try {
      const created = await h.admin('POST', '/tenants/history/webhooks', { url: receiver.url, types: ['invitation.*'] });
      const body = created.body as unknown as { endpoint: { id: string }; secret: string };
      receiver.state.secrets.push(body.secret);
      for (const who of ['hook-a', 'hook-b']) await h.admin('POST', '/tenants/history/invitations', { email: `${who}@history.test` });
      await receiver.waitFor((r) => r.filter((x) => x.status === 200).length >= 2, 60_000);
      const first = receiver.delivered()[0]?.eventId ?? '';
      await h.admin('POST', `/tenants/history/webhooks/${body.endpoint.id}/resend`, { eventId: first });
      await h.admin('POST', `/tenants/history/webhooks/${body.endpoint.id}/replay`, { after: first });
      await receiver.waitFor((r) => r.filter((x) => x.status === 200).length >= 4, 60_000);
      const handle = h.services.client.workflow.getHandle(webhookWorkflowId(body.endpoint.id));
      await writeFile(join(FIXTURES, 'webhook-delivery.pb'), temporal.api.history.v1.History.encode(await handle.fetchHistory()).finish());
    } finally {
      await receiver.close();
    }
  });
});
