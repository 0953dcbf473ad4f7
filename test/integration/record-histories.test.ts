import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import { beforeAll, describe, expect, it } from 'vitest';
import { signInWorkflowId } from '../../src/temporal/signInClient';
import { approvalSignal } from '../../workflows/definitions';
import { newIdp, samlSignIn, useSamlTenant, user, type Harness, type SamlConnectionInfo } from '../support/harness';
import { waitForSignInRuns } from '../support/temporal';

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
      mappings: [{ value: 'eng', group: 'eng' }, { value: 'admins', group: 'admins' }],
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
});
