import { beforeAll, describe, expect, it } from 'vitest';
import { newIdp, samlSignIn, useSamlTenant, type Harness, type SamlConnectionInfo } from '../support/harness';
import { listRuns, waitForSignInRuns } from '../support/temporal';

describe('attribute sync and conflict policies on later sign-ins', () => {
  let h: Harness;
  let conn: SamlConnectionInfo;
  const idp = newIdp('sync');

  useSamlTenant('sync', idp, (t) => ({ h, conn } = t));

  const signInAs = async (local: string, name: string) => {
    const who = { nameId: `${local}@sync.test`, email: `${local}@sync.test`, name };
    const res = await samlSignIn(conn, idp, who);
    expect(res.status).toBe(303);
    await waitForSignInRuns(h.services.client, conn.id, who.nameId);
  };
  const nameOf = async (local: string) => (await h.services.db.models.users.findOne({ email: `${local}@sync.test` }).lean())?.name;
  const setMode = (mode: string) => h.admin('PUT', `/tenants/sync/connections/${conn.id}/attribute-sync`, { mode });
  const setPolicy = (policy: string) => h.admin('PUT', '/tenants/sync/conflict-policy', { policy });

  it('on-first-sign-in (the default) keeps the first name', async () => {
    await signInAs('ada', 'Ada');
    await signInAs('ada', 'Ada Lovelace');
    expect(await nameOf('ada')).toBe('Ada');
  });

  it('every-sign-in + idp-wins applies a changed name and audits before and after', async () => {
    expect((await setMode('every-sign-in')).status).toBe(200);
    expect((await setPolicy('idp-wins')).status).toBe(200);
    await signInAs('ada', 'Ada Lovelace');
    expect(await nameOf('ada')).toBe('Ada Lovelace');
    const audit = await h.services.db.models.auditEvents.findOne({ action: 'user.attribute_updated' }).lean();
    expect(audit?.before).toEqual({ field: 'name', value: 'Ada' });
    expect(audit?.after).toEqual({ field: 'name', value: 'Ada Lovelace' });
    const runs = await listRuns(h.services.client, `OnrampConnection = "${conn.id}" AND OnrampDecisions = "attribute_updated:name"`, 1);
    expect(runs).toHaveLength(1);
  });

  it('keep-local changes nothing', async () => {
    await setPolicy('keep-local');
    await signInAs('ada', 'Countess Ada');
    expect(await nameOf('ada')).toBe('Ada Lovelace');
  });

  it('review opens one conflict (not one per sign-in), which an admin resolves', async () => {
    await setPolicy('review');
    await signInAs('ada', 'A. A. Lovelace');
    await signInAs('ada', 'A. A. Lovelace');
    expect(await nameOf('ada')).toBe('Ada Lovelace');
    const open = await h.admin('GET', '/tenants/sync/conflicts');
    expect(open.body.data).toHaveLength(1);
    expect(open.body.data[0]).toMatchObject({ field: 'name', local: 'Ada Lovelace', asserted: 'A. A. Lovelace' });
    expect(await h.services.db.models.auditEvents.countDocuments({ action: 'conflict.opened' })).toBe(1);

    const id = encodeURIComponent(open.body.data[0]?.id ?? '');
    expect((await h.admin('POST', `/tenants/sync/conflicts/${id}/resolve`, { resolution: 'maybe' })).status).toBe(400);
    expect((await h.admin('POST', `/tenants/sync/conflicts/${id}/resolve`, { resolution: 'use-idp' })).status).toBe(204);
    expect((await h.admin('POST', `/tenants/sync/conflicts/${id}/resolve`, { resolution: 'use-idp' })).status).toBe(404);
    expect(await nameOf('ada')).toBe('A. A. Lovelace');
    expect((await h.admin('GET', '/tenants/sync/conflicts')).body.data).toHaveLength(0);
    const resolved = await h.services.db.models.auditEvents.findOne({ action: 'conflict.resolved' }).lean();
    expect(resolved?.reason).toBe('use-idp');
  });

  it('validates the settings', async () => {
    expect((await setPolicy('whatever')).status).toBe(400);
    expect((await h.admin('PUT', `/tenants/sync/connections/${'0'.repeat(24)}/attribute-sync`, { mode: 'every-sign-in' })).status).toBe(404);
    expect((await setMode('always')).status).toBe(400);
  });
});

describe('a changed email for the same subject', () => {
  let h: Harness;
  let conn: SamlConnectionInfo;
  const idp = newIdp('mail');

  useSamlTenant('mail', idp, (t) => ({ h, conn } = t));
  beforeAll(async () => {
    await h.admin('PUT', `/tenants/mail/connections/${conn.id}/attribute-sync`, { mode: 'every-sign-in' });
    await h.admin('PUT', '/tenants/mail/conflict-policy', { policy: 'idp-wins' });
  });

  const signIn = async (subject: string, email: string) => {
    const res = await samlSignIn(conn, idp, { nameId: subject, email, name: 'N' });
    await waitForSignInRuns(h.services.client, conn.id, subject);
    return res.status;
  };

  it('is applied when no other account holds it, and the old email is released', async () => {
    expect(await signIn('subj-1', 'old@mail.test')).toBe(303);
    expect(await signIn('subj-1', 'New@Mail.test')).toBe(303);
    const { models } = h.services.db;
    expect(await models.users.countDocuments({ email: 'new@mail.test' })).toBe(1);
    expect(await models.users.countDocuments({ email: 'old@mail.test' })).toBe(0);
    expect(await models.userEmails.countDocuments({ _id: 'old@mail.test' })).toBe(0);
    // The released address can start a new account.
    expect(await signIn('subj-3', 'old@mail.test')).toBe(303);
    expect(await models.users.countDocuments({ email: 'old@mail.test' })).toBe(1);
  });

  it('is a conflict when another account holds it, even with idp-wins', async () => {
    expect(await signIn('subj-2', 'taken@mail.test')).toBe(303);
    expect(await signIn('subj-1', 'taken@mail.test')).toBe(303);
    const { models } = h.services.db;
    expect(await models.users.countDocuments({ email: 'taken@mail.test' })).toBe(1);
    expect(await models.users.countDocuments({ email: 'new@mail.test' })).toBe(1);
    const open = await h.admin('GET', '/tenants/mail/conflicts');
    expect(open.body.data).toEqual([expect.objectContaining({ field: 'email', local: 'new@mail.test', asserted: 'taken@mail.test' })]);
    const id = encodeURIComponent(open.body.data[0]?.id ?? '');
    const refused = await h.admin('POST', `/tenants/mail/conflicts/${id}/resolve`, { resolution: 'use-idp' });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('email_held_by_other_account');
    expect((await h.admin('POST', `/tenants/mail/conflicts/${id}/resolve`, { resolution: 'keep-local' })).status).toBe(204);
  });
});

describe('mapped custom attributes', () => {
  let h: Harness;
  let conn: SamlConnectionInfo;
  const idp = newIdp('custom');

  useSamlTenant('custom', idp, (t) => ({ h, conn } = t), { connection: { attributeMapping: { custom: { department: 'department' } } } });
  beforeAll(async () => {
    await h.admin('PUT', `/tenants/custom/connections/${conn.id}/attribute-sync`, { mode: 'every-sign-in' });
    await h.admin('PUT', '/tenants/custom/conflict-policy', { policy: 'idp-wins' });
  });

  const signIn = async (department?: string) => {
    const who = { nameId: 'dora', email: 'dora@custom.test', name: 'Dora', ...(department ? { department } : {}) };
    expect((await samlSignIn(conn, idp, who)).status).toBe(303);
    await waitForSignInRuns(h.services.client, conn.id, 'dora');
    const dora = await h.services.db.models.users.findOne({ email: 'dora@custom.test' }).lean();
    const member = await h.admin('GET', `/tenants/custom/members/${String(dora?._id)}`);
    expect(member.status).toBe(200);
    return Object.fromEntries((member.body as unknown as { attributes: Array<{ name: string; value: string }> }).attributes.map((a) => [a.name, a.value]));
  };

  it('are set at creation, kept in step, and not cleared when the IdP omits them', async () => {
    expect(await signIn('R&D')).toEqual({ department: 'R&D' });
    expect(await signIn('Sales')).toEqual({ department: 'Sales' });
    const audit = await h.services.db.models.auditEvents.findOne({ action: 'user.attribute_updated' }).lean();
    expect(audit?.before).toEqual({ field: 'attr:department', value: 'R&D' });
    expect(audit?.after).toEqual({ field: 'attr:department', value: 'Sales' });
    expect(await signIn()).toEqual({ department: 'Sales' });
  });

  it('reads attributes an older version stored on the account (an object by name), and moves them on change', async () => {
    const { models } = h.services.db;
    const dora = await models.users.findOne({ email: 'dora@custom.test' }).lean();
    await models.userAttributes.deleteMany({ userId: dora?._id });
    await models.users.collection.updateOne({ _id: dora?._id }, { $set: { attributes: { department: 'Legacy', costCenter: 'CC-1' } } });
    expect(await signIn()).toEqual({ department: 'Legacy', costCenter: 'CC-1' });
    expect(await signIn('Ops')).toEqual({ department: 'Ops', costCenter: 'CC-1' });
    const audit = await models.auditEvents.findOne({ action: 'user.attribute_updated', 'after.value': 'Ops' }).lean();
    expect(audit?.before).toEqual({ field: 'attr:department', value: 'Legacy' });
  });

  it('refuses custom attribute names that are not plain identifiers', async () => {
    const res = await h.admin('POST', '/tenants/custom/connections/saml', {
      name: 'x',
      idpEntityId: 'https://x.test',
      ssoUrl: 'https://x.test/sso',
      certificates: [idp.certificate],
      attributeMapping: { custom: { 'a.$where': 'dept' } },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/^attributeMapping\.custom/);
  });
});
