import { describe, expect, it } from 'vitest';
import { newIdp, samlSignIn, useSamlTenant, user, type Harness, type SamlConnectionInfo } from '../support/harness';
import { SA_EMAIL, SA_OUTCOME } from '../../src/runs/searchAttributes';
import { emailSearchValue } from '../../src/runs/searchEmail';
import { listRuns, waitForSignInRuns } from '../support/temporal';

describe('SAML sign-in → durable JIT provisioning (Sarah)', () => {
  let h: Harness;
  let conn: SamlConnectionInfo;
  const idp = newIdp('superfantasy');

  useSamlTenant('superfantasy', idp, (t) => ({ h, conn } = t), { jit: { enabled: true, defaultRoles: ['member', 'viewer'] } });

  const auditActions = async (userId: string) => (await h.services.db.models.auditEvents.find({ userId }).sort({ _id: 1 }).lean()).map((e) => e.action);

  it('first sign-in creates exactly one user, identity and membership with the default roles, audited step by step', async () => {
    const sarah = user('sarah');
    const res = await samlSignIn(conn, idp, sarah);
    expect(res.status).toBe(303);
    expect(res.location).toBe('/');
    expect(res.cookie).toMatch(/^onramp\.sid=/);

    const me = await fetch(`${h.url}/api/me`, { headers: { cookie: res.cookie ?? '' } });
    expect(me.status).toBe(200);
    const body = await me.json();
    expect(body.user.email).toBe('sarah@superfantasy.test');
    expect(body.user.name).toBe('Sarah');
    expect(body.memberships).toEqual([{ tenantId: conn.tenantId, tenantSlug: 'superfantasy', roles: ['member', 'viewer'], groups: [], status: 'active' }]);

    await waitForSignInRuns(h.services.client, conn.id, sarah.nameId);
    const { models } = h.services.db;
    expect(await models.users.countDocuments({ email: 'sarah@superfantasy.test' })).toBe(1);
    expect(await models.identities.countDocuments({ subject: sarah.nameId })).toBe(1);
    expect(await models.memberships.countDocuments({ userId: body.user.id })).toBe(1);
    expect(await auditActions(body.user.id)).toEqual(['user.created', 'identity.linked', 'membership.created', 'signin.succeeded']);
    const created = await models.auditEvents.findOne({ action: 'user.created', userId: body.user.id }).lean();
    expect(created?.workflowId).toMatch(/^signin-/);
    expect(created?.runId).toBeTruthy();
    expect(created?.after).toEqual({ email: 'sarah@superfantasy.test', name: 'Sarah' });
  });

  it('a returning sign-in duplicates nothing and is recorded as its own run', async () => {
    const sarah = user('sarah');
    const res = await samlSignIn(conn, idp, sarah);
    expect(res.status).toBe(303);
    await waitForSignInRuns(h.services.client, conn.id, sarah.nameId);
    const { models } = h.services.db;
    const u = await models.users.findOne({ email: 'sarah@superfantasy.test' }).lean();
    expect(await models.users.countDocuments()).toBe(1);
    expect(await models.identities.countDocuments()).toBe(1);
    expect(await models.memberships.countDocuments()).toBe(1);
    expect(await auditActions(String(u?._id))).toEqual(['user.created', 'identity.linked', 'membership.created', 'signin.succeeded', 'signin.succeeded']);
    const runs = await models.auditEvents.distinct('runId', { action: 'signin.succeeded', userId: u?._id });
    expect(runs).toHaveLength(2);
    expect(u?.lastSignInAt).toBeInstanceOf(Date);
  });

  it('20 concurrent first sign-ins of one identity give one user, one membership and no error page', async () => {
    const peter = user('peter');
    const results = await Promise.all(Array.from({ length: 20 }, () => samlSignIn(conn, idp, peter)));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(303));
    await waitForSignInRuns(h.services.client, conn.id, peter.nameId);
    const { models } = h.services.db;
    const users = await models.users.find({ email: 'peter@superfantasy.test' }).lean();
    expect(users).toHaveLength(1);
    expect(await models.identities.countDocuments({ subject: peter.nameId })).toBe(1);
    expect(await models.memberships.countDocuments({ userId: users[0]?._id })).toBe(1);
    expect(await models.auditEvents.countDocuments({ userId: users[0]?._id, action: 'user.created' })).toBe(1);
    expect(await models.auditEvents.countDocuments({ userId: users[0]?._id, action: 'membership.created' })).toBe(1);
  });

  it('ops find the runs by their search attributes', async () => {
    const runs = await listRuns(h.services.client, `OnrampTenant = "${conn.tenantId}" AND OnrampOutcome = "Provisioned"`, 2);
    // OnrampEmail holds a keyed hash of the address (what `onramp runs --email` computes), never the address.
    const searchValue = emailSearchValue(h.config.temporal.searchEmail);
    const emails = runs.map((r) => r.typedSearchAttributes.get(SA_EMAIL)).sort();
    expect(emails).toEqual([searchValue('peter@superfantasy.test'), searchValue('sarah@superfantasy.test')].sort());
    expect(emails.join()).not.toContain('superfantasy');
    const byEmail = await listRuns(h.services.client, `OnrampEmail = "${searchValue('Sarah@SuperFantasy.test')}" AND OnrampConnection = "${conn.id}"`, 2);
    expect(byEmail.map((r) => r.typedSearchAttributes.get(SA_OUTCOME)).sort()).toEqual(['Provisioned', 'SignedIn']);
    const described = await h.services.client.workflow.getHandle(byEmail[0]!.workflowId, byEmail[0]!.runId).describe();
    expect(await described.staticSummary()).toContain('sarah@superfantasy.test');
  });
});

describe('SAML sign-in refused by policy', () => {
  let h: Harness;
  let conn: SamlConnectionInfo;
  const idp = newIdp('closed');

  useSamlTenant('closed', idp, (t) => ({ h, conn } = t), { jit: { enabled: false, defaultRoles: ['member'] } });

  it('JIT disabled → a readable 403 page with the reason code, nothing written but the denial audit', async () => {
    const res = await samlSignIn(conn, idp, user('mallory', 'closed.test'));
    expect(res.status).toBe(403);
    expect(res.body).toContain('jit_disabled');
    expect(res.body).toContain('Sign-in refused');
    expect(res.body).not.toMatch(/at .*\.ts:\d+/);
    await waitForSignInRuns(h.services.client, conn.id, 'mallory@closed.test');
    const { models } = h.services.db;
    expect(await models.users.countDocuments()).toBe(0);
    expect(await models.identities.countDocuments()).toBe(0);
    expect(await models.memberships.countDocuments()).toBe(0);
    const denials = await models.auditEvents.find({ action: 'signin.denied' }).lean();
    expect(denials).toHaveLength(1);
    expect(denials[0]?.reason).toBe('jit_disabled');
    const runs = await listRuns(h.services.client, `OnrampTenant = "${conn.tenantId}" AND OnrampOutcome = "Denied"`, 1);
    expect(runs).toHaveLength(1);
  });
});
