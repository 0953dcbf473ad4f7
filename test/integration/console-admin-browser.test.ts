import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startDemoIdpServer } from '../../src/demo/idpServer';
import { createSamlIdp } from '../../src/demo/samlIdp';
import { freePort } from '../../src/devservices/ports';
import { consoleSignIn, launchChromium } from '../support/chromium';
import { samlSignIn, startHarness, user, type Harness, type SamlConnectionInfo } from '../support/harness';
import { scimClient } from '../support/scimClient';
import { waitForSignInRuns } from '../support/temporal';
import { startReceiver, type Receiver } from '../support/webhookReceiver';

const SCREENSHOT_DIR = 'test-results';
/** The Web UI of the Temporal dev server the integration tests share (test/support/globalSetup.ts), when it serves one. */
const TEMPORAL_UI = inject('stack').temporalUiUrl;
/** Short webhook retry schedule and poll, so deliveries happen within the test. */
const FAST = {
  ONRAMP_WEBHOOK_RETRY_SCHEDULE: '0,0.3,0.3,0.3',
  ONRAMP_WEBHOOK_POLL_MS: '500',
  ONRAMP_EVENTS_SETTLE_MS: '0',
  ONRAMP_WEBHOOK_TIMEOUT_MS: '3000',
};

/** What each row of the uploaded file should come to: its outcome and reason code. */
interface Expected {
  email: string;
  outcome: string;
  reason: string | null;
}

/** A tenant admin runs imports, groups, webhooks, domains and directory tokens from the console, in headless Chromium. */
describe('admin console: imports, groups, webhooks, domains and directory tokens in a real browser', () => {
  let h: Harness;
  let conn: SamlConnectionInfo;
  let idp: ReturnType<typeof createSamlIdp>;
  let receiver: Receiver | undefined;
  const servers: Server[] = [];
  let browser: Browser;
  const t = 'adm';
  const alice = user('alice', 'adm.test');
  let admin: Page;
  const shot = (page: Page, name: string) => page.screenshot({ path: `${SCREENSHOT_DIR}/console-${name}.png`, fullPage: true });
  /** Click a submit button and wait for the page its form leads to; its HTTP status. */
  const submit = async (page: Page, click: () => Promise<void>) => {
    const [response] = await Promise.all([page.waitForNavigation(), click()]);
    return response?.status();
  };

  beforeAll(async () => {
    h = await startHarness({ env: { ...FAST, ...(TEMPORAL_UI ? { TEMPORAL_UI_URL: TEMPORAL_UI } : {}) } });
    const port = await freePort();
    idp = createSamlIdp({ entityId: `http://127.0.0.1:${port}/metadata`, ssoUrl: `http://127.0.0.1:${port}/sso` });
    await h.createTenant(t);
    conn = await h.createSamlConnection(t, idp);
    servers.push(await startDemoIdpServer(idp, async () => conn.metadataXml, '127.0.0.1', port));
    expect(
      (
        await h.admin('PUT', `/tenants/${t}/domains`, {
          domains: [
            { domain: 'adm.test', verified: true },
            { domain: 'old.test', verified: true },
          ],
        })
      ).status,
    ).toBe(200);

    // Alice is made admin (not owner) through a group.
    expect((await samlSignIn(conn, idp, alice)).status).toBe(303);
    await waitForSignInRuns(h.services.client, conn.id, alice.nameId);
    const aliceId = String((await h.services.db.models.users.findOne({ email: alice.email }).lean())?._id);
    await h.admin('POST', `/tenants/${t}/groups`, { name: 'admins', roles: ['admin'] });
    expect((await h.admin('PUT', `/tenants/${t}/members/${aliceId}/groups/admins`)).status).toBe(201);

    browser = await launchChromium();
    await mkdir(SCREENSHOT_DIR, { recursive: true });
    admin = await browser.newPage();
    await consoleSignIn(admin, h.url, t, { email: alice.email, name: 'Alice' });
    await waitForSignInRuns(h.services.client, conn.id, alice.nameId);
  });
  afterAll(async () => {
    await admin?.close();
    await browser?.close();
    for (const s of servers) await new Promise<void>((resolve) => s.close(() => resolve()));
    await receiver?.close();
    await h?.close();
  });

  it('refuses a file that is not CSV (415) and a malformed CSV (400) with readable pages, writing nothing', async () => {
    const page = admin;
    const { models } = h.services.db;
    await page.goto(`${h.url}/console/t/${t}/imports`);
    expect(await page.locator('nav a[aria-current=page]').innerText()).toBe('Imports');
    expect(await page.innerText('main')).toContain('No imports yet.');
    await shot(page, 'imports-empty');

    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    await page.setInputFiles('input[name=file]', { name: 'logo.png', mimeType: 'image/png', buffer: png });
    expect(await submit(page, () => page.click('button:text("Upload")'))).toBe(415);
    expect(await page.locator('[role=alert]').innerText()).toContain('Error code: unsupported_media_type (HTTP 415)');
    await shot(page, 'import-refused');

    await page.goto(`${h.url}/console/t/${t}/imports`);
    await page.setInputFiles('input[name=file]', { name: 'broken.csv', mimeType: 'text/csv', buffer: Buffer.from('email,name\n"ann@adm.test,Ann\n') });
    expect(await submit(page, () => page.click('button:text("Upload")'))).toBe(400);
    expect(await page.locator('[role=alert]').innerText()).toContain('Error code: import_malformed (HTTP 400)');
    expect(await models.imports.countDocuments({})).toBe(0);
    expect(await models.users.countDocuments({ email: 'ann@adm.test' })).toBe(0);
  });

  it('refuses a file larger than the import limit with 413, on a readable page', async () => {
    const cookie = (await admin.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    await admin.goto(`${h.url}/console/t/${t}/imports`);
    const csrf = (await admin.locator('input[name=_csrf]').first().getAttribute('value')) ?? '';
    const form = new FormData();
    form.set('_csrf', csrf);
    form.set('file', new Blob([Buffer.alloc(64 * 1024 * 1024 + 1, 'a')], { type: 'text/csv' }), 'huge.csv');
    const res = await fetch(`${h.url}/console/t/${t}/imports`, { method: 'POST', headers: { cookie }, body: form, redirect: 'manual' });
    expect(res.status).toBe(413);
    const html = await res.text();
    expect(html).toContain('An import is at most 64 MB');
    expect(html).toContain('body_too_large');
    expect(await h.services.db.models.imports.countDocuments({})).toBe(0);
  });

  it('uploads a CSV of 20 rows: a dry run changes nothing; the import page follows the run to completion and shows each row as the database has it', async () => {
    const page = admin;
    const { models } = h.services.db;
    const expected: Expected[] = [];
    const lines = ['email,name,roles'];
    for (let i = 1; i <= 16; i++) {
      lines.push(`person${i}@adm.test,Person ${i},member`);
      expected.push({ email: `person${i}@adm.test`, outcome: 'created', reason: null });
    }
    lines.push('not-an-email,Nobody,member');
    expected.push({ email: 'not-an-email', outcome: 'failed', reason: 'email_invalid' });
    lines.push('person1@adm.test,Person 1 again,member');
    expected.push({ email: 'person1@adm.test', outcome: 'failed', reason: 'duplicate_row' });
    lines.push('wiz@adm.test,Wiz,wizard');
    expected.push({ email: 'wiz@adm.test', outcome: 'failed', reason: 'unknown_role' });
    lines.push('far@elsewhere.test,Far,member');
    expected.push({ email: 'far@elsewhere.test', outcome: 'skipped', reason: 'domain_not_verified' });
    const csv = Buffer.from(`${lines.join('\n')}\n`);

    await page.goto(`${h.url}/console/t/${t}/imports`);
    await page.setInputFiles('input[name=file]', { name: 'people.csv', mimeType: 'text/csv', buffer: csv });
    await page.check('input[name=dryRun]');
    expect(await submit(page, () => page.click('button:text("Upload")'))).toBe(200);
    expect(await page.locator('.flash').innerText()).toContain('20 rows read; nothing was changed');
    expect(await page.locator('td[data-outcome=created]').innerText()).toBe('16');
    await shot(page, 'import-dry-run');
    expect(await models.users.countDocuments({ email: /^person\d+@adm\.test$/ })).toBe(0);
    expect(await models.imports.countDocuments({})).toBe(0);

    await page.goto(`${h.url}/console/t/${t}/imports`);
    await page.setInputFiles('input[name=file]', { name: 'people.csv', mimeType: 'text/csv', buffer: csv });
    await submit(page, () => page.click('button:text("Upload")'));
    expect(page.url()).toMatch(new RegExp(`/console/t/${t}/imports/imp_[0-9a-f]{24}$`));
    expect(await page.locator('.flash').innerText()).toContain('Import of people.csv started: 20 rows');
    // The page reloads itself until the run is done (no JavaScript).
    await page.waitForSelector('[data-import-status=done]', { timeout: 90_000 });
    expect(await page.locator('meta[http-equiv=refresh]').count()).toBe(0);
    expect(await page.locator('[data-progress]').innerText()).toBe('20 of 20');
    expect(await page.locator('td[data-outcome=created]').innerText()).toBe('16');
    expect(await page.locator('td[data-outcome=failed]').innerText()).toBe('3');
    expect(await page.locator('td[data-outcome=skipped]').innerText()).toBe('1');
    await shot(page, 'import');

    const shown = await page.locator('tbody tr[data-row]').evaluateAll((rows) =>
      rows.map((r) => ({
        n: Number(r.getAttribute('data-row')),
        email: r.querySelector('th')?.textContent ?? '',
        outcome: r.getAttribute('data-outcome') ?? '',
        reason: r.querySelector('td:nth-of-type(3) code')?.textContent ?? null,
      })),
    );
    expect(shown.map((r) => r.n)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(shown.map(({ email, outcome, reason }) => ({ email, outcome, reason }))).toEqual(expected);
    // What each row says is what the database holds.
    for (const row of expected) {
      const u = await models.users.findOne({ email: row.email }).lean();
      if (row.outcome === 'created') {
        expect(u, row.email).not.toBeNull();
        expect(await models.memberships.countDocuments({ userId: u?._id, tenantId: conn.tenantId }), row.email).toBe(1);
      } else if (row.reason !== 'duplicate_row') {
        expect(u, row.email).toBeNull();
      }
    }
    expect(await models.users.countDocuments({ email: /^person\d+@adm\.test$/ })).toBe(16);

    // Every row's result as a CSV download.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('a:text("Download every row\'s result (CSV)")')]);
    const stream = await download.createReadStream();
    const chunks: Buffer[] = [];
    for await (const c of stream) chunks.push(c as Buffer);
    const downloaded = Buffer.concat(chunks).toString('utf8').trim().split('\n');
    expect(downloaded[0]).toBe('row,email,outcome,reason,detail,userId');
    expect(downloaded).toHaveLength(21);
    expect(downloaded[17]).toMatch(/^17,not-an-email,failed,email_invalid,/);

    // Its rows page: five at a time, the next page goes on from row 6.
    await page.goto(`${page.url()}?limit=5`);
    expect(await page.locator('tbody tr[data-row]').count()).toBe(5);
    await submit(page, () => page.click('a[rel=next]'));
    expect(await page.locator('tbody tr[data-row]').first().getAttribute('data-row')).toBe('6');

    const firstImport = page.url().replace(/\?.*$/, '').split('/').pop() ?? '';

    // A second import; the list shows both, newest first, a page at a time.
    await page.goto(`${h.url}/console/t/${t}/imports`);
    await page.setInputFiles('input[name=file]', { name: 'one.csv', mimeType: 'text/csv', buffer: Buffer.from('email,name\nsolo@adm.test,Solo\n') });
    await submit(page, () => page.click('button:text("Upload")'));
    const secondImport = page.url().split('/').pop() ?? '';
    await page.waitForSelector('[data-import-status=done]', { timeout: 90_000 });
    await page.goto(`${h.url}/console/t/${t}/imports`);
    expect(await page.locator('tbody tr[data-import]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-import')))).toEqual([
      secondImport,
      firstImport,
    ]);
    expect(await page.locator(`tr[data-import="${firstImport}"]`).innerText()).toContain('completed');
    await shot(page, 'imports');
    await page.goto(`${h.url}/console/t/${t}/imports?limit=1`);
    expect(await page.locator('tbody tr[data-import]').getAttribute('data-import')).toBe(secondImport);
    await submit(page, () => page.click('a[rel=next]'));
    expect(await page.locator('tbody tr[data-import]').getAttribute('data-import')).toBe(firstImport);
    expect(await page.locator('a[rel=next]').count()).toBe(0);
  });

  it('creates a group with roles, sets its roles, and shows refusals (owner by a non-owner, an unknown role) as readable pages', async () => {
    const page = admin;
    const { models } = h.services.db;
    await page.goto(`${h.url}/console/t/${t}/groups`);
    expect(await page.locator('tr[data-group=admins] [data-roles]').innerText()).toBe('admin');
    await page.fill('input[name=name]', 'Engineering');
    await page.check('#new-member');
    await submit(page, () => page.click('button:text("Create group")'));
    expect(await page.locator('.flash').innerText()).toContain('Group Engineering created, granting member');
    const row = page.locator('tr[data-group=Engineering]');
    expect(await row.locator('[data-roles]').innerText()).toBe('member');
    await shot(page, 'groups');

    await row.locator('input[value=admin]').check();
    await submit(page, () => row.locator('button', { hasText: 'Save roles' }).click());
    expect(await page.locator('.flash').innerText()).toContain('Group Engineering now grants admin, member');
    expect((await models.groups.findOne({ name: 'Engineering' }).lean())?.roles).toEqual(['admin', 'member']);
    const audited = await models.auditEvents.findOne({ action: 'group.roles_updated', 'target.id': 'Engineering' }).lean();
    expect(audited?.after).toEqual({ roles: ['admin', 'member'] });

    // Alice is an admin, not an owner: the owner role is not hers to give.
    await page.locator('tr[data-group=Engineering] input[value=owner]').check();
    expect(await submit(page, () => page.locator('tr[data-group=Engineering] button', { hasText: 'Save roles' }).click())).toBe(403);
    expect(await page.locator('[role=alert]').innerText()).toContain('Error code: forbidden (HTTP 403)');
    await shot(page, 'group-refused');
    expect((await models.groups.findOne({ name: 'Engineering' }).lean())?.roles).toEqual(['admin', 'member']);

    // A role the tenant does not have (a hand-made form): 400, named.
    await page.goto(`${h.url}/console/t/${t}/groups`);
    const csrf = (await page.locator('input[name=_csrf]').first().getAttribute('value')) ?? '';
    const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    const res = await fetch(`${h.url}/console/t/${t}/groups/Engineering/roles`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams([
        ['_csrf', csrf],
        ['roles', 'wizard'],
      ]).toString(),
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('validation_failed');
    expect((await models.groups.findOne({ name: 'Engineering' }).lean())?.roles).toEqual(['admin', 'member']);

    // A name taken: 409.
    await page.fill('input[name=name]', 'Engineering');
    expect(await submit(page, () => page.click('button:text("Create group")'))).toBe(409);
    expect(await page.locator('[role=alert]').innerText()).toContain('group_exists');
  });

  it('creates a webhook endpoint (its secret shown once), rotates the secret, and deliveries are signed with the new one only', async () => {
    const hooks = await startReceiver([]);
    receiver = hooks;
    const page = admin;
    const { models } = h.services.db;
    await page.goto(`${h.url}/console/t/${t}/webhooks`);
    await page.fill('input[name=url]', hooks.url);
    await page.fill('input[name=types]', 'no-such-type');
    expect(await submit(page, () => page.click('button:text("Create endpoint")'))).toBe(400);
    expect(await page.locator('[role=alert]').innerText()).toContain('validation_failed');
    expect(await models.webhookEndpoints.countDocuments({})).toBe(0);

    await page.goto(`${h.url}/console/t/${t}/webhooks`);
    await page.fill('input[name=url]', hooks.url);
    await page.fill('input[name=description]', 'host app');
    expect(await submit(page, () => page.click('button:text("Create endpoint")'))).toBe(201);
    const first = await page.locator('[data-webhook=secret]').innerText();
    expect(first).toMatch(/^whsec_/);
    await shot(page, 'webhook-created');
    const endpoint = await models.webhookEndpoints.findOne({ tenantId: conn.tenantId }).lean();
    expect(endpoint?.url).toBe(hooks.url);

    await submit(page, () => page.click('a:text("Go to the endpoint")'));
    expect(await page.content()).not.toContain(first);
    await page.selectOption('select[name=overlapSeconds]', '0');
    expect(await submit(page, () => page.click('button:text("Rotate secret")'))).toBe(200);
    const second = await page.locator('[data-webhook=secret]').innerText();
    expect(second).toMatch(/^whsec_/);
    expect(second).not.toBe(first);
    await shot(page, 'webhook-secret-rotated');
    expect((await models.webhookEndpoints.findById(endpoint?._id).lean())?.secrets).toHaveLength(1);
    expect(await models.auditEvents.countDocuments({ action: 'webhook.secret_rotated', 'target.id': endpoint?._id })).toBe(1);

    // Something happens; it arrives signed with the new secret (the receiver knows only that one).
    hooks.state.secrets.push(second);
    const rotatedAt = Date.now();
    expect((await samlSignIn(conn, idp, user('wendy', 'adm.test'))).status).toBe(303);
    await expect.poll(() => hooks.received.filter((r) => r.at >= rotatedAt && r.verifiedBy.includes(0)).length, { timeout: 30_000 }).toBeGreaterThan(0);
    expect(hooks.received.every((r) => r.verifiedBy.includes(0))).toBe(true);
    await page.goto(`${h.url}/console/t/${t}/webhooks/${endpoint?._id}`);
    expect(await page.content()).not.toContain(second);
  });

  it('removes a domain', async () => {
    const page = admin;
    const { models } = h.services.db;
    await page.goto(`${h.url}/console/t/${t}/domains`);
    expect(await models.verifiedDomains.countDocuments({ _id: 'old.test' })).toBe(1);
    await submit(page, () => page.locator('tr[data-domain="old.test"] button', { hasText: 'Remove' }).click());
    expect(await page.locator('.flash').innerText()).toContain('Domain old.test removed');
    expect(await page.locator('tr[data-domain="old.test"]').count()).toBe(0);
    expect(await page.locator('tr[data-domain="adm.test"]').count()).toBe(1);
    expect(await models.verifiedDomains.countDocuments({ _id: 'old.test' })).toBe(0);
    expect(await models.auditEvents.countDocuments({ action: 'domain.removed', 'target.id': 'old.test' })).toBe(1);
    await shot(page, 'domain-removed');
    // Removing it again: a readable 404.
    const csrf = (await page.locator('input[name=_csrf]').first().getAttribute('value')) ?? '';
    const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    const again = await fetch(`${h.url}/console/t/${t}/domains/old.test/remove`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf }).toString(),
    });
    expect(again.status).toBe(404);
    expect(await again.text()).toContain('not_found');
  });

  it("rotates a directory's token: the new one (shown once) works against SCIM, the old one is refused 401", async () => {
    const created = await h.admin('POST', `/tenants/${t}/directories`, { name: 'Okta' });
    expect(created.status).toBe(201);
    const dir = created.body as unknown as { id: string; baseUrl: string; token: string };
    expect((await scimClient(dir.baseUrl, dir.token).call('GET', '/Users')).status).toBe(200);

    const page = admin;
    await page.goto(`${h.url}/console/t/${t}/directories/${dir.id}`);
    await page.selectOption('select[name=overlapSeconds]', '0');
    expect(await submit(page, () => page.click('button:text("Rotate token")'))).toBe(201);
    const token = await page.locator('[data-scim=token]').innerText();
    expect(token).not.toBe(dir.token);
    await shot(page, 'directory-token-rotated');
    expect((await scimClient(dir.baseUrl, token).call('GET', '/Users')).status).toBe(200);
    expect((await scimClient(dir.baseUrl, dir.token).call('GET', '/Users')).status).toBe(401);
    expect(await h.services.db.models.auditEvents.countDocuments({ action: 'directory.token_rotated' })).toBe(1);
    await submit(page, () => page.click('a:text("Go to the directory")'));
    expect(await page.content()).not.toContain(token);
  });

  it.skipIf(!TEMPORAL_UI)("follows a member's run from their page into the Temporal UI, which shows the workflow", async () => {
    const page = admin;
    const { models } = h.services.db;
    const aliceId = String((await models.users.findOne({ email: alice.email }).lean())?._id);
    const run = await models.auditEvents.findOne({ userId: aliceId, runId: { $ne: null } }).lean();
    expect(run?.workflowId).toBeTruthy();
    await page.goto(`${h.url}/console/t/${t}/members/${aliceId}`);
    const link = page.locator(`li[data-run="${run?.runId}"] a`).first();
    expect(await link.getAttribute('href')).toContain(`${TEMPORAL_UI}/namespaces/`);
    await Promise.all([page.waitForURL((u) => u.href.startsWith(TEMPORAL_UI ?? '-')), link.click()]);
    await expect.poll(async () => page.locator('body').innerText(), { timeout: 60_000 }).toContain(run?.workflowId ?? '-');
    await shot(page, 'temporal-ui-run');
  });
});
