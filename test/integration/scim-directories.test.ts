import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness';

interface Directory {
  id: string;
  baseUrl: string;
  provider: string;
  enabled: boolean;
  tokens: Array<{ id: string; expiresAt: string | null }>;
  token?: string;
}

/** SCIM directories and their bearer tokens — shown once, kept hashed, rotated with overlap, revocable. */
describe('SCIM directories', () => {
  let h: Harness;
  const dir = async (method: string, path: string, body?: unknown) => {
    const res = await h.admin(method, `/tenants/scim-co${path}`, body);
    return { status: res.status, body: res.body as unknown as Directory & { data: Directory[]; error: { code: string } } };
  };
  const auth = (id: string, token: string, now?: Date) => h.services.libraries.scimDirectories.authenticate(id, token, now);

  beforeAll(async () => {
    h = await startHarness({ worker: false });
    await h.createTenant('scim-co');
    await h.createTenant('other-co');
  });
  afterAll(async () => h?.close());

  it('creates a directory whose token is shown once and stored only as a digest', async () => {
    const created = await dir('POST', '/directories', { name: 'Entra ID', provider: 'entra' });
    expect(created.status).toBe(201);
    const { id, token, baseUrl } = created.body;
    expect(token).toMatch(/^onramp_scim_[A-Za-z0-9_-]{43}$/);
    expect(baseUrl).toBe(`${h.url}/scim/v2/${id}`);
    const listed = await dir('GET', '/directories');
    expect(listed.body.data.map((d) => d.id)).toEqual([id]);
    expect(JSON.stringify(listed.body)).not.toContain(token ?? '-');
    const stored = JSON.stringify(await h.services.db.models.scimDirectories.findById(id).lean());
    expect(stored).not.toContain(token ?? '-');
    const audits = JSON.stringify(await h.services.db.models.auditEvents.find({ 'target.id': id }).lean());
    expect(audits).toContain('directory.created');
    expect(audits).not.toContain(token ?? '-');
    expect(await auth(id, token ?? '')).toMatchObject({ directoryId: id });
    expect(await auth(id, `${token}x`)).toBeNull();
    expect(await auth(id, '')).toBeNull();
  });

  it('rotation keeps the old token working for the overlap, then only the new one', async () => {
    const { body: d } = await dir('POST', '/directories', { name: 'Okta', provider: 'okta' });
    const rotated = await dir('POST', `/directories/${d.id}/tokens`, { overlapSeconds: 3600 });
    expect(rotated.status).toBe(201);
    const fresh = rotated.body.token ?? '';
    expect(fresh).not.toBe(d.token);
    expect(rotated.body.tokens).toHaveLength(2);
    expect(await auth(d.id, d.token ?? '')).not.toBeNull();
    expect(await auth(d.id, fresh)).not.toBeNull();
    // An hour later (time is input): the old token is over, the new one lives on.
    const later = new Date(Date.now() + 3601_000);
    expect(await auth(d.id, d.token ?? '', later)).toBeNull();
    expect(await auth(d.id, fresh, later)).not.toBeNull();
    // No overlap: the replaced tokens end at once.
    const hard = await dir('POST', `/directories/${d.id}/tokens`, { overlapSeconds: 0 });
    expect(await auth(d.id, fresh)).toBeNull();
    expect(await auth(d.id, hard.body.token ?? '')).not.toBeNull();
    expect((await dir('POST', `/directories/${d.id}/tokens`, { overlapSeconds: -1 })).status).toBe(400);
  });

  it('a token revoked while another admin rotates and a third disables: the revocation, the rotation and the switch all hold', async () => {
    for (let round = 0; round < 5; round += 1) {
      const { body: d } = await dir('POST', '/directories', { name: `Race ${round}`, provider: 'generic' });
      const leaked = d.tokens[0]?.id ?? '';
      const [revoked, rotated, disabled] = await Promise.all([
        dir('DELETE', `/directories/${d.id}/tokens/${leaked}`),
        dir('POST', `/directories/${d.id}/tokens`, { overlapSeconds: 3600 }),
        dir('PATCH', `/directories/${d.id}`, { enabled: false }),
      ]);
      expect([revoked.status, rotated.status, disabled.status]).toEqual([200, 201, 200]);
      // Whichever went first, the leaked token is dead and the new one is kept.
      expect(await auth(d.id, d.token ?? '')).toBeNull();
      const stored = await h.services.db.models.scimDirectories.findById(d.id).lean();
      expect(stored?.enabled).toBe(false);
      expect(stored?.tokens.map((t) => t.id)).toContain(rotated.body.tokens.at(-1)?.id);
      expect(stored?.changeGeneration).toBe(3);
    }
  });

  it("revokes a token; disables, enables and deletes a directory; one directory's token never opens another", async () => {
    const { body: a } = await dir('POST', '/directories', { name: 'A', provider: 'generic' });
    const { body: b } = await dir('POST', '/directories', { name: 'B', provider: 'generic' });
    expect(await auth(b.id, a.token ?? '')).toBeNull();
    const revoked = await dir('DELETE', `/directories/${a.id}/tokens/${a.tokens[0]?.id}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.tokens).toEqual([]);
    expect(await auth(a.id, a.token ?? '')).toBeNull();
    expect((await dir('PATCH', `/directories/${b.id}`, { enabled: false })).body.enabled).toBe(false);
    expect(await auth(b.id, b.token ?? '')).toMatchObject({ enabled: false }); // the token is proven; the SCIM edge answers 403
    expect((await dir('PATCH', `/directories/${b.id}`, { enabled: true })).status).toBe(200);
    expect(await auth(b.id, b.token ?? '')).toMatchObject({ enabled: true });
    expect((await dir('DELETE', `/directories/${b.id}`)).status).toBe(204);
    expect((await dir('GET', `/directories/${b.id}`)).status).toBe(404);
    expect(await auth(b.id, b.token ?? '')).toBeNull();
    const actions = (await h.services.db.models.auditEvents.find({ 'target.type': 'scim_directory' }).lean()).map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining(['directory.token_rotated', 'directory.token_revoked', 'directory.disabled', 'directory.enabled', 'directory.deleted']),
    );
  });

  it('another tenant cannot see or change a directory; bad input gets a 400 naming the field', async () => {
    const { body: d } = await dir('POST', '/directories', { name: 'Mine', provider: 'google' });
    expect((await h.admin('GET', `/tenants/other-co/directories/${d.id}`)).status).toBe(404);
    expect((await h.admin('POST', `/tenants/other-co/directories/${d.id}/tokens`, {})).status).toBe(404);
    const bad = await dir('POST', '/directories', { name: 'X', provider: 'ldap' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
    expect((await dir('POST', '/directories', { provider: 'okta' })).status).toBe(400);
  });
});
