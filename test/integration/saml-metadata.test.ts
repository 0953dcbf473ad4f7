import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSamlIdp, generateIdpKeys, idpMetadata } from '../../src/demo/samlIdp';
import { fetchDocument } from '../../src/webhooks/fetchDocument';
import { DEFAULT_OUTBOUND_POLICY } from '../../src/webhooks/targetPolicy';
import { samlSignIn, startHarness, user, type Harness, type SamlConnectionInfo } from '../support/harness';
import { expiredIdpKeys } from '../support/expiredCertificate';
import { waitForSignInRuns } from '../support/temporal';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/saml-metadata/${name}`, import.meta.url), 'utf8');
const fingerprintOf = (pem: string) => new X509Certificate(pem).fingerprint256;

interface ConnectionBody {
  id: string;
  idpEntityId: string;
  ssoUrl: string;
  ssoBinding: string;
  metadataUrl: string;
  loginUrl: string;
  acsUrl: string;
  spEntityId: string;
  tenantId: string;
  certificates: Array<{ fingerprint256: string; validTo: string; expired: boolean; expiresSoon: boolean }>;
  metadata: { url: string | null; appliedAt: string; checkedAt: string; lastError: { code: string; message: string } | null } | null;
  error: { code: string; message: string };
}

/** A loopback server that publishes whatever metadata the test sets (the IdP's metadata URL). */
async function startMetadataServer() {
  const state = { xml: '', status: 200, requests: 0 };
  const server: Server = createServer((_req, res) => {
    state.requests += 1;
    res.writeHead(state.status, { 'content-type': 'application/samlmetadata+xml' });
    res.end(state.xml);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/federationmetadata.xml`;
  return { state, url, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** SAML set-up from the IdP's metadata (admin API), against the real servers and samlify IdPs that sign for real. */
describe('SAML connections from IdP metadata', () => {
  let h: Harness;
  let published: Awaited<ReturnType<typeof startMetadataServer>>;

  beforeAll(async () => {
    // A short schedule so the test can watch a scheduled refresh happen.
    h = await startHarness({ env: { ONRAMP_SAML_METADATA_REFRESH_MS: '400' } });
    await h.createTenant('meta');
    published = await startMetadataServer();
  });
  afterAll(async () => {
    await published?.close();
    await h?.close();
  });
  beforeEach(async () => {
    await h.services.db.models.auditEvents.deleteMany({});
  });

  const create = async (body: Record<string, unknown>) => {
    const res = await h.admin('POST', '/tenants/meta/connections/saml/from-metadata', { name: 'From metadata', ...body });
    return { status: res.status, body: res.body as unknown as ConnectionBody };
  };
  const connectionInfo = async (body: ConnectionBody): Promise<SamlConnectionInfo> => ({ ...body, metadataXml: await (await fetch(body.metadataUrl)).text() });
  const connectionCount = () => h.services.db.models.samlConnections.countDocuments({});

  it("imports samlify's IdP metadata, and a sign-in through the connection succeeds", async () => {
    const idp = createSamlIdp({ entityId: 'https://idp.samlify.test/metadata', ssoUrl: 'https://idp.samlify.test/sso' });
    const res = await create({ metadataXml: idp.metadataXml });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ idpEntityId: idp.entityId, ssoUrl: idp.ssoUrl, ssoBinding: 'HTTP-Redirect', metadata: { url: null, lastError: null } });
    // generateIdpKeys' certificates live 30 days: flagged as expiring soon.
    expect(res.body.certificates).toEqual([expect.objectContaining({ fingerprint256: fingerprintOf(idp.certificate), expired: false, expiresSoon: true })]);
    const shown = await h.admin('GET', `/tenants/meta/connections/saml/${res.body.id}`);
    expect((shown.body as unknown as ConnectionBody).certificates[0]?.expiresSoon).toBe(true);

    const audit = await h.services.db.models.auditEvents.findOne({ action: 'connection.created', 'target.id': res.body.id }).lean();
    expect(audit?.actor).toMatchObject({ type: 'admin' });
    expect(audit?.after).toMatchObject({ from: 'metadata', metadataUrl: null, ssoUrl: idp.ssoUrl, certificates: [fingerprintOf(idp.certificate)] });

    const signIn = await samlSignIn(await connectionInfo(res.body), idp, user('sam', 'samlify.test'));
    expect(signIn.status).toBe(303);
    await waitForSignInRuns(h.services.client, res.body.id, 'sam@samlify.test');
    expect(await h.services.db.models.users.countDocuments({ email: 'sam@samlify.test' })).toBe(1);
  });

  it('keeps every signing certificate of the metadata, and each one verifies sign-ins (rollover)', async () => {
    const at = { entityId: 'https://idp.rollover.test/metadata', ssoUrl: 'https://idp.rollover.test/sso' };
    const [oldKeys, newKeys] = [generateIdpKeys('rollover old', 365), generateIdpKeys('rollover new', 730)];
    const res = await create({ metadataXml: idpMetadata({ ...at, certificates: [oldKeys.certificate, newKeys.certificate] }) });
    expect(res.status).toBe(201);
    expect(res.body.certificates.map((c) => [c.fingerprint256, c.expiresSoon])).toEqual([
      [fingerprintOf(oldKeys.certificate), false],
      [fingerprintOf(newKeys.certificate), false],
    ]);
    const conn = await connectionInfo(res.body);
    for (const [who, keys] of [
      ['before', oldKeys],
      ['after', newKeys],
    ] as const) {
      const signIn = await samlSignIn(conn, createSamlIdp({ ...at, keys }), user(who, 'rollover.test'));
      expect(signIn.status, who).toBe(303);
      await waitForSignInRuns(h.services.client, res.body.id, `${who}@rollover.test`);
    }
    expect(await h.services.db.models.users.countDocuments({ email: /@rollover\.test$/ })).toBe(2);
    // A key the metadata does not list is still refused.
    const stranger = await samlSignIn(conn, createSamlIdp({ ...at, keys: generateIdpKeys('stranger') }), user('eve', 'rollover.test'));
    expect(stranger.status).toBe(401);
    expect(stranger.body).toContain('saml_wrong_certificate');
  });

  it('sends the AuthnRequest by HTTP-POST when that is the only binding the metadata offers', async () => {
    const keys = generateIdpKeys('post only', 365);
    const at = { entityId: 'https://idp.post.test/metadata', ssoUrl: 'https://idp.post.test/sso' };
    const res = await create({ metadataXml: idpMetadata({ ...at, certificates: [keys.certificate], bindings: ['HTTP-POST'] }) });
    expect(res.status).toBe(201);
    expect(res.body.ssoBinding).toBe('HTTP-POST');
    const login = await fetch(res.body.loginUrl, { redirect: 'manual' });
    expect(login.status).toBe(200);
    const page = await login.text();
    expect(page).toContain(`action="${at.ssoUrl}"`);
    expect(page).toContain('SAMLRequest');
  });

  it.each([
    ['okta.xml', 'http://www.okta.com/exk8example0onramp697', 'https://dev-000000.okta.com/app/dev-000000_onramp_1/exk8example0onramp697/sso/saml', 1],
    [
      'entra-id.xml',
      'https://sts.windows.net/00000000-0000-4000-8000-0000000000aa/',
      'https://login.microsoftonline.com/00000000-0000-4000-8000-0000000000aa/saml2',
      1,
    ],
    ['adfs.xml', 'http://adfs.example.com/adfs/services/trust', 'https://adfs.example.com/adfs/ls/', 2],
    ['samlp-8.0.0.xml', 'urn:samlp-example-idp', 'https://idp.samlp.example/samlp', 1],
  ])('imports %s with its entity ID, SSO URL and signing certificates', async (file, entityId, ssoUrl, certificates) => {
    const res = await create({ metadataXml: fixture(file) });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ idpEntityId: entityId, ssoUrl, ssoBinding: 'HTTP-Redirect' });
    expect(res.body.certificates).toHaveLength(certificates);
    expect(res.body.certificates.every((c) => !c.expired && !c.expiresSoon)).toBe(true);
  });

  describe('refusals write nothing', () => {
    const refused = async (body: Record<string, unknown>, status: number, code: string, words: RegExp) => {
      const before = await connectionCount();
      const res = await create(body);
      expect(res.status).toBe(status);
      expect(res.body.error.code).toBe(code);
      expect(res.body.error.message).toMatch(words);
      expect(await connectionCount()).toBe(before);
      expect(await h.services.db.models.auditEvents.countDocuments({ action: 'connection.created' })).toBe(0);
    };
    const at = { entityId: 'https://idp.refused.test/metadata', ssoUrl: 'https://idp.refused.test/sso' };

    it('an expired signing certificate', async () => {
      const expired = expiredIdpKeys('expired IdP');
      await refused(
        { metadataXml: idpMetadata({ ...at, certificates: [expired.certificate] }) },
        400,
        'saml_metadata_certificate_expired',
        /signing certificate has expired/,
      );
    });

    it('metadata without an SSO URL', async () => {
      const xml = fixture('okta.xml').replaceAll('SingleSignOnService', 'ArtifactResolutionService');
      await refused({ metadataXml: xml }, 400, 'saml_metadata_no_sso_url', /no single sign-on URL/);
    });

    it('a 10 MB document', async () => {
      const xml = idpMetadata({ ...at, certificates: [generateIdpKeys('big').certificate] }) + ' '.repeat(10 * 1024 * 1024);
      await refused({ metadataXml: xml }, 413, 'saml_metadata_too_large', /larger than 1 MB/);
    });

    it('a DOCTYPE', async () => {
      const xml = `<!DOCTYPE EntityDescriptor [<!ENTITY e SYSTEM "file:///etc/passwd">]>${idpMetadata({ ...at, certificates: [generateIdpKeys('dtd').certificate] })}`;
      await refused({ metadataXml: xml }, 400, 'saml_metadata_doctype', /DOCTYPE/);
    });

    it('both or neither of metadataXml and metadataUrl', async () => {
      await refused({}, 400, 'validation_failed', /metadataXml or metadataUrl/);
    });

    it('a metadata URL that answers 404', async () => {
      published.state.status = 404;
      try {
        await refused({ metadataUrl: published.url }, 422, 'saml_metadata_unreachable', /HTTP 404/);
      } finally {
        published.state.status = 200;
      }
    });
  });

  it('fetches a metadata URL, refreshes it on demand and on the schedule, and audits each change', async () => {
    const at = { entityId: 'https://idp.published.test/metadata', ssoUrl: 'https://idp.published.test/sso' };
    const [first, second] = [generateIdpKeys('published first', 365), generateIdpKeys('published second', 730)];
    published.state.xml = idpMetadata({ ...at, certificates: [first.certificate] });
    const res = await create({ metadataUrl: published.url });
    expect(res.status).toBe(201);
    expect(res.body.metadata).toMatchObject({ url: published.url, lastError: null });
    expect(res.body.certificates.map((c) => c.fingerprint256)).toEqual([fingerprintOf(first.certificate)]);
    const path = `/tenants/meta/connections/saml/${res.body.id}`;

    // The IdP starts a rollover: the next certificate is published beside the current one. An admin refreshes.
    published.state.xml = idpMetadata({ ...at, certificates: [first.certificate, second.certificate] });
    const refreshed = await h.admin('POST', `${path}/metadata/refresh`);
    expect(refreshed.status).toBe(200);
    expect((refreshed.body as unknown as ConnectionBody).certificates.map((c) => c.fingerprint256)).toEqual([
      fingerprintOf(first.certificate),
      fingerprintOf(second.certificate),
    ]);
    const onDemand = await h.services.db.models.auditEvents.findOne({ action: 'connection.saml_metadata_applied', 'target.id': res.body.id }).lean();
    expect(onDemand?.actor).toMatchObject({ type: 'admin' });
    expect(onDemand?.before).toMatchObject({ certificates: [fingerprintOf(first.certificate)], metadataUrl: published.url });
    expect(onDemand?.after).toMatchObject({
      certificates: [fingerprintOf(first.certificate), fingerprintOf(second.certificate)],
      trigger: 'refresh',
      changed: true,
    });

    // The rollover completes: only the new certificate is published. The schedule picks it up by itself.
    published.state.xml = idpMetadata({ ...at, certificates: [second.certificate] });
    // Waited for by its audit record: the schedule writes the connection first and audits right after.
    const scheduledAudit = () =>
      h.services.db.models.auditEvents.findOne({ action: 'connection.saml_metadata_applied', 'target.id': res.body.id, 'actor.type': 'system' }).lean();
    let scheduled = await scheduledAudit();
    for (let i = 0; i < 50 && !scheduled; i++) {
      await new Promise((r) => setTimeout(r, 200));
      scheduled = await scheduledAudit();
    }
    let shown = (await h.admin('GET', path)).body as unknown as ConnectionBody;
    expect(shown.certificates.map((c) => c.fingerprint256)).toEqual([fingerprintOf(second.certificate)]);
    expect(scheduled?.after).toMatchObject({ certificates: [fingerprintOf(second.certificate)], trigger: 'schedule' });

    // Sign-ins verify with the new certificate, and no longer with the retired one.
    const conn = await connectionInfo(res.body);
    expect((await samlSignIn(conn, createSamlIdp({ ...at, keys: second }), user('new', 'published.test'))).status).toBe(303);
    await waitForSignInRuns(h.services.client, res.body.id, 'new@published.test');
    expect((await samlSignIn(conn, createSamlIdp({ ...at, keys: first }), user('old', 'published.test'))).status).toBe(401);

    // Metadata that names another IdP is refused, and the schedule records why without changing anything.
    published.state.xml = idpMetadata({ ...at, entityId: 'https://idp.other.test/metadata', certificates: [first.certificate] });
    const other = await h.admin('POST', `${path}/metadata/refresh`);
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('saml_metadata_entity_changed');
    for (let i = 0; i < 50; i++) {
      shown = (await h.admin('GET', path)).body as unknown as ConnectionBody;
      if (shown.metadata?.lastError) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(shown?.metadata?.lastError?.code).toBe('saml_metadata_entity_changed');
    expect(shown?.certificates.map((c) => c.fingerprint256)).toEqual([fingerprintOf(second.certificate)]);
  });

  it("an admin's changes and a metadata refresh at the same moment all hold (none undoes another)", async () => {
    const at = { entityId: 'https://idp.busy.test/metadata', ssoUrl: 'https://idp.busy.test/sso' };
    const [first, second] = [generateIdpKeys('busy first', 365), generateIdpKeys('busy second', 730)];
    for (let round = 0; round < 3; round += 1) {
      published.state.xml = idpMetadata({ ...at, certificates: [first.certificate] });
      const res = await create({ metadataUrl: published.url, name: `Busy ${round}` });
      expect(res.status).toBe(201);
      const path = `/tenants/meta/connections/saml/${res.body.id}`;
      const keysBefore = ((await h.services.db.models.samlConnections.findById(res.body.id).lean())?.spSigningKeys ?? []).length;
      published.state.xml = idpMetadata({ ...at, certificates: [first.certificate, second.certificate] });
      const answers = await Promise.all([
        h.admin('POST', `${path}/metadata/refresh`),
        h.admin('PATCH', path, { signatures: 'both' }),
        h.admin('PUT', `/tenants/meta/connections/${res.body.id}/attribute-sync`, { mode: 'every-sign-in' }),
        h.admin('POST', `${path}/sp-keys`),
      ]);
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 201]);
      const stored = await h.services.db.models.samlConnections.findById(res.body.id).lean();
      expect(stored?.certificates).toHaveLength(2);
      expect(stored).toMatchObject({ signatures: 'both', attributeSync: 'every-sign-in' });
      // Four changes, and the schedule's refreshes (every 400 ms here) in between.
      expect(stored?.changeGeneration).toBeGreaterThanOrEqual(4);
      expect(stored?.spSigningKeys ?? []).toHaveLength(keysBefore + 1);
    }
  });

  it('replaces the IdP values from an uploaded document; refresh then has no URL to fetch', async () => {
    const at = { entityId: 'https://idp.upload.test/metadata', ssoUrl: 'https://idp.upload.test/sso' };
    const [a, b] = [generateIdpKeys('upload a', 365), generateIdpKeys('upload b', 365)];
    const res = await create({ metadataXml: idpMetadata({ ...at, certificates: [a.certificate] }) });
    const path = `/tenants/meta/connections/saml/${res.body.id}`;
    const replaced = await h.admin('PUT', `${path}/metadata`, {
      metadataXml: idpMetadata({ ...at, ssoUrl: 'https://idp.upload.test/sso2', certificates: [b.certificate] }),
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({
      ssoUrl: 'https://idp.upload.test/sso2',
      certificates: [expect.objectContaining({ fingerprint256: fingerprintOf(b.certificate) })],
    });
    const audit = await h.services.db.models.auditEvents.findOne({ action: 'connection.saml_metadata_applied', 'target.id': res.body.id }).lean();
    expect(audit?.before).toMatchObject({ ssoUrl: at.ssoUrl });
    expect(audit?.after).toMatchObject({ ssoUrl: 'https://idp.upload.test/sso2', trigger: 'upload' });
    const refresh = await h.admin('POST', `${path}/metadata/refresh`);
    expect(refresh.status).toBe(409);
    expect(refresh.body.error.code).toBe('saml_metadata_no_url');
  });

  it("fetches metadata URLs under the webhook client's SSRF rules: production's refuse loopback", async () => {
    published.state.xml = fixture('okta.xml');
    const before = published.state.requests;
    const refusedFetch = await fetchDocument(published.url.replace('http:', 'https:'), DEFAULT_OUTBOUND_POLICY, 1024 * 1024);
    expect(refusedFetch).toMatchObject({ kind: 'refused', code: 'address_not_allowed' });
    expect(published.state.requests).toBe(before);
    const tooLarge = await fetchDocument(published.url, { ...DEFAULT_OUTBOUND_POLICY, allowHttp: true, allowPrivateAddresses: true }, 100);
    expect(tooLarge).toMatchObject({ kind: 'too_large' });
  });
});
