import { beforeEach, describe, expect, it } from 'vitest';
import { createSamlIdp, generateIdpKeys } from '../../src/demo/samlIdp';
import { samlSignIn, useSamlTenant, user, type Harness, type SamlConnectionInfo, type SignInResult } from '../support/harness';
import { waitForSignInRuns } from '../support/temporal';

const RSA_SHA1 = 'http://www.w3.org/2000/09/xmldsig#rsa-sha1';
const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';

interface EventRow {
  type: string;
  data: Record<string, unknown>;
}

/** SHA-1 on SAML responses: refused by default, accepted only with the connection's audited opt-in; SHA-256 always. */
describe('SAML signature algorithms', () => {
  let h: Harness;
  let conn: SamlConnectionInfo;
  // One key pair, two IdP set-ups: a legacy one signing with RSA-SHA1 (and SHA-1 digests, samlify's pairing), and the same IdP on RSA-SHA256.
  const keys = generateIdpKeys('legacy IdP');
  const at = { entityId: 'https://idp.legacy.test/saml', ssoUrl: 'https://idp.legacy.test/sso', keys };
  const legacy = createSamlIdp({ ...at, signatureAlgorithm: RSA_SHA1 });
  const modern = createSamlIdp({ ...at, signatureAlgorithm: RSA_SHA256 });

  useSamlTenant('legacy', legacy, (t) => ({ h, conn } = t), { harness: { env: { ONRAMP_EVENTS_SETTLE_MS: '0' } } });
  beforeEach(async () => {
    await h.services.db.models.auditEvents.deleteMany({});
    await h.services.db.models.events.deleteMany({});
  });

  const refusedAsWeak = async (res: SignInResult) => {
    expect(res.status).toBe(401);
    expect(res.body).toContain('<code>saml_weak_algorithm</code>');
    expect(res.body).toContain('RSA-SHA1');
    const { models } = h.services.db;
    expect(await models.users.countDocuments()).toBe(0);
    expect(await models.identities.countDocuments()).toBe(0);
    expect(await models.memberships.countDocuments()).toBe(0);
    const audits = await models.auditEvents.find({}).lean();
    expect(audits.map((a) => [a.action, a.reason])).toEqual([['signin.rejected', 'saml_weak_algorithm']]);
    const message = (audits[0]?.context as { message: string }).message;
    expect(message).toMatch(/RSA-SHA1 and SHA-1 \(digest\)/);
    expect(message).toContain('allowSha1');
    const events = (await h.admin('GET', '/tenants/legacy/events?limit=100')).body as unknown as { data: EventRow[] };
    expect(events.data.map((e) => [e.type, e.data.reason, e.data.message])).toEqual([['signin.denied', 'saml_weak_algorithm', message]]);
  };

  it('refuses an RSA-SHA1-signed response, whichever element is signed, and writes only the denial', async () => {
    const shown = await h.admin('GET', `/tenants/legacy/connections/saml/${conn.id}`);
    expect(shown.body).toMatchObject({ allowSha1: false });
    for (const sign of ['both', 'assertion', 'response'] as const) {
      await h.services.db.models.auditEvents.deleteMany({});
      await h.services.db.models.events.deleteMany({});
      await refusedAsWeak(await samlSignIn(conn, legacy, user('old', 'legacy.test'), { sign }));
    }
  });

  it('signs in with SHA-1 once the connection opts in, and the opt-in is shown and audited', async () => {
    const changed = await h.admin('PATCH', `/tenants/legacy/connections/saml/${conn.id}`, { allowSha1: true });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ allowSha1: true });
    expect((await h.admin('GET', `/tenants/legacy/connections/saml/${conn.id}`)).body).toMatchObject({ allowSha1: true });
    const audit = await h.services.db.models.auditEvents.findOne({ action: 'connection.saml_settings_changed' }).lean();
    expect(audit?.before).toMatchObject({ allowSha1: false });
    expect(audit?.after).toMatchObject({ allowSha1: true });
    expect(audit?.actor).toMatchObject({ type: 'admin' });
    const log = await h.admin('GET', '/tenants/legacy/audit-events?limit=10');
    expect(JSON.stringify(log.body)).toContain('connection.saml_settings_changed');

    const res = await samlSignIn(conn, legacy, user('old', 'legacy.test'));
    expect(res.status).toBe(303);
    await waitForSignInRuns(h.services.client, conn.id, 'old@legacy.test');
    expect(await h.services.db.models.users.countDocuments({ email: 'old@legacy.test' })).toBe(1);

    // Turned off again: refused again.
    expect((await h.admin('PATCH', `/tenants/legacy/connections/saml/${conn.id}`, { allowSha1: false })).status).toBe(200);
    const again = await samlSignIn(conn, legacy, user('old', 'legacy.test'));
    expect(again.status).toBe(401);
    expect(again.body).toContain('<code>saml_weak_algorithm</code>');
  });

  it('signs in with RSA-SHA256 without any opt-in', async () => {
    const res = await samlSignIn(conn, modern, user('new', 'legacy.test'));
    expect(res.status).toBe(303);
    await waitForSignInRuns(h.services.client, conn.id, 'new@legacy.test');
    expect(await h.services.db.models.users.countDocuments({ email: 'new@legacy.test' })).toBe(1);
  });
});
