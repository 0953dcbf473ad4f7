import type { Server } from 'node:http';
import { mkdir } from 'node:fs/promises';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoIdpServer } from '../../src/demo/idpServer';
import { createSamlIdp } from '../../src/demo/samlIdp';
import { CHROMIUM_PATH } from '../../src/devservices/chromium';
import { freePort } from '../../src/devservices/ports';
import { signInWorkflowId } from '../../src/temporal/signInClient';
import { samlSignIn, startHarness, user, type Harness, type SamlConnectionInfo } from '../support/harness';
import { waitForSignInRuns } from '../support/temporal';

const SCREENSHOT_DIR = 'test-results';

/** A tenant admin signs in to the console through their IdP's login page in headless Chromium and approves a newcomer. */
describe('admin console in a real browser', () => {
  let h: Harness;
  let conn: SamlConnectionInfo;
  let idpServer: Server;
  let browser: Browser;
  const t = 'console';
  const alice = user('alice', 'console.test');
  const bob = user('bob', 'console.test');

  beforeAll(async () => {
    h = await startHarness();
    const port = await freePort();
    const idp = createSamlIdp({ entityId: `http://127.0.0.1:${port}/metadata`, ssoUrl: `http://127.0.0.1:${port}/sso` });
    await h.createTenant(t);
    conn = await h.createSamlConnection(t, idp);
    idpServer = await startDemoIdpServer(idp, async () => conn.metadataXml, '127.0.0.1', port);

    // Alice is a member, made admin through a group; then new accounts need approval and Bob arrives.
    expect((await samlSignIn(conn, idp, alice)).status).toBe(303);
    await waitForSignInRuns(h.services.client, conn.id, alice.nameId);
    const aliceId = String((await h.services.db.models.users.findOne({ email: alice.email }).lean())?._id);
    await h.admin('POST', `/tenants/${t}/groups`, { name: 'admins', roles: ['admin'] });
    expect((await h.admin('PUT', `/tenants/${t}/members/${aliceId}/groups/admins`)).status).toBe(201);
    await h.admin('PUT', `/tenants/${t}/approval-policy`, { when: ['new-accounts'] });
    const pending = await samlSignIn(conn, idp, { ...bob, name: 'Bob <script>alert(1)</script>' });
    expect(pending.status).toBe(202);

    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (idpServer ? idpServer.close(() => resolve()) : resolve()));
    await h?.close();
  });

  it('signs in as a tenant admin through SSO, sees the pending request (escaped), clicks Approve; the membership becomes active', async () => {
    const page = await browser.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(`${h.url}/console`);
    await page.fill('input[name=tenant]', t);
    await page.click('text=Continue with SSO');
    // The (demo) IdP's own login page.
    await page.waitForURL(/127\.0\.0\.1:\d+\/sso/);
    await page.fill('input[name=email]', alice.email);
    await page.fill('input[name=name]', 'Alice');
    await page.click('button[type=submit]');
    await page.waitForURL(`${h.url}/console/t/${t}/approvals`);

    const row = page.locator('tr', { hasText: bob.email });
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.innerText()).toContain('Bob <script>alert(1)</script>'); // shown as text, not run
    await mkdir(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: `${SCREENSHOT_DIR}/console-approvals.png`, fullPage: true });

    await Promise.all([page.waitForNavigation(), row.locator('button', { hasText: 'Approve' }).click()]);
    if (page.url() !== `${h.url}/console/t/${t}/approvals`) throw new Error(`${page.url()}: ${await page.innerText('body')}`);
    expect(await page.locator('.flash').innerText()).toContain('Approved');
    await page.screenshot({ path: `${SCREENSHOT_DIR}/console-approved.png`, fullPage: true });
    expect(dialogs).toEqual([]);

    await h.services.client.workflow.getHandle(signInWorkflowId(conn.id, bob.nameId)).result();
    const { models } = h.services.db;
    const bobUser = await models.users.findOne({ email: bob.email }).lean();
    expect(await models.memberships.findOne({ userId: bobUser?._id }).lean()).toMatchObject({ status: 'active' });
    const approved = await models.auditEvents.findOne({ action: 'approval.approved' }).lean();
    const aliceUser = await models.users.findOne({ email: alice.email }).lean();
    expect(approved?.actor).toMatchObject({ type: 'admin', id: `user:${String(aliceUser?._id)}` });
    await page.close();
  });
});
