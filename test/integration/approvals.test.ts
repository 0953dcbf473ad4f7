import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureTemporalCli } from '../../src/devservices/goBinaries';
import { cacheDir } from '../../src/devservices/paths';
import { signInWorkflowId } from '../../src/runs/signInClient';
import { stateQuery } from '../../workflows/signIn';
import { newIdp, samlSignIn, useSamlTenant, user, type Harness, type SamlConnectionInfo } from '../support/harness';
import { listRuns } from '../support/temporal';

interface Request {
  id: string;
  kind: string;
  reasons: string[];
  email: string;
  planned: { roles: string[] | null; newAccount: boolean; grants: string[] };
}

describe('manual approval of new accounts and privileged grants', () => {
  let h: Harness;
  let conn: SamlConnectionInfo;
  const idp = newIdp('appr');
  const t = 'appr';

  useSamlTenant(t, idp, (t) => ({ h, conn } = t));
  beforeAll(async () => {
    expect((await h.admin('PUT', `/tenants/${t}/approval-policy`, { when: ['new-accounts', 'privileged-grant'] })).status).toBe(200);
  });

  const pending = async (query = '') => (await h.admin('GET', `/tenants/${t}/approvals${query}`)).body.data as unknown as Request[];
  const requestOf = async (email: string) => (await pending()).find((r) => r.email === email);
  const runDone = (subject: string) => h.services.client.workflow.getHandle(signInWorkflowId(conn.id, subject)).result();
  const membershipOf = async (email: string) => {
    const u = await h.services.db.models.users.findOne({ email }).lean();
    return u ? h.services.db.models.memberships.findOne({ userId: u._id }).lean() : null;
  };
  const approvalPath = (id: string, verb: string) => `/tenants/${t}/approvals/${encodeURIComponent(id)}/${verb}`;

  it('new account: pending page; listed; approved with other roles → membership active; the next sign-in gets in', async () => {
    const who = user('nina', 'appr.test');
    const first = await samlSignIn(conn, idp, who);
    expect(first.status).toBe(202);
    expect(first.body).toContain('Awaiting approval');
    expect(first.body).toContain('approval_required');
    expect(await h.services.db.models.users.countDocuments({ email: who.email })).toBe(0); // nothing provisioned yet

    const request = await requestOf(who.email);
    expect(request).toMatchObject({ kind: 'new-member', reasons: ['new-accounts'], planned: { roles: ['member'], newAccount: true } });
    expect((await pending('?kind=link')).length).toBe(0);
    expect((await pending(`?email=${encodeURIComponent('NINA@appr.test')}`)).length).toBe(1);
    const awaiting = await listRuns(h.services.client, `OnrampConnection = "${conn.id}" AND OnrampOutcome = "AwaitingApproval"`, 1);
    expect(awaiting.length).toBeGreaterThanOrEqual(1);

    const id = request?.id ?? '';
    expect((await h.admin('POST', approvalPath(id, 'approve'), { roles: ['ghost'] })).status).toBe(400);
    const ok = await h.admin('POST', approvalPath(id, 'approve'), { roles: ['member', 'admin'], reason: 'new hire' });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ status: 'approved' });
    const twice = await h.admin('POST', approvalPath(id, 'approve'), {});
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('approval_already_decided');
    await runDone(who.nameId);

    expect(await membershipOf(who.email)).toMatchObject({ status: 'active', roles: ['member', 'admin'] });
    const approved = await h.services.db.models.auditEvents.findOne({ action: 'approval.approved' }).lean();
    expect(approved).toMatchObject({ reason: 'new hire', actor: { type: 'admin', id: 'admin-token' } });
    expect((await h.admin('POST', approvalPath(id, 'reject'), { reason: 'too late' })).status).toBe(409);
    expect((await samlSignIn(conn, idp, who)).status).toBe(303);
  });

  it('reject: nothing provisioned, audited with who and why; a reason is required', async () => {
    const who = user('rolf', 'appr.test');
    expect((await samlSignIn(conn, idp, who)).status).toBe(202);
    const id = (await requestOf(who.email))?.id ?? '';
    expect((await h.admin('POST', approvalPath(id, 'reject'), {})).status).toBe(400);
    expect((await h.admin('POST', approvalPath(id, 'reject'), { reason: 'unknown person' })).status).toBe(200);
    await runDone(who.nameId);
    const { models } = h.services.db;
    expect(await models.users.countDocuments({ email: who.email })).toBe(0);
    expect(await models.auditEvents.countDocuments({ action: 'approval.rejected', reason: 'unknown person' })).toBe(1);
    expect(await models.auditEvents.countDocuments({ action: 'signin.denied', reason: 'approval_rejected' })).toBe(1);
    expect((await models.approvalRequests.findById(id).lean())?.status).toBe('rejected');
    expect((await h.admin('POST', approvalPath(id, 'approve'), {})).status).toBe(409); // rejected stays rejected
  });

  it('two admins approving at the same moment: one 200, one 409, one effect', async () => {
    const who = user('dora', 'appr.test');
    expect((await samlSignIn(conn, idp, who)).status).toBe(202);
    const id = (await requestOf(who.email))?.id ?? '';
    const answers = await Promise.all([h.admin('POST', approvalPath(id, 'approve'), {}), h.admin('POST', approvalPath(id, 'approve'), {})]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    await runDone(who.nameId);
    const { models } = h.services.db;
    expect(await models.auditEvents.countDocuments({ action: 'approval.approved', 'target.id': id })).toBe(1);
    expect(await models.memberships.countDocuments({ userId: (await models.users.findOne({ email: who.email }).lean())?._id })).toBe(1);
  });

  it('an approval sent as a Temporal signal (`temporal workflow signal … --name approval`) is an operator override: default roles, audited as such', async () => {
    const who = user('sigrid', 'appr.test');
    expect((await samlSignIn(conn, idp, who)).status).toBe(202);
    const cli = await ensureTemporalCli(cacheDir(process.env.ONRAMP_CACHE_DIR), process.env.TEMPORAL_CLI_PATH);
    const verdict = { approve: true, by: 'ops-oncall', reason: 'VIP at the door', roles: ['owner'] };
    await promisify(execFile)(cli, [
      'workflow',
      'signal',
      '--address',
      h.config.temporal.address ?? '',
      '--namespace',
      h.config.temporal.namespace,
      '--workflow-id',
      signInWorkflowId(conn.id, who.nameId),
      '--name',
      'approval',
      '--input',
      JSON.stringify(verdict),
    ]);
    await runDone(who.nameId);
    // The signal cannot choose roles (it skipped the API's owner check): the tenant's defaults apply.
    expect(await membershipOf(who.email)).toMatchObject({ status: 'active', roles: ['member'] });
    const audit = await h.services.db.models.auditEvents
      .findOne({ action: 'approval.approved', 'target.id': (await h.services.db.models.approvalRequests.findOne({ 'claim.subject': who.nameId }).lean())?._id })
      .lean();
    expect(audit).toMatchObject({ actor: { type: 'admin', id: 'signal:ops-oncall' }, reason: 'VIP at the door', context: { via: 'operator-signal' } });
    expect((await samlSignIn(conn, idp, who)).status).toBe(303);
  });

  it('five sign-ins while pending: one run, one request', async () => {
    const who = user('fiona', 'appr.test');
    const answers = await Promise.all(Array.from({ length: 5 }, () => samlSignIn(conn, idp, who)));
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 202, 202]);
    expect(await h.services.db.models.approvalRequests.countDocuments({ 'claim.subject': who.nameId })).toBe(1);
    const runs = await listRuns(h.services.client, `WorkflowId = "${signInWorkflowId(conn.id, who.nameId)}"`, 1);
    expect(runs).toHaveLength(1);
    // The run's live state, for ops: parked, answered pending, nobody decided yet.
    const live = await h.services.client.workflow.getHandle(signInWorkflowId(conn.id, who.nameId)).query(stateQuery);
    expect(live).toMatchObject({ phase: 'awaiting-approval', decided: false, decision: { status: 'pending', reason: 'approval_required' } });
    expect(await h.services.db.models.auditEvents.countDocuments({ action: 'approval.requested', 'context.subject': who.nameId })).toBe(1);
  });

  it('a member whose IdP groups would make them admin waits for approval (privileged-grant)', async () => {
    await h.admin('POST', `/tenants/${t}/groups`, { name: 'admins', roles: ['admin'] });
    await h.admin('PUT', `/tenants/${t}/connections/${conn.id}/group-sync`, { mode: 'full', mappings: [{ value: 'admins', group: 'admins' }] });
    const nina = user('nina', 'appr.test');
    // Nina is already admin (approved above with roles): nothing new, no approval.
    expect((await samlSignIn(conn, idp, { ...nina, groups: ['admins'] })).status).toBe(303);
    await runDone(nina.nameId);

    await h.admin('PUT', `/tenants/${t}/approval-policy`, { when: ['privileged-grant'] });
    const fiona = user('fiona2', 'appr.test');
    expect((await samlSignIn(conn, idp, fiona)).status).toBe(303); // a plain member: in at once
    await runDone(fiona.nameId);
    expect((await samlSignIn(conn, idp, { ...fiona, groups: ['admins'] })).status).toBe(202);
    const request = await requestOf(fiona.email);
    expect(request).toMatchObject({ kind: 'privileged-grant', reasons: ['privileged-grant'], planned: { roles: null, grants: ['group:admins'] } });
    expect((await h.admin('POST', approvalPath(request?.id ?? '', 'approve'), { roles: ['admin'] })).status).toBe(400); // no new membership
    expect((await h.admin('POST', approvalPath(request?.id ?? '', 'approve'), {})).status).toBe(200);
    await runDone(fiona.nameId);
    const access = await h.admin('GET', `/tenants/${t}/members/${String((await membershipOf(fiona.email))?.userId)}/access`);
    expect(access.body).toMatchObject({ groups: ['admins'], roles: ['admin', 'member'] });
  });

  it('expiry (a short tenant expiry): nothing provisioned, audited; deciding afterwards is a 409', async () => {
    await h.admin('PUT', `/tenants/${t}/approval-policy`, { when: ['new-accounts'], expirySeconds: 2 });
    const who = user('otto', 'appr.test');
    expect((await samlSignIn(conn, idp, who)).status).toBe(202);
    const id = (await requestOf(who.email))?.id ?? '';
    await runDone(who.nameId);
    const { models } = h.services.db;
    expect(await models.users.countDocuments({ email: who.email })).toBe(0);
    expect((await models.approvalRequests.findById(id).lean())?.status).toBe('expired');
    expect(await models.auditEvents.countDocuments({ action: 'approval.expired', 'target.id': id })).toBe(1);
    expect(await models.auditEvents.countDocuments({ action: 'signin.denied', reason: 'approval_expired' })).toBe(1);
    expect((await h.admin('POST', approvalPath(id, 'approve'), {})).status).toBe(409);
  });

  it('validates the policy', async () => {
    expect((await h.admin('PUT', `/tenants/${t}/approval-policy`, { when: ['sometimes'] })).status).toBe(400);
    expect((await h.admin('PUT', `/tenants/${t}/approval-policy`, { when: ['never', 'links'] })).status).toBe(400);
    expect((await h.admin('PUT', `/tenants/${t}/approval-policy`, { when: ['never'], expirySeconds: 0 })).status).toBe(400);
    expect((await h.admin('PUT', `/tenants/${t}/approval-policy`, { when: ['never'] })).body).toMatchObject({ when: [] });
    expect((await h.admin('POST', approvalPath('nope:nope', 'approve'), {})).status).toBe(404);
  });
});
