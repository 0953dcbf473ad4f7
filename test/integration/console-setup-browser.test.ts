import { X509Certificate } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Types } from 'mongoose';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoIdpServer } from '../../src/demo/idpServer';
import { createSamlIdp, generateIdpKeys, idpMetadata } from '../../src/demo/samlIdp';
import { signMetadata } from '../support/signedMetadata';
import { expiredIdpKeys } from '../support/expiredCertificate';
import { issuerAt, startOidcProvider } from '../../src/demo/oidcProvider';
import { consoleSignIn, launchChromium } from '../support/chromium';
import { freePort } from '../../src/devservices/ports';
import { startDnsServer, type TestDnsServer } from '../support/dnsServer';
import { samlSignIn, startHarness, user, type Harness, type SamlConnectionInfo } from '../support/harness';
import { scimClient } from '../support/scimClient';
import { startReceiver, type Receiver } from '../support/webhookReceiver';
import { waitForSignInRuns } from '../support/temporal';

const SCREENSHOT_DIR = 'test-results';
const SECTIONS = ['connections', 'domains', 'directories', 'webhooks'] as const;
/** Short webhook retry schedule and poll, so deliveries happen within the test. */
const FAST = {
  ONRAMP_WEBHOOK_RETRY_SCHEDULE: '0,0.3,0.3,0.3',
  ONRAMP_WEBHOOK_POLL_MS: '500',
  ONRAMP_EVENTS_SETTLE_MS: '0',
  ONRAMP_WEBHOOK_TIMEOUT_MS: '3000',
};

/** A tenant admin sets their tenant up in the console, in headless Chromium: a SAML connection from metadata, a domain, a SCIM directory. */
describe('admin console set-up pages in a real browser', () => {
  let h: Harness;
  let dns: TestDnsServer;
  let conn: SamlConnectionInfo;
  let idp: ReturnType<typeof createSamlIdp>;
  let receiver: Receiver | undefined;
  let endpointId = '';
  const servers: Server[] = [];
  let browser: Browser;
  const t = 'setup';
  const alice = user('alice', 'setup.test');
  const max = user('max', 'setup.test');
  let maxCookie = '';
  /** Alice's signed-in page, shared by the tests after the first. */
  let admin: Page;
  /** The new SAML connection's SP metadata, which its (demo) IdP reads; set once the console made it. */
  let newSpMetadata = '';
  /** The port of the demo IdP behind the connection created from an uploaded file. */
  let uploadIdpPort = 0;
  const shot = (page: Page, name: string) => page.screenshot({ path: `${SCREENSHOT_DIR}/console-${name}.png`, fullPage: true });
  /** Click a submit button and wait for the page its form leads to; its HTTP status. */
  const submit = async (page: Page, click: () => Promise<void>) => {
    const [response] = await Promise.all([page.waitForNavigation(), click()]);
    return response?.status();
  };
  const adminCookie = async () => (await admin.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
  const post = (path: string, cookie: string, form: Record<string, string>) =>
    fetch(`${h.url}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });

  beforeAll(async () => {
    dns = await startDnsServer();
    h = await startHarness({ env: { ONRAMP_DNS_SERVERS: dns.address, ...FAST } });
    const port = await freePort();
    idp = createSamlIdp({ entityId: `http://127.0.0.1:${port}/metadata`, ssoUrl: `http://127.0.0.1:${port}/sso` });
    await h.createTenant(t);
    conn = await h.createSamlConnection(t, idp);
    servers.push(await startDemoIdpServer(idp, async () => conn.metadataXml, '127.0.0.1', port));

    // Alice is made admin through a group; Max stays a plain member.
    expect((await samlSignIn(conn, idp, alice)).status).toBe(303);
    await waitForSignInRuns(h.services.client, conn.id, alice.nameId);
    const aliceId = String((await h.services.db.models.users.findOne({ email: alice.email }).lean())?._id);
    await h.admin('POST', `/tenants/${t}/groups`, { name: 'admins', roles: ['admin'] });
    expect((await h.admin('PUT', `/tenants/${t}/members/${aliceId}/groups/admins`)).status).toBe(201);
    const maxSignIn = await samlSignIn(conn, idp, max);
    expect(maxSignIn.status).toBe(303);
    maxCookie = maxSignIn.cookie ?? '';
    await waitForSignInRuns(h.services.client, conn.id, max.nameId);

    browser = await launchChromium();
    await mkdir(SCREENSHOT_DIR, { recursive: true });
    admin = await browser.newPage();
    await consoleSignIn(admin, h.url, t, { email: alice.email, name: 'Alice' });
    // Her console sign-in's run settles before the tests act.
    await waitForSignInRuns(h.services.client, conn.id, alice.nameId);
  });
  afterAll(async () => {
    await admin?.close();
    await browser?.close();
    for (const s of servers) await new Promise<void>((resolve) => s.close(() => resolve()));
    await receiver?.close();
    await h?.close();
    await dns?.close();
  });

  it("creates a SAML connection by pasting samlify's IdP metadata, shows the SP values and certificates, and a test sign-in through it succeeds", async () => {
    const page = admin;
    await page.goto(`${h.url}/console/t/${t}/connections`);
    expect(await page.locator('nav a[aria-current=page]').innerText()).toBe('Connections');
    expect(await page.locator(`tr[data-connection="${conn.id}"]`).innerText()).toContain('enabled');
    await shot(page, 'connections');

    const port = await freePort();
    const okta = createSamlIdp({ entityId: `http://127.0.0.1:${port}/okta/metadata`, ssoUrl: `http://127.0.0.1:${port}/sso` });
    servers.push(await startDemoIdpServer(okta, async () => newSpMetadata, '127.0.0.1', port));
    const { models } = h.services.db;

    // A document that is not metadata: a readable refusal with its code; nothing written.
    await page.fill('input[name=name]', 'Broken');
    await page.fill('textarea[name=metadataXml]', '<nope/>');
    const refusedStatus = await submit(page, () => page.click('button:text("Create connection")'));
    if (refusedStatus !== 400) throw new Error(`${refusedStatus}: ${await page.innerText('main')}`);
    expect(await page.locator('main').innerText()).toMatch(/Error code: saml_metadata_\w+ \(HTTP 400\)/);
    expect(refusedStatus).toBe(400);
    await shot(page, 'connection-refused');
    expect(await models.samlConnections.countDocuments({})).toBe(1);

    await page.goto(`${h.url}/console/t/${t}/connections`);
    await page.fill('input[name=name]', 'Okta');
    await page.fill('textarea[name=metadataXml]', okta.metadataXml);
    await submit(page, () => page.click('button:text("Create connection")'));
    const created = await models.samlConnections.findOne({ name: 'Okta' }).lean();
    expect(created?.idpEntityId).toBe(okta.entityId);
    const id = String(created?._id);
    if (!created) throw new Error(await page.innerText('main'));
    expect(page.url()).toBe(`${h.url}/console/t/${t}/connections/saml/${id}`);
    const shown = await h.services.libraries.samlConnections.get(created.tenantId, id);
    expect(await page.locator('[data-sp=metadataUrl]').innerText()).toBe(shown.metadataUrl);
    expect(await page.locator('[data-sp=acsUrl]').innerText()).toBe(shown.acsUrl);
    expect(await page.locator('[data-sp=spEntityId]').innerText()).toBe(shown.spEntityId);
    // The demo IdP's certificates live 30 days: flagged.
    expect(await page.locator('[data-expires-soon]').count()).toBe(1);
    expect(await page.innerText('main')).toContain('uploaded');
    await shot(page, 'connection');

    // The test sign-in, in a browser of its own (the admin's console session stays).
    newSpMetadata = await (await fetch(shown.metadataUrl)).text();
    const testPage = await (await browser.newContext()).newPage();
    await testPage.goto(
      await page
        .locator('a', { hasText: 'Test sign-in' })
        .getAttribute('href')
        .then((href) => href ?? ''),
    );
    await testPage.waitForURL(new RegExp(`127\\.0\\.0\\.1:${port}/sso`));
    await testPage.fill('input[name=email]', 'olga@setup.test');
    await testPage.fill('input[name=name]', 'Olga');
    await Promise.all([testPage.waitForURL((u) => u.origin === new URL(h.url).origin), testPage.click('button[type=submit]')]);
    await waitForSignInRuns(h.services.client, id, 'olga@setup.test');
    expect(await models.users.countDocuments({ email: 'olga@setup.test' })).toBe(1);
    await testPage.context().close();
  });

  /** Sign in through a connection's "Test sign-in" link in a browser of its own (the admin's session stays); waits for the run. */
  const testSignIn = async (page: Page, connectionId: string, idpPort: number, email: string, groups = '') => {
    const testPage = await (await browser.newContext()).newPage();
    await testPage.goto((await page.locator('a', { hasText: 'Test sign-in' }).getAttribute('href')) ?? '');
    await testPage.waitForURL(new RegExp(`127\\.0\\.0\\.1:${idpPort}/sso`));
    await testPage.fill('input[name=email]', email);
    await testPage.fill('input[name=name]', email.split('@')[0] ?? 'someone');
    await testPage.fill('input[name=groups]', groups);
    await Promise.all([testPage.waitForURL((u) => u.origin === new URL(h.url).origin), testPage.click('button[type=submit]')]);
    await waitForSignInRuns(h.services.client, connectionId, email).catch(async (err: unknown) => {
      throw new Error(`no sign-in run (${String(err)}); the browser shows ${testPage.url()}: ${await testPage.innerText('body')}`);
    });
    await testPage.context().close();
  };

  it("creates SAML connections by uploading IdP metadata files (samlify's, samlp's), a test sign-in succeeds, and a too-large file is refused (413)", async () => {
    const page = admin;
    const { models } = h.services.db;
    const dir = await mkdtemp(join(tmpdir(), 'onramp-metadata-'));
    const port = await freePort();
    uploadIdpPort = port;
    const upload = createSamlIdp({ entityId: `http://127.0.0.1:${port}/upload/metadata`, ssoUrl: `http://127.0.0.1:${port}/sso` });
    let spMetadata = '';
    servers.push(await startDemoIdpServer(upload, async () => spMetadata, '127.0.0.1', port));
    const file = join(dir, 'idp-metadata.xml');
    await writeFile(file, upload.metadataXml);

    await page.goto(`${h.url}/console/t/${t}/connections`);
    await page.fill('input[name=name]', 'Uploaded');
    await page.setInputFiles('input[name=metadataFile]', file);
    await shot(page, 'connection-upload');
    expect(await submit(page, () => page.click('button:text("Create connection")'))).toBe(200);
    const created = await models.samlConnections.findOne({ name: 'Uploaded' }).lean();
    if (!created) throw new Error(await page.innerText('main'));
    expect(created.idpEntityId).toBe(upload.entityId);
    expect(created.metadata?.url).toBeNull();
    const id = String(created._id);
    expect(page.url()).toBe(`${h.url}/console/t/${t}/connections/saml/${id}`);
    expect(await page.locator('.flash').innerText()).toContain('created from the metadata');
    spMetadata = await (await fetch((await h.services.libraries.samlConnections.get(created.tenantId, id)).metadataUrl)).text();
    await testSignIn(page, id, port, 'uma@setup.test');
    expect(await models.users.countDocuments({ email: 'uma@setup.test' })).toBe(1);

    // auth0's samlp wrote this one (a second IdP implementation): it imports from a file too.
    await page.goto(`${h.url}/console/t/${t}/connections`);
    await page.fill('input[name=name]', 'From samlp');
    await page.setInputFiles('input[name=metadataFile]', fileURLToPath(new URL('../fixtures/saml-metadata/samlp-8.0.0.xml', import.meta.url)));
    expect(await submit(page, () => page.click('button:text("Create connection")'))).toBe(200);
    expect(await models.samlConnections.countDocuments({ name: 'From samlp' })).toBe(1);

    // A file past the admin API's 1 MB: refused with a readable page, nothing written.
    const big = join(dir, 'big.xml');
    await writeFile(big, `${upload.metadataXml}<!--${'x'.repeat(1024 * 1024)}-->`);
    const count = await models.samlConnections.countDocuments({});
    await page.goto(`${h.url}/console/t/${t}/connections`);
    await page.fill('input[name=name]', 'Too big');
    await page.setInputFiles('input[name=metadataFile]', big);
    expect(await submit(page, () => page.click('button:text("Create connection")'))).toBe(413);
    expect(await page.locator('[role=alert]').innerText()).toMatch(/larger than 1 MB[\s\S]*saml_metadata_too_large \(HTTP 413\)/);
    await shot(page, 'connection-upload-refused');

    // A file and a pasted document at once: which one was meant is not guessed.
    await page.goto(`${h.url}/console/t/${t}/connections`);
    await page.fill('input[name=name]', 'Twice');
    await page.setInputFiles('input[name=metadataFile]', file);
    await page.fill('textarea[name=metadataXml]', upload.metadataXml);
    expect(await submit(page, () => page.click('button:text("Create connection")'))).toBe(400);
    expect(await page.locator('[role=alert]').innerText()).toContain('validation_failed');
    expect(await models.samlConnections.countDocuments({})).toBe(count);
    await rm(dir, { recursive: true, force: true });
  });

  it('creates a SAML connection from signed metadata with its metadata signing certificate, and refuses unsigned metadata then', async () => {
    const page = admin;
    const { models } = h.services.db;
    const at = { entityId: 'https://idp.console-signed.test/metadata', ssoUrl: 'https://idp.console-signed.test/sso' };
    const [signer, keys] = [generateIdpKeys('console metadata signer', 365), generateIdpKeys('console signed token', 365)];
    const metadata = idpMetadata({ ...at, certificates: [keys.certificate] });
    await page.goto(`${h.url}/console/t/${t}/connections`);
    await page.fill('input[name=name]', 'Signed metadata');
    await page.fill('textarea[name=metadataXml]', signMetadata(metadata, signer));
    await page.fill('textarea[name=metadataSigningCertificate]', signer.certificate);
    expect(await submit(page, () => page.click('button:text("Create connection")'))).toBe(200);
    const fingerprint = new X509Certificate(signer.certificate).fingerprint256;
    expect(await page.locator(`[data-metadata-signing-certificate="${fingerprint}"]`).innerText()).toContain('must be signed with it');
    await shot(page, 'connection-signed-metadata');
    expect(await models.samlConnections.countDocuments({ name: 'Signed metadata' })).toBe(1);

    const count = await models.samlConnections.countDocuments({});
    await page.goto(`${h.url}/console/t/${t}/connections`);
    await page.fill('input[name=name]', 'Unsigned metadata');
    await page.fill('textarea[name=metadataXml]', metadata);
    await page.fill('textarea[name=metadataSigningCertificate]', signer.certificate);
    expect(await submit(page, () => page.click('button:text("Create connection")'))).toBe(400);
    expect(await page.locator('[role=alert]').innerText()).toMatch(/is not signed[\s\S]*saml_metadata_signature_invalid/);
    expect(await models.samlConnections.countDocuments({})).toBe(count);
  });

  it('adds a signing certificate by hand (a malformed or expired one refused), removes one, and never the last', async () => {
    const page = admin;
    const { models } = h.services.db;
    const conn = await models.samlConnections.findOne({ name: 'Uploaded' }).lean();
    if (!conn) throw new Error('the uploaded connection is missing');
    const id = String(conn._id);
    const pageUrl = `${h.url}/console/t/${t}/connections/saml/${id}`;
    const stored = async () => (await models.samlConnections.findById(id).lean())?.certificates ?? [];
    const [original] = await stored();
    const audits = () => models.auditEvents.countDocuments({ action: 'connection.saml_settings_changed', 'target.id': id });
    const auditsBefore = await audits();

    // Not a certificate, then an expired one: readable refusals (400), nothing written.
    for (const [pem, why] of [
      ['-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----', 'is not a PEM X.509 certificate'],
      [expiredIdpKeys('expired IdP').certificate, 'certificate has expired'],
    ] as const) {
      await page.goto(pageUrl);
      await page.fill('textarea[name=certificate]', pem);
      expect(await submit(page, () => page.click('button:text("Add certificate")'))).toBe(400);
      expect(await page.locator('[role=alert]').innerText()).toContain(why);
      expect(await page.locator('[role=alert]').innerText()).toContain('validation_failed (HTTP 400)');
    }
    expect(await stored()).toEqual([original]);

    // The IdP's next certificate (a year): added, listed with its expiry, not flagged.
    const next = generateIdpKeys('next IdP certificate', 365);
    const nextFingerprint = new X509Certificate(next.certificate).fingerprint256;
    await page.goto(pageUrl);
    await page.fill('textarea[name=certificate]', next.certificate);
    await submit(page, () => page.click('button:text("Add certificate")'));
    expect(await page.locator('.flash').innerText()).toContain('Certificate added');
    expect(await page.locator('tr[data-certificate]').count()).toBe(2);
    const nextRow = page.locator(`tr[data-certificate="${nextFingerprint}"]`);
    expect(await nextRow.innerText()).toContain('valid');
    expect(await nextRow.innerText()).toContain(new Date(new X509Certificate(next.certificate).validTo).toISOString());
    expect(await page.locator('[data-expires-soon]').count()).toBe(1);
    expect((await stored()).length).toBe(2);
    await shot(page, 'connection-certificates');

    // The added one removed again (the IdP will not switch after all); then the last one is refused (409), still there.
    await submit(page, () => nextRow.locator('button', { hasText: 'Remove' }).click());
    expect(await page.locator('.flash').innerText()).toContain('Certificate removed');
    expect(await page.locator('tr[data-certificate]').count()).toBe(1);
    expect(await submit(page, () => page.locator('tr[data-certificate] button', { hasText: 'Remove' }).click())).toBe(409);
    expect(await page.locator('[role=alert]').innerText()).toContain('last_idp_certificate (HTTP 409)');
    expect(await stored()).toEqual([original]);
    expect(await audits()).toBe(auditsBefore + 2);
  });

  it("edits a connection's attribute mapping, link policy and group mappings; a sign-in with the mapped group shows the grant on the member page", async () => {
    const page = admin;
    const { models } = h.services.db;
    const conn = await models.samlConnections.findOne({ name: 'Uploaded' }).lean();
    if (!conn) throw new Error('the uploaded connection is missing');
    const id = String(conn._id);
    const pageUrl = `${h.url}/console/t/${t}/connections/saml/${id}`;
    expect((await h.admin('POST', `/tenants/${t}/groups`, { name: 'engineers', roles: [] })).status).toBe(201);

    await page.goto(pageUrl);
    await page.fill('textarea[name=custom]', 'department = department');
    await page.selectOption('select[name=linkPolicy]', 'approval');
    await submit(page, () => page.click('button:text("Save attributes and linking")'));
    expect(await page.locator('.flash').innerText()).toContain('Attributes and linking saved');
    const saved = await models.samlConnections.findById(id).lean();
    expect(saved?.attributeMapping).toMatchObject({ email: 'email', name: 'name', groups: 'groups', custom: { department: 'department' } });
    expect(saved?.linkPolicy).toBe('approval');

    // A mapping to a group the tenant does not have: refused (400), nothing written.
    await page.selectOption('select[name=mode]', 'add-only');
    await page.locator('input[name=mappingValue]').first().fill('eng-team');
    await page.locator('input[name=mappingGroup]').first().fill('no-such-group');
    expect(await submit(page, () => page.click('button:text("Save group sync")'))).toBe(400);
    expect(await page.locator('[role=alert]').innerText()).toContain('does not exist');
    expect((await h.services.libraries.groups.groupSync(conn.tenantId, id)).mode).toBe('off');

    await page.goto(pageUrl);
    await page.selectOption('select[name=mode]', 'add-only');
    await page.locator('input[name=mappingValue]').first().fill('eng-team');
    await page.locator('input[name=mappingGroup]').first().fill('engineers');
    await submit(page, () => page.click('button:text("Save group sync")'));
    expect(await page.locator('.flash').innerText()).toContain('Group sync saved');
    expect(await page.locator('input[name=mappingValue]').first().inputValue()).toBe('eng-team');
    expect(await h.services.libraries.groups.groupSync(conn.tenantId, id)).toMatchObject({
      mode: 'add-only',
      mappings: [{ value: 'eng-team', group: 'engineers', roles: [] }],
    });
    expect(await models.auditEvents.countDocuments({ action: 'connection.group_sync_updated', 'target.id': id })).toBe(1);
    await shot(page, 'connection-mappings');

    await testSignIn(page, id, uploadIdpPort, 'gina@setup.test', 'eng-team, unmapped');
    const gina = await models.users.findOne({ email: 'gina@setup.test' }).lean();
    await page.goto(`${h.url}/console/t/${t}/members/${String(gina?._id)}`);
    const groupRow = page.locator('tr', { has: page.locator('th', { hasText: 'engineers' }) });
    expect(await groupRow.innerText()).toContain(`idp:${id}`);
    expect(await page.locator('tr', { has: page.locator('th', { hasText: 'unmapped' }) }).count()).toBe(0);
    await shot(page, 'member-mapped-group');
  });

  it('creates a SAML connection from a metadata URL, refreshes it with the button, and shows a refused refresh with its code', async () => {
    const published = { xml: '', status: 200 };
    const server = createServer((_req, res) => {
      res.writeHead(published.status, { 'content-type': 'application/samlmetadata+xml' });
      res.end(published.xml);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/federationmetadata.xml`;
    const at = { entityId: 'https://idp.entra.test/metadata', ssoUrl: 'https://idp.entra.test/sso' };
    const [first, second] = [createSamlIdp(at), createSamlIdp(at)];
    published.xml = first.metadataXml;

    const page = admin;
    await page.goto(`${h.url}/console/t/${t}/connections`);
    await page.fill('input[name=name]', 'Entra');
    await page.fill('input[name=metadataUrl]', url);
    await submit(page, () => page.click('button:text("Create connection")'));
    const { models } = h.services.db;
    const created = await models.samlConnections.findOne({ name: 'Entra' }).lean();
    if (!created) throw new Error(await page.innerText('main'));
    expect(await page.innerText('main')).toContain(`from ${url}`);
    const fingerprints = async () =>
      (await h.services.libraries.samlConnections.get(created.tenantId, String(created._id))).certificates.map((c) => c.fingerprint256);
    const before = await fingerprints();

    published.xml = second.metadataXml;
    await submit(page, () => page.click('button:text("Refresh metadata")'));
    expect(await page.locator('.flash').innerText()).toContain('Metadata fetched again');
    const after = await fingerprints();
    expect(after).not.toEqual(before);
    await shot(page, 'connection-refreshed');

    published.status = 404;
    expect(await submit(page, () => page.click('button:text("Refresh metadata")'))).toBe(422);
    expect(await page.locator('[role=alert]').innerText()).toContain('saml_metadata_unreachable');
    expect(await fingerprints()).toEqual(after);
  });

  it("creates an OIDC connection from the issuer's discovery, shows the redirect URI, and a test sign-in through it succeeds", async () => {
    const page = admin;
    const { models } = h.services.db;
    const port = await freePort();
    const client = { clientId: 'console-app', clientSecret: 'a-client-secret-the-console-was-given' };

    // Refused by the admin API's schema: not a URL (400), nothing written.
    await page.goto(`${h.url}/console/t/${t}/connections`);
    await page.fill('input[name=oidcName]', 'Broken OIDC');
    await page.fill('input[name=issuer]', 'not a url');
    await page.fill('input[name=clientId]', client.clientId);
    await page.fill('input[name=clientSecret]', client.clientSecret);
    await page.locator('input[name=issuer]').evaluate((el) => el.setAttribute('type', 'text'));
    expect(await submit(page, () => page.click('button:text("Create OIDC connection")'))).toBe(400);
    expect(await page.locator('[role=alert]').innerText()).toContain('issuer');
    expect(await models.oidcConnections.countDocuments({})).toBe(0);

    // The provider is not up yet: created, and the failed discovery said (as the admin API does).
    await page.goto(`${h.url}/console/t/${t}/connections`);
    await page.fill('input[name=oidcName]', 'Company OIDC');
    await page.fill('input[name=issuer]', issuerAt(port));
    await page.fill('input[name=clientId]', client.clientId);
    await page.fill('input[name=clientSecret]', client.clientSecret);
    await page.fill('input[name=scopes]', 'openid email profile groups');
    await submit(page, () => page.click('button:text("Create OIDC connection")'));
    const created = await models.oidcConnections.findOne({ name: 'Company OIDC' }).lean();
    if (!created) throw new Error(await page.innerText('main'));
    const id = String(created._id);
    expect(page.url()).toBe(`${h.url}/console/t/${t}/connections/oidc/${id}`);
    expect(created.scopes).toEqual(['openid', 'email', 'profile', 'groups']);
    expect(await page.locator('.flash').innerText()).toContain('discovery failed');
    expect(await page.locator('[data-discovery]').getAttribute('data-discovery')).toBe('failed');
    expect(await page.content()).not.toContain(client.clientSecret);
    const redirectUri = await page.locator('[data-op=redirectUri]').innerText();
    expect(redirectUri).toBe(`${h.url}/sso/oidc/${id}/callback`);

    // The provider registers the redirect URI and comes up: discovery answers, and a test sign-in goes through.
    const op = await startOidcProvider(port, { ...client, redirectUris: [redirectUri] });
    try {
      op.users.set('sub-oscar', { email: 'oscar@setup.test', email_verified: true, name: 'Oscar', groups: ['oidc-eng'] });
      op.loginAs('sub-oscar');
      await page.reload();
      expect(await page.locator('[data-discovery]').getAttribute('data-discovery')).toBe('ok');
      // Its groups claim mapped on its page: oidc-eng → engineers (made by the mapping test above).
      await page.selectOption('select[name=mode]', 'add-only');
      await page.locator('input[name=mappingValue]').first().fill('oidc-eng');
      await page.locator('input[name=mappingGroup]').first().fill('engineers');
      await submit(page, () => page.click('button:text("Save group sync")'));
      expect(page.url()).toBe(`${h.url}/console/t/${t}/connections/oidc/${id}`);
      expect(await page.locator('.flash').innerText()).toContain('Group sync saved');
      await shot(page, 'connection-oidc');
      const testPage = await (await browser.newContext()).newPage();
      await testPage.goto((await page.locator('a', { hasText: 'Test sign-in' }).getAttribute('href')) ?? '');
      await waitForSignInRuns(h.services.client, id, 'sub-oscar');
      await testPage.context().close();
      expect(await models.identities.countDocuments({ protocol: 'oidc', subject: 'sub-oscar' })).toBe(1);
      const oscar = await models.users.findOne({ email: 'oscar@setup.test' }).lean();
      expect(oscar).not.toBeNull();
      await page.goto(`${h.url}/console/t/${t}/members/${String(oscar?._id)}`);
      expect(await page.locator('tr', { has: page.locator('th', { hasText: 'engineers' }) }).innerText()).toContain(`idp:${id}`);
      await page.goto(`${h.url}/console/t/${t}/connections`);
      expect(await page.locator(`tr[data-connection="${id}"]`).innerText()).toContain('OIDC');
    } finally {
      await op.close();
    }
  });

  it('adds a domain (the TXT record to publish is shown), is refused verification until it is published, then verifies it', async () => {
    const page = admin;
    await page.goto(`${h.url}/console/t/${t}/domains`);
    await page.fill('input[name=domain]', 'setup.test');
    await submit(page, () => page.click('button:text("Add domain")'));
    const row = page.locator('tr[data-domain="setup.test"]');
    expect(await row.locator('[data-txt=name]').innerText()).toBe('_onramp-challenge.setup.test');
    const value = await row.locator('[data-txt=value]').innerText();
    expect(value).toMatch(/^onramp-domain-verification=/);
    await shot(page, 'domains');

    expect(await submit(page, () => row.locator('button', { hasText: 'Verify' }).click())).toBe(422);
    expect(await page.locator('[role=alert]').innerText()).toContain('domain_not_verified');
    expect(await h.services.db.models.verifiedDomains.countDocuments({ _id: 'setup.test' })).toBe(0);

    dns.setTxt('_onramp-challenge.setup.test', [value]);
    await page.goto(`${h.url}/console/t/${t}/domains`);
    await submit(page, () => page.locator('tr[data-domain="setup.test"] button', { hasText: 'Verify' }).click());
    expect(await page.locator('.flash').innerText()).toContain('verified');
    expect(await page.locator('tr[data-domain="setup.test"]').innerText()).toContain('verified');
    expect(await h.services.db.models.verifiedDomains.countDocuments({ _id: 'setup.test' })).toBe(1);
    await shot(page, 'domain-verified');
  });

  it('creates a SCIM directory, shows its token once, and lists the operation a SCIM request made with it', async () => {
    const page = admin;
    await page.goto(`${h.url}/console/t/${t}/directories`);
    await page.fill('input[name=name]', 'Entra');
    await page.selectOption('select[name=provider]', 'entra');
    expect(await submit(page, () => page.click('button:text("Create directory")'))).toBe(201);
    const token = await page.locator('[data-scim=token]').innerText();
    const baseUrl = await page.locator('[data-scim=baseUrl]').innerText();
    expect(token.length).toBeGreaterThan(20);
    await shot(page, 'directory-created');

    await submit(page, () => page.click('a:text("Go to the directory")'));
    expect(await page.content()).not.toContain(token);
    const scim = scimClient(baseUrl, token);
    const made = await scim.call('POST', '/Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'dora@setup.test',
      emails: [{ value: 'dora@setup.test', primary: true }],
      name: { givenName: 'Dora', familyName: 'Setup' },
      active: true,
    });
    expect(made.status).toBe(201);
    await expect
      .poll(
        async () => {
          await page.reload();
          return page.locator('tbody tr[data-event]').count();
        },
        { timeout: 20_000 },
      )
      .toBeGreaterThan(0);
    await shot(page, 'directory');
    // The list never shows the token either.
    await page.goto(`${h.url}/console/t/${t}/directories`);
    expect(await page.content()).not.toContain(token);
  });

  it("lists the tenant's webhook endpoints and their recent deliveries, and resends one delivery", async () => {
    const hooks = await startReceiver([]);
    receiver = hooks;
    const created = await h.admin('POST', `/tenants/${t}/webhooks`, { url: hooks.url, description: 'host app' });
    expect(created.status).toBe(201);
    const body = created.body as unknown as { endpoint: { id: string }; secret: string };
    endpointId = body.endpoint.id;
    hooks.state.secrets.push(body.secret);
    // Something happens: a newcomer signs in.
    expect((await samlSignIn(conn, idp, user('wendy', 'setup.test'))).status).toBe(303);

    const page = admin;
    await page.goto(`${h.url}/console/t/${t}/webhooks`);
    expect(await page.locator(`tr[data-endpoint="${endpointId}"]`).innerText()).toContain('enabled');
    await shot(page, 'webhooks');
    await submit(page, () => page.click(`tr[data-endpoint="${endpointId}"] a`));
    await expect
      .poll(
        async () => {
          await page.reload();
          return page.locator('tbody tr[data-attempt]').count();
        },
        { timeout: 30_000 },
      )
      .toBeGreaterThan(0);
    const row = page.locator('tbody tr[data-attempt]').first();
    const eventId = (await row.getAttribute('data-event-id')) ?? '';
    expect(await row.innerText()).toContain('delivered');
    await shot(page, 'webhook');
    const before = hooks.received.length;
    await submit(page, () => row.locator('button', { hasText: 'Resend' }).click());
    expect(await page.locator('.flash').innerText()).toContain(`Event ${eventId} is being sent again`);
    const resent = await h.services.db.models.auditEvents.findOne({ action: 'webhook.event_resent', 'target.id': endpointId }).lean();
    expect(resent?.after).toMatchObject({ eventId });
    await expect.poll(() => hooks.received.length, { timeout: 30_000 }).toBeGreaterThan(before);
    const again = hooks.received[before];
    expect(hooks.received.slice(0, before).some((r) => r.webhookId === again?.webhookId)).toBe(true);
  });

  it('refuses every new form without the CSRF token (403), writing nothing', async () => {
    const cookie = await adminCookie();
    const { models } = h.services.db;
    const resends = await models.auditEvents.countDocuments({ action: 'webhook.event_resent' });
    const before = [
      await models.oidcConnections.countDocuments({}),
      await models.samlConnections.countDocuments({}),
      await models.scimDirectories.countDocuments({}),
      (await h.services.libraries.domains.list(new Types.ObjectId(conn.tenantId))).length,
    ];
    const forms: Array<[string, Record<string, string>]> = [
      [`/console/t/${t}/connections/saml`, { name: 'Forged', metadataUrl: 'http://127.0.0.1:1/metadata' }],
      [`/console/t/${t}/connections/saml/${conn.id}/metadata/refresh`, {}],
      [`/console/t/${t}/connections/saml/${conn.id}/certificates`, { certificate: idp.certificate }],
      [`/console/t/${t}/connections/saml/${conn.id}/certificates/remove`, { fingerprint256: new X509Certificate(idp.certificate).fingerprint256 }],
      [`/console/t/${t}/connections/oidc`, { oidcName: 'Forged', issuer: 'http://127.0.0.1:1', clientId: 'x', clientSecret: 'y' }],
      [`/console/t/${t}/connections/saml/${conn.id}/settings`, { email: 'forged', name: 'name', groups: 'groups', custom: '' }],
      [`/console/t/${t}/connections/saml/${conn.id}/group-sync`, { mode: 'full', whenAbsent: 'revoke', unmapped: 'ignore', allowList: '' }],
      [`/console/t/${t}/domains`, { domain: 'forged.test' }],
      [`/console/t/${t}/domains/forged.test/verify`, {}],
      [`/console/t/${t}/directories`, { name: 'Forged', provider: 'generic' }],
      [`/console/t/${t}/webhooks/${endpointId}/resend`, { eventId: 'evt_forged' }],
    ];
    for (const [path, form] of forms) {
      const res = await post(path, cookie, form);
      expect(res.status, path).toBe(403);
      expect(await res.text()).toContain('csrf_failed');
      expect((await post(path, cookie, { ...form, _csrf: 'forged' })).status, path).toBe(403);
    }
    // The upload form (multipart): no token, or a non-admin's session, refused too.
    const multipart = (cookie: string, fields: Record<string, string>) => {
      const form = new FormData();
      for (const [k, v] of Object.entries(fields)) form.set(k, v);
      form.set('metadataFile', new Blob([idp.metadataXml], { type: 'application/xml' }), 'metadata.xml');
      return fetch(`${h.url}/console/t/${t}/connections/saml`, { method: 'POST', redirect: 'manual', headers: { cookie }, body: form });
    };
    expect((await multipart(cookie, { name: 'Forged' })).status).toBe(403);
    expect((await multipart(cookie, { name: 'Forged', _csrf: 'forged' })).status).toBe(403);
    expect((await multipart(maxCookie, { name: 'Forged' })).status).toBe(403);
    const after = [
      await models.oidcConnections.countDocuments({}),
      await models.samlConnections.countDocuments({}),
      await models.scimDirectories.countDocuments({}),
      (await h.services.libraries.domains.list(new Types.ObjectId(conn.tenantId))).length,
    ];
    expect(after).toEqual(before);
    expect(await models.auditEvents.countDocuments({ action: 'webhook.event_resent' })).toBe(resends);
  });

  it('a member without the admin role is refused every new page (403, audited)', async () => {
    const { models } = h.services.db;
    const directory = await models.scimDirectories.findOne({}).lean();
    const before = await models.auditEvents.countDocuments({ action: 'console.access_denied' });
    const oidc = await models.oidcConnections.findOne({}).lean();
    const pages = [
      ...SECTIONS,
      `connections/saml/${conn.id}`,
      `connections/oidc/${String(oidc?._id)}`,
      `directories/${String(directory?._id)}`,
      `webhooks/${endpointId}`,
    ];
    for (const section of pages) {
      const res = await fetch(`${h.url}/console/t/${t}/${section}`, { headers: { cookie: maxCookie }, redirect: 'manual' });
      expect(res.status, section).toBe(403);
    }
    expect(await models.auditEvents.countDocuments({ action: 'console.access_denied' })).toBe(before + pages.length);
  });
});
