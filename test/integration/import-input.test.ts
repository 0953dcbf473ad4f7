import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness';
import { importDone, importResults, peopleCsv, postImport } from '../support/imports';

/**
 * What an import does with the input it is sent: files whose lines end
 * differently from their header, files without rows, keys as a header or a
 * query, the same key with another file, a chunk that fails for good and the
 * file sent again to resume it. Each refusal: its status, its code, nothing
 * written.
 */
describe('import input', () => {
  let h: Harness;
  const models = () => h.services.db.models;
  let tenantId = '';
  /** What an import writes: accounts, memberships, grants, audits, imports and their chunks. */
  const written = async () => ({
    users: await models().users.countDocuments({}),
    memberships: await models().memberships.countDocuments({}),
    grants: await models().grants.countDocuments({}),
    audits: await models().auditEvents.countDocuments({}),
    imports: await models().imports.countDocuments({}),
    chunks: await models().importChunks.countDocuments({}),
  });

  beforeAll(async () => {
    h = await startHarness();
    tenantId = (await h.createTenant('input-co', { enabled: false, defaultRoles: ['member'] })).id;
    expect((await h.admin('PUT', '/tenants/input-co/domains', { domains: [{ domain: 'input.test', verified: true }] })).status).toBe(200);
    expect((await h.admin('POST', '/tenants/input-co/groups', { name: 'Staff', roles: [] })).status).toBe(201);
  });
  afterAll(async () => h?.close());

  /** Three people whose last column is a group: a merged row or a stray CR would show as a lost row or `unknown_group`. */
  const shapes: Array<[string, (p: string) => string]> = [
    ['header CRLF, rows LF', (p) => `Email,Name,Groups\r\n${p}1@input.test,One,Staff\n${p}2@input.test,Two,Staff\n${p}3@input.test,Three,Staff\n`],
    ['header LF, rows CRLF', (p) => `Email,Name,Groups\n${p}1@input.test,One,Staff\r\n${p}2@input.test,Two,Staff\r\n${p}3@input.test,Three,Staff\r\n`],
    ['lone CR throughout', (p) => `Email,Name,Groups\r${p}1@input.test,One,Staff\r${p}2@input.test,Two,Staff\r${p}3@input.test,Three,Staff`],
    [
      'CRLF, LF and CR mixed, a quoted value across lines',
      (p) => `Email,Name,Groups\r\n${p}1@input.test,One,Staff\r${p}2@input.test,"Two\r\nLines",Staff\n${p}3@input.test,Three,Staff\r\n`,
    ],
  ];
  it.each(shapes)('%s: every row imported on its own, with its group (no merged rows, no bogus errors)', async (_shape, fileOf) => {
    const prefix = `le${shapes.findIndex(([s]) => s === _shape)}-`;
    const res = await postImport(h, 'input-co', fileOf(prefix), { query: `key=${prefix}file` });
    expect(res.status).toBe(202);
    expect(res.body.import?.rows).toBe(3);
    const id = res.body.import?.id ?? '';
    expect((await importDone(h, 'input-co', id)).counts).toEqual({ created: 3, linked: 0, unchanged: 0, pending: 0, skipped: 0, failed: 0 });
    const rows = await importResults(h, 'input-co', id);
    expect(rows.map((r) => [r.row, r.email, r.outcome, r.reason])).toEqual([1, 2, 3].map((n) => [String(n), `${prefix}${n}@input.test`, 'created', '']));
    for (const n of [1, 2, 3]) {
      const user = await models()
        .users.findOne({ email: `${prefix}${n}@input.test` })
        .lean();
      expect(await models().grants.countDocuments({ userId: user?._id, value: 'Staff' })).toBe(1);
    }
  });

  it('an empty file, blank lines only, a header only (CSV, or an Entra version line and header) and empty JSON lines: 400 import_empty, no import started', async () => {
    const before = await written();
    const cases: Array<[string, string, string]> = [
      ['', 'text/csv', 'The file is empty; nothing to import.'],
      ['\r\n\n\r', 'text/csv', 'The file is empty; nothing to import.'],
      ['Email,Name,Groups\r\n', 'text/csv', 'The file has a header row but no rows; nothing to import.'],
      [
        'version:v1.0\r\nName [displayName] Required,User name [userPrincipalName] Required\r\n',
        'text/csv',
        'The file has a header row but no rows; nothing to import.',
      ],
      ['\n\n', 'application/x-ndjson', 'The file is empty; nothing to import.'],
    ];
    for (const [i, [file, type, message]] of cases.entries()) {
      const res = await postImport(h, 'input-co', file, { type, query: `key=empty-${i}` });
      expect(res.status, JSON.stringify(file)).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'import_empty', message });
      // The dry run says the same.
      expect((await postImport(h, 'input-co', file, { type, query: 'dryRun=true' })).body.error?.code).toBe('import_empty');
    }
    expect(await written()).toEqual(before);
  });

  it("a CSV the reader cannot follow: 400 import_malformed naming the row in the product's words, never quoting the file; nothing written", async () => {
    const before = await written();
    const file = 'Email,Name\r\nfine@input.test,Fine\r\n"secret-value@input.test,<!ENTITY xxe> Unclosed\r\n';
    const res = await postImport(h, 'input-co', file, { query: 'key=broken' });
    expect(res.status).toBe(400);
    expect(res.body.error?.code).toBe('import_malformed');
    expect(res.body.error?.message).toBe('The CSV cannot be read at row 2 (line 3 of the file): a quoted value is never closed. Nothing was imported.');
    expect(res.body.error?.message).not.toMatch(/secret|ENTITY|Unclosed|Quote Not Closed/i);
    const stray = await postImport(h, 'input-co', 'Email,Name\r\n"a@input.test"x,Bad\r\n', { query: 'key=broken-2' });
    expect(stray.body.error?.message).toMatch(/^The CSV cannot be read at row 1 \(line 2 of the file\): a quote is followed by text/);
    expect(await written()).toEqual(before);
  });

  it('the Idempotency-Key header is checked by the same rule as ?key=: too long, a tab, non-ASCII → 400, nothing started; a good one is the import key', async () => {
    const before = await written();
    const bad = ['k'.repeat(10_000), 'tab\there', Buffer.from('clé-ключ', 'utf8').toString('latin1'), 'sp ace'];
    for (const key of bad) {
      const asHeader = await postImport(h, 'input-co', peopleCsv('input.test', 900, 2), { headers: { 'idempotency-key': key } });
      expect(asHeader.status, key.slice(0, 20)).toBe(400);
      expect(asHeader.body.error).toMatchObject({ code: 'validation_failed', message: 'Idempotency-Key: must be 1 to 255 visible ASCII characters' });
      const asQuery = await postImport(h, 'input-co', peopleCsv('input.test', 900, 2), { query: `key=${encodeURIComponent(key)}` });
      expect(asQuery.status).toBe(400);
      expect(asQuery.body.error?.code).toBe('validation_failed');
      expect(asQuery.body.error?.message).toMatch(/must be 1 to 255 visible ASCII characters/);
    }
    const twoKeys = await postImport(h, 'input-co', peopleCsv('input.test', 900, 2), { query: 'key=one', headers: { 'idempotency-key': 'two' } });
    expect(twoKeys.status).toBe(400);
    expect(await written()).toEqual(before);

    const good = await postImport(h, 'input-co', peopleCsv('input.test', 900, 2), { headers: { 'idempotency-key': 'header-key-1' } });
    expect(good.status).toBe(202);
    expect(good.body.import?.key).toBe('header-key-1');
    await importDone(h, 'input-co', good.body.import?.id ?? '');
    // The same key as ?key= is the same import.
    const same = await postImport(h, 'input-co', peopleCsv('input.test', 900, 2), { query: 'key=header-key-1' });
    expect(same.status).toBe(200);
    expect(same.body.import?.id).toBe(good.body.import?.id);
  });

  it('the same key with another file: 409 import_key_reused naming the import, nothing written; with the same file: 200, the import as it is', async () => {
    const file = peopleCsv('input.test', 100, 5);
    const first = await postImport(h, 'input-co', file, { query: 'key=reused' });
    expect(first.status).toBe(202);
    const id = first.body.import?.id ?? '';
    await importDone(h, 'input-co', id);
    const before = await written();
    const other = await postImport(h, 'input-co', peopleCsv('input.test', 200, 5), { query: 'key=reused' });
    expect(other.status).toBe(409);
    expect(other.body.error?.code).toBe('import_key_reused');
    expect(other.body.error?.message).toContain(id);
    // The same rows with other line endings are other bytes: another file.
    expect((await postImport(h, 'input-co', file.replaceAll('\r\n', '\n'), { headers: { 'idempotency-key': 'reused' } })).status).toBe(409);
    expect(await written()).toEqual(before);
    expect(await models().users.countDocuments({ email: /^person20\d@/ })).toBe(0);

    const again = await postImport(h, 'input-co', file, { headers: { 'idempotency-key': 'reused' } });
    expect(again.status).toBe(200);
    expect(again.body.import).toMatchObject({ id, status: 'done', rows: 5, counts: { created: 5 } });
    expect(await written()).toEqual(before);
  });

  it('a chunk that fails for good ends the import failed with the reason; the same file under the same key resumes it: only the unfinished rows, nobody twice', async () => {
    const file = peopleCsv('input.test', 1000, 250, 'Staff');
    const res = await postImport(h, 'input-co', file, { query: 'key=fails' });
    expect(res.status).toBe(202);
    const id = res.body.import?.id ?? '';
    // The second chunk (rows 101–200) is gone before the run reaches it: the chunk is refused, not retried.
    const chunkId = `${id}:1`;
    expect((await models().importChunks.deleteOne({ _id: chunkId })).deletedCount).toBe(1);

    const failed = await importDone(h, 'input-co', id, 120_000, 'failed');
    expect(failed.failure).toEqual({
      reason: 'chunk_refused',
      chunk: 1,
      message:
        'Rows 101–200 were refused with an error that retrying cannot fix (ImportChunkMissing). Rows before them are done; send the same file with the same key again to resume.',
    });
    expect(failed).toMatchObject({ rows: 250, processed: 100, counts: { created: 100 } });
    expect(await models().auditEvents.countDocuments({ action: 'import.failed', 'target.id': id, reason: 'chunk_refused' })).toBe(1);
    expect(await models().memberships.countDocuments({ tenantId, roles: 'member' })).toBeGreaterThanOrEqual(100);
    const people = { email: /^person1\d{3}@input\.test$/ };
    expect(await models().users.countDocuments(people)).toBe(100);
    // Another file under the failed import's key: refused, the import stays failed and its chunks as they were.
    const chunksBefore = await models().importChunks.countDocuments({ importId: id });
    const other = await postImport(h, 'input-co', peopleCsv('input.test', 5000, 250, 'Staff'), { query: 'key=fails' });
    expect(other.status).toBe(409);
    expect(other.body.error?.code).toBe('import_key_reused');
    expect(await models().importChunks.countDocuments({ importId: id })).toBe(chunksBefore);
    expect((await h.admin('GET', `/tenants/input-co/imports/${id}`)).body).toMatchObject({ status: 'failed' });

    const resumed = await postImport(h, 'input-co', file, { query: 'key=fails' });
    expect(resumed.status).toBe(200);
    expect(resumed.body.import).toMatchObject({ id, status: 'running', failure: null });
    const done = await importDone(h, 'input-co', id);
    expect(done).toMatchObject({ rows: 250, processed: 250, counts: { created: 250, failed: 0, unchanged: 0 }, failure: null });
    const users = await models().users.find(people, { _id: 1 }).lean();
    expect(users).toHaveLength(250);
    const userIds = users.map((u) => u._id);
    expect(await models().memberships.countDocuments({ userId: { $in: userIds } })).toBe(250);
    expect(await models().grants.countDocuments({ userId: { $in: userIds }, value: 'Staff' })).toBe(250);
    for (const action of ['user.created', 'membership.created', 'group.granted']) {
      expect(await models().auditEvents.countDocuments({ action, userId: { $in: userIds } }), action).toBe(250);
    }
    expect(await models().auditEvents.countDocuments({ action: 'import.completed', 'target.id': id })).toBe(1);
    const rows = await importResults(h, 'input-co', id);
    expect(rows.map((r) => Number(r.row))).toEqual(Array.from({ length: 250 }, (_, i) => i + 1));
  });

  it('rows the link policy sends to approval: an approval request each, listed with the other approvals; approving one makes the membership, once; rejecting writes none', async () => {
    await h.createTenant('appr-a');
    const b = await h.createTenant('appr-b', { enabled: false, defaultRoles: ['member'] });
    expect((await h.admin('PUT', '/tenants/appr-a/domains', { domains: [{ domain: 'appr.test', verified: true }] })).status).toBe(200);
    const fromA = await postImport(h, 'appr-a', 'email,name\nann@appr.test,Ann\nbob@appr.test,Bob\n', { query: 'key=a' });
    expect((await importDone(h, 'appr-a', fromA.body.import?.id ?? '')).counts).toMatchObject({ created: 2 });
    // The domain moved to B (an acquisition), whose link policy asks an admin.
    expect((await h.admin('PUT', '/tenants/appr-a/domains', { domains: [] })).status).toBe(200);
    expect((await h.admin('PUT', '/tenants/appr-b/domains', { domains: [{ domain: 'appr.test', verified: true }] })).status).toBe(200);
    expect((await h.admin('PUT', '/tenants/appr-b/link-policy', { policy: 'approval', fallback: 'deny' })).status).toBe(200);
    expect((await h.admin('POST', '/tenants/appr-b/groups', { name: 'Staff', roles: [] })).status).toBe(201);
    const ann = await models().users.findOne({ email: 'ann@appr.test' }).lean();
    const bob = await models().users.findOne({ email: 'bob@appr.test' }).lean();

    const file = 'Email,Name,Groups\r\nann@appr.test,Ann,Staff\r\nbob@appr.test,Bob,Staff\r\ncy@appr.test,Cy,Staff\r\n';
    const res = await postImport(h, 'appr-b', file, { query: 'key=b' });
    expect(res.status).toBe(202);
    const id = res.body.import?.id ?? '';
    expect((await importDone(h, 'appr-b', id)).counts).toMatchObject({ created: 1, pending: 2 });

    type Approval = {
      id: string;
      kind: string;
      reason: string;
      email: string;
      connectionId: string;
      userId: string;
      planned: { via: string; roles: string[]; grants: string[] };
    };
    let listed: Approval[] = [];
    for (const until = Date.now() + 60_000; listed.length < 2 && Date.now() < until;) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      listed = (await h.admin('GET', '/tenants/appr-b/approvals')).body.data as unknown as Approval[];
    }
    const byEmail = Object.fromEntries(listed.map((a) => [a.email, a]));
    expect(Object.keys(byEmail).sort()).toEqual(['ann@appr.test', 'bob@appr.test']);
    expect(byEmail['ann@appr.test']).toMatchObject({
      kind: 'link',
      reason: 'policy_approval',
      connectionId: `import:${id}`,
      userId: String(ann?._id),
      planned: { via: 'link', roles: ['member'], grants: ['group:Staff'] },
    });
    // Nothing is written for them before a decision.
    expect(await models().memberships.countDocuments({ tenantId: b.id, userId: { $in: [ann?._id, bob?._id] } })).toBe(0);

    const annId = encodeURIComponent(byEmail['ann@appr.test']?.id ?? '');
    const bobId = encodeURIComponent(byEmail['bob@appr.test']?.id ?? '');
    expect(await h.admin('POST', `/tenants/appr-b/approvals/${annId}/approve`, {})).toMatchObject({ status: 200, body: { status: 'approved' } });
    expect((await h.admin('POST', `/tenants/appr-b/approvals/${annId}/approve`, {})).body.error?.code).toBe('approval_already_decided');
    expect(await h.admin('POST', `/tenants/appr-b/approvals/${bobId}/reject`, { reason: 'not ours' })).toMatchObject({
      status: 200,
      body: { status: 'rejected' },
    });

    for (const until = Date.now() + 60_000; (await models().approvalRequests.countDocuments({ tenantId: b.id, status: 'pending' })) > 0;) {
      if (Date.now() > until) throw new Error('the approval runs never closed their requests');
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const annMembership = await models().memberships.findOne({ tenantId: b.id, userId: ann?._id }).lean();
    expect(annMembership).toMatchObject({ status: 'active', roles: ['member'] });
    expect(await models().grants.countDocuments({ tenantId: b.id, userId: ann?._id, value: 'Staff' })).toBe(1);
    expect(await models().memberships.countDocuments({ tenantId: b.id, userId: bob?._id })).toBe(0);
    expect(await models().users.countDocuments({ email: /@appr\.test$/ })).toBe(3); // nobody twice
    expect((await h.admin('GET', '/tenants/appr-b/approvals')).body.data).toEqual([]);
    const audits = (action: string) => models().auditEvents.countDocuments({ tenantId: b.id, action });
    expect(await audits('approval.requested')).toBe(2);
    expect(await audits('approval.approved')).toBe(1);
    expect(await audits('approval.rejected')).toBe(1);
    expect(await models().auditEvents.countDocuments({ tenantId: b.id, action: 'membership.created', userId: ann?._id })).toBe(1);

    // The same file under the same key: the import as it is, nobody asked about twice.
    expect((await postImport(h, 'appr-b', file, { query: 'key=b' })).status).toBe(200);
    expect(await models().approvalRequests.countDocuments({ tenantId: b.id })).toBe(2);
  });
});
