import type { Server } from 'node:http';
import { mkdir } from 'node:fs/promises';
import { Types } from 'mongoose';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoIdpServer } from '../../src/demo/idpServer';
import { createSamlIdp } from '../../src/demo/samlIdp';
import { consoleSignIn, launchChromium } from '../support/chromium';
import { freePort } from '../../src/devservices/ports';
import { signInWorkflowId } from '../../src/runs/signInClient';
import { samlSignIn, startHarness, user, type Harness, type SamlConnectionInfo } from '../support/harness';
import { waitForSignInRuns } from '../support/temporal';
import { membershipKey } from '../../src/store/models/membership';
import { decodeCursor, type DocId } from '../../src/library/pagination';
import type { MemberFilter } from '../../src/library/members';
import { backfillMemberSearch } from '../../src/store/memberSearch';

const SCREENSHOT_DIR = 'test-results';
const TEMPORAL_UI = 'http://temporal-ui.test:8233';
/** Members seeded straight into the store besides those who sign in. */
const SEEDED = 1000;

/** A tenant admin signs in to the console through their IdP's login page in headless Chromium and approves a newcomer. */
describe('admin console in a real browser', () => {
  let h: Harness;
  let conn: SamlConnectionInfo;
  let idpServer: Server;
  let browser: Browser;
  const t = 'console';
  const alice = user('alice', 'console.test');
  const bob = user('bob', 'console.test');
  const carol = user('carol', 'console.test');
  const max = user('max', 'console.test');
  let maxCookie = '';
  let carolId = '';
  /** Alice's signed-in page, shared by the tests after the first. */
  let admin: Page;
  const shot = (page: Page, name: string) => page.screenshot({ path: `${SCREENSHOT_DIR}/console-${name}.png`, fullPage: true });
  /** Click a submit button and wait for the page its form leads to. */
  const submit = async (page: Page, click: () => Promise<void>) => {
    await Promise.all([page.waitForNavigation(), click()]);
  };

  beforeAll(async () => {
    h = await startHarness({ env: { TEMPORAL_UI_URL: TEMPORAL_UI } });
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
    // Carol and Max are plain members (Carol's sign-in run is on her page); a thousand more are seeded.
    expect((await samlSignIn(conn, idp, carol)).status).toBe(303);
    const maxSignIn = await samlSignIn(conn, idp, max);
    expect(maxSignIn.status).toBe(303);
    maxCookie = maxSignIn.cookie ?? '';
    await waitForSignInRuns(h.services.client, conn.id, carol.nameId);
    await waitForSignInRuns(h.services.client, conn.id, max.nameId);
    carolId = String((await h.services.db.models.users.findOne({ email: carol.email }).lean())?._id);
    const { models } = h.services.db;
    const seeded = Array.from({ length: SEEDED }, (_, i) => ({
      _id: new Types.ObjectId(),
      email: `seeded${String(i).padStart(4, '0')}@console.test`,
      name: `Seeded ${i}`,
    }));
    await models.users.insertMany(seeded);
    await models.memberships.insertMany(
      seeded.map((u, i) => ({
        _id: membershipKey(conn.tenantId, String(u._id)),
        tenantId: conn.tenantId,
        userId: u._id,
        roles: ['member'],
        status: i % 10 === 0 ? 'suspended' : 'active',
      })),
    );
    // Seeded as before the member search's documents existed: the backfill gives them theirs.
    expect((await backfillMemberSearch(models, { restart: true, batch: 2000 })).done).toBe(true);
    await h.admin('PUT', `/tenants/${t}/approval-policy`, { when: ['new-accounts'] });
    const pending = await samlSignIn(conn, idp, { ...bob, name: 'Bob <script>alert(1)</script>' });
    expect(pending.status).toBe(202);

    browser = await launchChromium();
  });
  afterAll(async () => {
    await admin?.close();
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
    await consoleSignIn(page, h.url, t, { email: alice.email, name: 'Alice' });

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
    admin = page;
  });

  it('navigates by the layout, pages through members and finds Carol among a thousand by a prefix; her page shows roles with sources and links her runs', async () => {
    const page = admin;
    await page.click('nav >> text=Members');
    await page.waitForURL(`${h.url}/console/t/${t}/members`);
    expect(await page.locator('nav a[aria-current=page]').innerText()).toBe('Members');
    expect(await page.locator('tbody tr[data-member]').count()).toBe(50);
    await shot(page, 'members');
    // Paging: the next page holds other members.
    const first = await page.locator('tbody tr[data-member]').first().getAttribute('data-member');
    await submit(page, () => page.click('a[rel=next]'));
    expect(page.url()).toContain('cursor=');
    expect(await page.locator('tbody tr[data-member]').count()).toBe(50);
    expect(await page.locator(`tr[data-member="${first}"]`).count()).toBe(0);
    // Filters: suspended only.
    await page.goto(`${h.url}/console/t/${t}/members?status=suspended&limit=200`);
    const suspended = page.locator('tbody tr[data-member]');
    expect(await suspended.count()).toBe(SEEDED / 10);
    expect(await suspended.locator('td', { hasText: 'active' }).count()).toBe(0);

    await page.goto(`${h.url}/console/t/${t}/members`);
    await page.fill('input[name=q]', 'CAROL');
    await submit(page, () => page.click('button:text("Search")'));
    const rows = page.locator('tbody tr[data-member]');
    expect(await rows.count()).toBe(1);
    expect(await rows.first().getAttribute('data-member')).toBe(carolId);
    await shot(page, 'members-search');
    // By role: Alice is admin through her group.
    await page.goto(`${h.url}/console/t/${t}/members?role=admin`);
    expect(await page.locator('tbody tr[data-member]').allInnerTexts()).toEqual([expect.stringContaining(alice.email)]);
    await page.goto(`${h.url}/console/t/${t}/members?group=admins&status=active`);
    expect(await page.locator('tbody tr[data-member]').allInnerTexts()).toEqual([expect.stringContaining(alice.email)]);

    await page.goto(`${h.url}/console/t/${t}/members?q=carol`);
    await submit(page, () => page.click(`tr[data-member="${carolId}"] th a`));
    expect(page.url()).toBe(`${h.url}/console/t/${t}/members/${carolId}`);
    expect(await page.locator('h2').allInnerTexts()).toEqual(['Roles', 'Groups', 'Identities', 'Memberships', 'Recent runs', 'Recent audit events']);
    expect(await page.locator('table', { hasText: 'Subject' }).innerText()).toContain(carol.nameId);
    const run = await h.services.db.models.auditEvents.findOne({ userId: carolId, runId: { $ne: null } }).lean();
    expect(run?.runId).toBeTruthy();
    const link = page.locator(`li[data-run="${run?.runId}"] a`);
    expect(await link.getAttribute('href')).toBe(
      `${TEMPORAL_UI}/namespaces/${encodeURIComponent(h.config.temporal.namespace)}/workflows/${encodeURIComponent(run?.workflowId ?? '')}/${run?.runId}/history`,
    );
    await shot(page, 'member');

    // Suspend from her page: the lifecycle run does it, and the page says so.
    await submit(page, () => page.click('button:text("Suspend")'));
    expect(page.url()).toBe(`${h.url}/console/t/${t}/members/${carolId}`);
    expect(await page.locator('.flash').innerText()).toContain('suspended');
    expect((await h.services.db.models.memberships.findById(membershipKey(conn.tenantId, carolId)).lean())?.status).toBe('suspended');
  });

  it('a search reads only its matches: every match found once, in full pages; combined filters stop at their share and the cursor continues', async () => {
    const { members } = h.services.libraries;
    const tenantId = new Types.ObjectId(conn.tenantId);
    const pagesOf = async (filter: MemberFilter, limit: number, scanMax?: number) => {
      const pages: Array<{ rows: string[]; cursor: string | null }> = [];
      let cursor: string | null = null;
      do {
        const after: DocId | null = cursor === null ? null : decodeCursor('key', cursor);
        const { data, nextCursor } = await members.searchForTenant(tenantId, filter, limit, after, scanMax);
        pages.push({ rows: data.map((m) => m.email ?? ''), cursor: nextCursor });
        cursor = nextCursor;
      } while (cursor !== null && pages.length < 50);
      return pages;
    };
    const byPrefix = await pagesOf({ q: 'seeded099' }, 5);
    expect(byPrefix.flatMap((p) => p.rows).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `seeded099${i}@console.test`));
    expect(byPrefix.map((p) => p.rows.length)).toEqual([5, 5]);
    // A prefix and a status: the prefix's candidates are checked for the status, at most 20 a page.
    const combined = await pagesOf({ q: 'seeded00', status: 'suspended' }, 5, 20);
    expect(combined.flatMap((p) => p.rows).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `seeded00${i}0@console.test`));
    expect(combined.some((p) => p.rows.length < 5 && p.cursor !== null)).toBe(true);
  });

  it('filters the audit log by action, member and date', async () => {
    const page = admin;
    const { models } = h.services.db;
    const suspension = await models.auditEvents.findOne({ userId: carolId, action: /suspend/ }).lean();
    expect(suspension).not.toBeNull();
    await page.click('nav >> text=Audit log');
    await page.waitForURL(`${h.url}/console/t/${t}/audit`);
    await shot(page, 'audit');
    const today = new Date().toISOString().slice(0, 10);
    await page.fill('input[name=action]', suspension?.action ?? '');
    await page.fill('input[name=user]', carol.email);
    await page.fill('input[name=from]', today);
    await page.fill('input[name=to]', today);
    await submit(page, () => page.click('button:text("Filter")'));
    const rows = page.locator('tbody tr[data-event]');
    expect(await rows.count()).toBe(1);
    expect(await rows.first().getAttribute('data-event')).toBe(String(suspension?._id));
    await shot(page, 'audit-filtered');
    expect(page.url()).toContain(`user=${encodeURIComponent(carol.email)}`);
    await page.goto(`${h.url}/console/t/${t}/audit?user=${carolId}&action=${suspension?.action ?? ''}`);
    expect(await page.locator('tbody tr[data-event]').count()).toBe(1);
    await page.goto(`${h.url}/console/t/${t}/audit?user=${encodeURIComponent('nobody@elsewhere.test')}`);
    expect(await page.locator('main').innerText()).toContain('No member of this organization has that email');
    // A day with nothing in it.
    await page.goto(`${h.url}/console/t/${t}/audit?action=${suspension?.action ?? ''}&from=2001-01-01&to=2001-01-02`);
    expect(await page.locator('main').innerText()).toContain('No audit events match');
  });

  it('invites someone from the invitations page and revokes the invitation', async () => {
    const page = admin;
    await page.click('nav >> text=Invitations');
    await page.waitForURL(`${h.url}/console/t/${t}/invitations`);
    await page.fill('input[name=email]', 'dora@console.test');
    await submit(page, () => page.click('button:text("Send invitation")'));
    expect(await page.locator('.flash').innerText()).toContain('Invitation sent to dora@console.test');
    const { models } = h.services.db;
    const inv = await models.invitations.findOne({ email: 'dora@console.test' }).lean();
    const row = page.locator(`tr[data-invitation="${inv?._id}"]`);
    expect(await row.innerText()).toContain('pending');
    await shot(page, 'invitations');
    await submit(page, () => row.locator('button:text("Revoke")').click());
    expect(await page.locator('.flash').innerText()).toContain('revoked');
    expect((await models.invitations.findById(inv?._id).lean())?.status).toBe('revoked');
    expect(await models.auditEvents.countDocuments({ action: 'invitation.revoked', 'target.id': inv?._id })).toBe(1);
    await page.goto(`${h.url}/console/t/${t}/invitations?status=revoked`);
    expect(await page.locator('tbody tr[data-invitation]').count()).toBe(1);
    await page.goto(`${h.url}/console/t/${t}/invitations?status=pending`);
    expect(await page.locator('tbody tr[data-invitation]').count()).toBe(0);
  });

  it('refuses a console POST without the CSRF token: nothing changes', async () => {
    const { models } = h.services.db;
    const created = await h.admin('POST', `/tenants/${t}/invitations`, { email: 'erin@console.test' });
    expect(created.status).toBe(201);
    const id = String((created.body as unknown as { invitation: { id: string } }).invitation.id);
    const cookie = (await admin.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    const post = (path: string, form: Record<string, string>) =>
      fetch(`${h.url}${path}`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form).toString(),
      });
    for (const path of [`/console/t/${t}/invitations/${id}/revoke`, `/console/t/${t}/invitations/${id}/resend`, `/console/t/${t}/members/${carolId}/remove`]) {
      const res = await post(path, {});
      expect(res.status).toBe(403);
      expect(await res.text()).toContain('csrf_failed');
    }
    expect((await models.invitations.findById(id).lean())?.status).toBe('pending');
    expect(await models.auditEvents.countDocuments({ 'target.id': id, action: { $ne: 'invitation.created' } })).toBe(0);
    expect(await models.memberships.countDocuments({ _id: membershipKey(conn.tenantId, carolId) })).toBe(1);
  });

  it('a member without the admin role is refused every console page (403, audited)', async () => {
    const context = await browser.newContext();
    const [name, ...rest] = maxCookie.split('=');
    await context.addCookies([{ name: name ?? '', value: rest.join('='), url: h.url }]);
    const page = await context.newPage();
    const { models } = h.services.db;
    const before = await models.auditEvents.countDocuments({ action: 'console.access_denied' });
    const paths = ['members', `members/${carolId}`, 'approvals', 'invitations', 'audit?action=member.suspended'];
    for (const path of paths) {
      const res = await page.goto(`${h.url}/console/t/${t}/${path}`);
      expect(res?.status()).toBe(403);
      expect(await page.locator('body').innerText()).toContain('not an administrator');
    }
    await shot(page, 'forbidden');
    expect(await models.auditEvents.countDocuments({ action: 'console.access_denied' })).toBe(before + paths.length);
    // The start page lists no organization for them.
    await page.goto(`${h.url}/console`);
    expect(await page.locator('main').innerText()).toContain('not an administrator of any organization');
    await context.close();
  });

  it('the operator signs in with the admin token, sees the tenants (paged) and enters one', async () => {
    await h.createTenant('console-two');
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${h.url}/console`);
    await page.click('summary');
    await page.fill('input[name=token]', h.adminToken);
    await submit(page, () => page.click('button:text("Sign in")'));
    await page.goto(`${h.url}/console?limit=1`);
    expect(await page.locator('tbody tr[data-tenant]').count()).toBe(1);
    await submit(page, () => page.click('a[rel=next]'));
    expect(await page.locator('tbody tr[data-tenant]').count()).toBe(1);
    await page.goto(`${h.url}/console`);
    expect(await page.locator('tbody tr[data-tenant]').count()).toBe(2);
    await shot(page, 'operator');
    await page.goto(`${h.url}/console`);
    await submit(page, () => page.click(`tr[data-tenant="${t}"] th a`));
    expect(page.url()).toBe(`${h.url}/console/t/${t}/members`);
    expect(await page.locator('tbody tr[data-member]').count()).toBe(50);
    await context.close();
  });
});
