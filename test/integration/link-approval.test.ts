import { beforeAll, describe, expect, it } from 'vitest';
import { SA_OUTCOME } from '../../src/runs/searchAttributes';
import { signInWorkflowId } from '../../src/runs/signInClient';
import { newIdp, samlSignIn, useSamlTenants, type Harness, type SamlConnectionInfo } from '../support/harness';
import { listRuns, waitForSignInRuns } from '../support/temporal';

/** Link policy `approval`: the sign-in is parked in its run until an admin approves or rejects. */
describe('linking that waits for an admin', () => {
  let h: Harness;
  const oldIdp = newIdp('old-co');
  const newIdpX = newIdp('new-co');
  let oldConn: SamlConnectionInfo;
  let newConn: SamlConnectionInfo;

  useSamlTenants(
    [
      { slug: 'old-co', idp: oldIdp },
      { slug: 'new-co', idp: newIdpX },
    ],
    (harness, conns) => ([h, [oldConn, newConn]] = [harness, conns as [SamlConnectionInfo, SamlConnectionInfo]]),
  );
  beforeAll(async () => {
    for (const who of ['pat', 'rex']) {
      expect((await samlSignIn(oldConn, oldIdp, { nameId: `${who}-old`, email: `${who}@old-co.test`, name: who })).status).toBe(303);
      await waitForSignInRuns(h.services.client, oldConn.id, `${who}-old`);
    }
    await h.admin('PUT', '/tenants/new-co/domains', { domains: [{ domain: 'old-co.test', verified: true }] });
    await h.admin('PUT', '/tenants/new-co/link-policy', { policy: 'approval', fallback: 'deny' });
  });

  const pending = async () => (await h.admin('GET', '/tenants/new-co/approvals')).body.data;

  it('answers pending, keeps one request for repeated sign-ins, and links once approved', async () => {
    const who = { nameId: 'pat-new', email: 'pat@old-co.test', name: 'Pat' };
    const first = await samlSignIn(newConn, newIdpX, who);
    expect(first.status).toBe(202);
    expect(first.body).toContain('Awaiting approval');
    const again = await samlSignIn(newConn, newIdpX, who);
    expect(again.status).toBe(202);
    const requests = await pending();
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ email: 'pat@old-co.test', reason: 'policy_approval', subject: 'pat-new' });
    const runs = await listRuns(h.services.client, `OnrampConnection = "${newConn.id}" AND OnrampOutcome = "AwaitingApproval"`, 1);
    expect(runs).toHaveLength(1);
    const { models } = h.services.db;
    const pat = await models.users.findOne({ email: 'pat@old-co.test' }).lean();
    expect(await models.identities.countDocuments({ userId: pat?._id })).toBe(1);

    const id = encodeURIComponent(requests[0]?.id ?? '');
    expect((await h.admin('POST', `/tenants/new-co/approvals/${id}/approve`, {})).status).toBe(200);
    expect((await h.admin('POST', `/tenants/new-co/approvals/${id}/approve`, {})).status).toBe(409);
    expect((await h.admin('POST', `/tenants/old-co/approvals/${id}/approve`, {})).status).toBe(404);
    await h.services.client.workflow.getHandle(signInWorkflowId(newConn.id, who.nameId)).result();
    expect(await models.identities.countDocuments({ userId: pat?._id })).toBe(2);
    expect(await models.memberships.countDocuments({ userId: pat?._id })).toBe(2);
    expect((await models.approvalRequests.findOne({}).lean())?.status).toBe('approved');
    expect(await models.auditEvents.countDocuments({ action: 'approval.approved', userId: pat?._id })).toBe(1);
    const linkedRuns = await listRuns(h.services.client, `OnrampConnection = "${newConn.id}" AND OnrampOutcome = "Linked"`, 1);
    expect(linkedRuns[0]?.typedSearchAttributes.get(SA_OUTCOME)).toBe('Linked');

    // The next sign-in lets Pat in.
    expect((await samlSignIn(newConn, newIdpX, who)).status).toBe(303);
    expect(await pending()).toHaveLength(0);
  });

  it('a rejection provisions nothing and is audited with who and why', async () => {
    const who = { nameId: 'rex-new', email: 'rex@old-co.test', name: 'Rex' };
    expect((await samlSignIn(newConn, newIdpX, who)).status).toBe(202);
    const [request] = await pending();
    expect((await h.admin('POST', `/tenants/new-co/approvals/${encodeURIComponent(request?.id ?? '')}/reject`, { reason: 'not ours' })).status).toBe(200);
    await h.services.client.workflow.getHandle(signInWorkflowId(newConn.id, who.nameId)).result();
    const { models } = h.services.db;
    const rex = await models.users.findOne({ email: 'rex@old-co.test' }).lean();
    expect(await models.identities.countDocuments({ userId: rex?._id })).toBe(1);
    expect(await models.memberships.countDocuments({ userId: rex?._id })).toBe(1);
    const rejected = await models.auditEvents.findOne({ action: 'approval.rejected' }).lean();
    expect(rejected?.reason).toBe('not ours');
    expect(rejected?.actor).toMatchObject({ type: 'admin', id: 'admin-token' });
    expect(await models.auditEvents.countDocuments({ action: 'signin.denied', reason: 'approval_rejected' })).toBe(1);
    // The next sign-in starts a new request rather than slipping through.
    expect((await samlSignIn(newConn, newIdpX, who)).status).toBe(202);
  });
});
