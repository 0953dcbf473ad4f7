import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInWorkflowId } from '../../src/runs/signInClient';
import { newIdp, samlSignIn, startHarness, user, type Harness, type SamlConnectionInfo } from '../support/harness';
import { localActivityType, waitForSignInRuns } from '../support/temporal';

interface MeBody {
  memberships: Array<{ tenantSlug: string; roles: string[]; groups: string[] }>;
}

describe('groups and roles from IdP claims', () => {
  let h: Harness;
  let conn: SamlConnectionInfo;
  const idp = newIdp('groups');
  const tenant = 'grp';
  const mappings = [
    { value: 'eng', group: 'engineering' },
    { value: 'admins', group: 'administrators', roles: ['admin'] },
    { value: 'root', group: null, roles: ['owner'] },
  ];

  beforeAll(async () => {
    h = await startHarness();
    await h.createTenant(tenant);
    conn = await h.createSamlConnection(tenant, idp);
    for (const g of [{ name: 'engineering' }, { name: 'administrators' }, { name: 'support', roles: ['billing'] }]) {
      if (g.name === 'support') expect((await h.admin('PUT', `/tenants/${tenant}/roles`, { custom: ['billing'] })).status).toBe(200);
      expect((await h.admin('POST', `/tenants/${tenant}/groups`, g)).status).toBe(201);
    }
    const res = await h.admin('PUT', `/tenants/${tenant}/connections/${conn.id}/group-sync`, { mode: 'full', mappings });
    expect(res.status).toBe(200);
  });
  afterAll(async () => h?.close());

  /** Sign in with these groups (undefined = no groups attribute), wait for the whole run (grants are applied after the answer). */
  const signIn = async (local: string, groups: string[] | undefined) => {
    const who = { ...user(local, 'grp.test'), ...(groups ? { groups } : {}) };
    const res = await samlSignIn(conn, idp, who);
    expect(res.status).toBe(303);
    await waitForSignInRuns(h.services.client, conn.id, who.nameId);
    return res;
  };
  const me = async (cookie: string | null) => {
    const res = await fetch(`${h.url}/api/me`, { headers: { cookie: cookie ?? '' } });
    return ((await res.json()) as MeBody).memberships.find((m) => m.tenantSlug === tenant);
  };
  const userId = async (local: string) => String((await h.services.db.models.users.findOne({ email: `${local}@grp.test` }).lean())?._id);
  const audits = async (local: string, action: string) => h.services.db.models.auditEvents.find({ userId: await userId(local), action }).lean();

  it('first sign-in with [eng, admins] grants the mapped groups and roles; /api/me shows them', async () => {
    const res = await signIn('sarah', ['eng', 'admins']);
    expect(await me(res.cookie)).toMatchObject({ groups: ['administrators', 'engineering'], roles: ['admin', 'member'] });
    const granted = (await audits('sarah', 'group.granted')).map((a) => (a.after as { group: string }).group).sort();
    expect(granted).toEqual(['administrators', 'engineering']);
    expect(await audits('sarah', 'role.granted')).toHaveLength(1);
  });

  it('next sign-in with [eng] in full: admins revoked and audited', async () => {
    const res = await signIn('sarah', ['eng']);
    expect(await me(res.cookie)).toMatchObject({ groups: ['engineering'], roles: ['member'] });
    const revoked = await audits('sarah', 'group.revoked');
    expect(revoked.map((a) => a.before)).toEqual([{ group: 'administrators', source: `idp:${conn.id}` }]);
    expect(await audits('sarah', 'role.revoked')).toHaveLength(1);
  });

  it('in add-only, a group the IdP stops asserting is kept', async () => {
    await h.admin('PUT', `/tenants/${tenant}/connections/${conn.id}/group-sync`, { mode: 'add-only', mappings });
    await signIn('sarah', ['eng', 'admins']);
    const res = await signIn('sarah', ['eng']);
    expect(await me(res.cookie)).toMatchObject({ groups: ['administrators', 'engineering'], roles: ['admin', 'member'] });
    await h.admin('PUT', `/tenants/${tenant}/connections/${conn.id}/group-sync`, { mode: 'full', mappings });
  });

  it('an admin-granted group survives a full sync that does not mention it (also when the IdP granted it too)', async () => {
    const id = await userId('sarah');
    const grant = await h.admin('PUT', `/tenants/${tenant}/members/${id}/groups/support`);
    expect(grant.status).toBe(201);
    expect((await h.admin('PUT', `/tenants/${tenant}/members/${id}/groups/support`)).status).toBe(200); // already held: unchanged
    expect((await h.admin('PUT', `/tenants/${tenant}/members/${id}/groups/engineering`)).status).toBe(201);

    const res = await signIn('sarah', []); // present but empty: revokes every grant of this IdP
    expect(await me(res.cookie)).toMatchObject({ groups: ['engineering', 'support'], roles: ['billing', 'member'] });
    const access = await h.admin('GET', `/tenants/${tenant}/members/${id}/access`);
    expect(access.body).toMatchObject({ groups: ['engineering', 'support'], directRoles: ['member'] });
    const members = await h.admin('GET', `/tenants/${tenant}/groups/support/members`);
    expect(members.body.data).toMatchObject([{ userId: id, sources: [{ source: 'admin', grantedBy: 'admin-token' }] }]);
  });

  it('an assertion without the groups attribute revokes nothing; an empty list in full revokes IdP grants', async () => {
    await signIn('peter', ['eng', 'admins']);
    let res = await signIn('peter', undefined);
    expect(await me(res.cookie)).toMatchObject({ groups: ['administrators', 'engineering'] });
    res = await signIn('peter', []);
    expect(await me(res.cookie)).toMatchObject({ groups: [], roles: ['member'] });
  });

  it('a connection set to revoke on an absent claim does so', async () => {
    await h.admin('PUT', `/tenants/${tenant}/connections/${conn.id}/group-sync`, { mode: 'full', whenAbsent: 'revoke', mappings });
    await signIn('peter', ['eng']);
    const res = await signIn('peter', undefined);
    expect(await me(res.cookie)).toMatchObject({ groups: [] });
    await h.admin('PUT', `/tenants/${tenant}/connections/${conn.id}/group-sync`, { mode: 'full', mappings });
  });

  it('a group mapped to owner is not granted unless the tenant allows it; the refusal is audited', async () => {
    let res = await signIn('mallory', ['root', 'eng']);
    expect(await me(res.cookie)).toMatchObject({ groups: ['engineering'], roles: ['member'] });
    const refused = await audits('mallory', 'role.grant_refused');
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ reason: 'owner_not_allowed', target: { type: 'role', id: 'owner' }, context: { asserted: 'root' } });

    expect((await h.admin('PUT', `/tenants/${tenant}/roles`, { custom: ['billing'], ownerFromIdp: true })).status).toBe(200);
    res = await signIn('mallory', ['root', 'eng']);
    expect(await me(res.cookie)).toMatchObject({ roles: ['member', 'owner'] });
    await h.admin('PUT', `/tenants/${tenant}/roles`, { custom: ['billing'], ownerFromIdp: false });
    expect(await me(res.cookie)).toMatchObject({ roles: ['member'] }); // the IdP's owner grant no longer counts
  });

  it('a user in 200 IdP groups: every group created and granted once; the answer came before the fan-out', async () => {
    await h.admin('PUT', `/tenants/${tenant}/connections/${conn.id}/group-sync`, { mode: 'full', unmapped: 'create-group', mappings });
    const many = Array.from({ length: 200 }, (_, i) => `team-${String(i).padStart(3, '0')}`);
    const res = await signIn('bulk', many);
    const mine = await me(res.cookie);
    expect(mine?.groups).toEqual(many);
    expect(await audits('bulk', 'group.granted')).toHaveLength(200);
    expect(await h.services.db.models.auditEvents.countDocuments({ action: 'group.created', 'target.id': { $in: many } })).toBe(200);

    // Read from the run's own history: the login's answer (the decision update) left with an earlier workflow
    // task than any of the 200 grants (local activities, recorded when their task completes) — a workflow task
    // completed between the answer and the first grant, so the login did not wait for the fan-out.
    const history = await h.services.client.workflow.getHandle(signInWorkflowId(conn.id, 'bulk@grp.test')).fetchHistory();
    const events = history.events ?? [];
    const answered = events.findIndex((e) => e.workflowExecutionUpdateCompletedEventAttributes);
    const grants = events.flatMap((e, i) => (localActivityType(e) === 'applyGroupGrant' ? [i] : []));
    const taskDone = events.flatMap((e, i) => (e.workflowTaskCompletedEventAttributes ? [i] : []));
    expect(answered).toBeGreaterThan(-1);
    expect(grants).toHaveLength(200);
    expect(taskDone.some((i) => i > answered && i < Math.min(...grants))).toBe(true);

    // A second sign-in with one group fewer revokes exactly that one.
    const again = await signIn('bulk', many.slice(1));
    expect((await me(again.cookie))?.groups).toEqual(many.slice(1));
    expect(await audits('bulk', 'group.revoked')).toHaveLength(1);
    expect(await audits('bulk', 'group.granted')).toHaveLength(200);
    await h.admin('PUT', `/tenants/${tenant}/connections/${conn.id}/group-sync`, { mode: 'full', mappings });
  });

  it('lists groups with member counts', async () => {
    const res = await h.admin('GET', `/tenants/${tenant}/groups`);
    expect(res.status).toBe(200);
    expect(res.body.data.find((g) => g.name === 'support')).toMatchObject({ roles: ['billing'], createdFrom: 'admin', memberCount: 1 });
  });

  it('validates the admin API and audits changes', async () => {
    const id = await userId('sarah');
    const put = (body: unknown) => h.admin('PUT', `/tenants/${tenant}/connections/${conn.id}/group-sync`, body);
    expect((await put({ mode: 'sometimes' })).body.error.code).toBe('validation_failed');
    expect((await put({ mode: 'full', mappings: [{ value: 'x', group: 'nope' }] })).body.error.message).toMatch(/mappings\.0\.group/);
    expect((await put({ mode: 'full', mappings: [{ value: 'x', roles: ['superuser'] }] })).body.error.message).toMatch(/not a role of this tenant/);
    expect((await put({ mode: 'full', mappings: [{ value: 'x' }] })).status).toBe(400);
    expect((await h.admin('PUT', `/tenants/${tenant}/connections/${'0'.repeat(24)}/group-sync`, { mode: 'full' })).status).toBe(404);
    expect((await h.admin('POST', `/tenants/${tenant}/groups`, { name: 'support' })).status).toBe(409);
    expect((await h.admin('POST', `/tenants/${tenant}/groups`, { name: 'x', roles: ['ghost'] })).status).toBe(400);
    expect((await h.admin('PUT', `/tenants/${tenant}/roles`, { custom: ['admin'] })).status).toBe(400);
    expect((await h.admin('PUT', `/tenants/${tenant}/members/${id}/groups/nope`)).status).toBe(404);
    const idpOnly = await h.admin('DELETE', `/tenants/${tenant}/members/${await userId('peter')}/groups/engineering`);
    expect(idpOnly.status).toBe(404);
    expect((await h.admin('DELETE', `/tenants/${tenant}/members/${id}/groups/support`)).status).toBe(204);
    expect((await h.admin('GET', `/tenants/${tenant}/connections/${conn.id}/group-sync`)).body).toMatchObject({ mode: 'full' });
    const changes = await h.services.db.models.auditEvents.countDocuments({ action: 'connection.group_sync_updated' });
    expect(changes).toBeGreaterThanOrEqual(6);
    expect(await h.services.db.models.auditEvents.countDocuments({ action: 'group.revoked', 'actor.type': 'admin' })).toBe(1);
  });
});
