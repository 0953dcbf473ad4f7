import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness';
import { importDone, importResults, peopleCsv, postImport } from '../support/imports';

/**
 * Tenant B imports 1,000 people, 300 of
 * whom already have accounts from tenant A. The link policy decides; the
 * dry run predicts exactly what the real run then does; importing again
 * changes nothing; malformed rows are reported and the rest succeed.
 */
describe('bulk import', () => {
  let h: Harness;
  const models = () => h.services.db.models;
  const tenantIdOf = async (slug: string) => String((await models().tenants.findOne({ slug }).lean())?._id);
  const file = [peopleCsv('acq.test', 0, 1000)].join('');

  beforeAll(async () => {
    h = await startHarness();
    await h.createTenant('acq-a');
    await h.createTenant('acq-b', { enabled: false, defaultRoles: ['member'] });
    // Tenant A held acq.test when its 300 people got accounts (imported as JSON lines); the domain then moved to B.
    expect((await h.admin('PUT', '/tenants/acq-a/domains', { domains: [{ domain: 'acq.test', verified: true }] })).status).toBe(200);
    const jsonl = Array.from({ length: 300 }, (_, i) => JSON.stringify({ email: `person${i * 3}@acq.test`, name: `Person ${i * 3}`, roles: ['member'] })).join(
      '\n',
    );
    const a = await postImport(h, 'acq-a', jsonl, { type: 'application/x-ndjson', query: 'key=a-people' });
    expect(a.status).toBe(202);
    expect((await importDone(h, 'acq-a', a.body.import?.id ?? '')).counts).toMatchObject({ created: 300, failed: 0 });
    expect((await h.admin('PUT', '/tenants/acq-a/domains', { domains: [] })).status).toBe(200);
    expect((await h.admin('PUT', '/tenants/acq-b/domains', { domains: [{ domain: 'acq.test', verified: true }] })).status).toBe(200);
  });
  afterAll(async () => h?.close());

  it('approval policy: the dry run predicts 700 created and 300 pending writing nothing, and the real run does exactly that, row by row', async () => {
    expect((await h.admin('PUT', '/tenants/acq-b/link-policy', { policy: 'approval', fallback: 'deny' })).status).toBe(200);
    const audits = await models().auditEvents.countDocuments({});
    const dry = await postImport(h, 'acq-b', file, { query: 'dryRun=true' });
    expect(dry.status).toBe(200);
    expect(dry.body.counts).toEqual({ created: 700, linked: 0, unchanged: 0, pending: 300, skipped: 0, failed: 0 });
    expect(await models().users.countDocuments({})).toBe(300);
    expect(await models().auditEvents.countDocuments({})).toBe(audits);
    expect(await models().imports.countDocuments({ tenantId: await tenantIdOf('acq-b') })).toBe(0);

    const real = await postImport(h, 'acq-b', file, { query: 'key=b-approval' });
    expect(real.status).toBe(202);
    const id = real.body.import?.id ?? '';
    const done = await importDone(h, 'acq-b', id);
    expect(done).toMatchObject({ rows: 1000, processed: 1000, counts: dry.body.counts });
    const rows = await importResults(h, 'acq-b', id);
    expect(rows.map((r) => [r.email, r.outcome, r.reason])).toEqual(dry.body.results?.map((r) => [r.email, r.outcome, r.reason ?? '']));
    expect(rows.filter((r) => r.outcome === 'pending').every((r) => r.reason === 'link_requires_approval')).toBe(true);
    expect(await models().memberships.countDocuments({ tenantId: await tenantIdOf('acq-b') })).toBe(700);
    // Each pending row waits as an approval request, listed with the others (nothing written for them until decided).
    const waiting = { tenantId: await tenantIdOf('acq-b'), kind: 'link', status: 'pending' };
    for (const until = Date.now() + 60_000; (await models().approvalRequests.countDocuments(waiting)) < 300 && Date.now() < until;) {
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(await models().approvalRequests.countDocuments(waiting)).toBe(300);
  }, 300_000);

  it('auto policy: the 300 link to their existing accounts (no second account); the dry run predicted it; the same key again, or the same file again, changes nothing', async () => {
    expect((await h.admin('PUT', '/tenants/acq-b/link-policy', { policy: 'auto', fallback: 'deny' })).status).toBe(200);
    const dry = await postImport(h, 'acq-b', file, { query: 'dryRun=true' });
    expect(dry.body.counts).toEqual({ created: 0, linked: 300, unchanged: 700, pending: 0, skipped: 0, failed: 0 });
    const real = await postImport(h, 'acq-b', file, { query: 'key=b-auto' });
    const id = real.body.import?.id ?? '';
    expect((await importDone(h, 'acq-b', id)).counts).toEqual(dry.body.counts);
    const rows = await importResults(h, 'acq-b', id);
    expect(rows.map((r) => [r.email, r.outcome])).toEqual(dry.body.results?.map((r) => [r.email, r.outcome]));
    expect(await models().users.countDocuments({})).toBe(1000); // 300 from A, 700 new: nobody twice
    const person3 = await models().users.findOne({ email: 'person3@acq.test' }).lean();
    expect(await models().memberships.countDocuments({ userId: person3?._id })).toBe(2); // A and B, one account

    const writes = { action: { $ne: 'import.completed' } };
    const audits = await models().auditEvents.countDocuments(writes);
    const again = await postImport(h, 'acq-b', file, { query: 'key=b-auto' });
    expect(again.status).toBe(200);
    expect(again.body.import).toMatchObject({ id, status: 'done' });
    const sameFile = await postImport(h, 'acq-b', file, { query: 'key=b-auto-again' });
    expect((await importDone(h, 'acq-b', sameFile.body.import?.id ?? '')).counts).toMatchObject({ unchanged: 1000 });
    expect(await models().auditEvents.countDocuments(writes)).toBe(audits); // only the import's own completion was added
  }, 300_000); // three imports of 1,000 rows (dry run, run, the same file again): minutes on a loaded 2-core machine

  it('malformed rows (bad email, unknown role or group, a duplicate, an unverified domain, a broken JSON line) are reported per row; the rest succeed', async () => {
    const csv = [
      'email,name,roles,groups',
      'ok1@acq.test,One,member,',
      'not-an-email,Bad,member,',
      'ok2@acq.test,Two,superuser,',
      'ok3@acq.test,Three,member,NoSuchGroup',
      'OK1@acq.test,Dup,member,',
      'someone@gmail.com,Elsewhere,member,',
      'ok4@acq.test,"Four, with a comma",admin;member,',
    ].join('\n');
    const res = await postImport(h, 'acq-b', csv, { query: 'key=b-malformed' });
    const id = res.body.import?.id ?? '';
    expect((await importDone(h, 'acq-b', id)).counts).toMatchObject({ created: 2, failed: 4, skipped: 1 });
    const rows = await importResults(h, 'acq-b', id);
    expect(rows.map((r) => [r.row, r.outcome, r.reason])).toEqual([
      ['1', 'created', ''],
      ['2', 'failed', 'email_invalid'],
      ['3', 'failed', 'unknown_role'],
      ['4', 'failed', 'unknown_group'],
      ['5', 'failed', 'duplicate_row'],
      ['6', 'skipped', 'domain_not_verified'],
      ['7', 'created', ''],
    ]);
    expect((await models().users.findOne({ email: 'ok4@acq.test' }).lean())?.name).toBe('Four, with a comma');

    const lines = await postImport(h, 'acq-b', '{"email":"ok5@acq.test"}\n{not json\n', { type: 'application/x-ndjson', query: 'key=b-lines' });
    const lineRows = await importResults(h, 'acq-b', (await importDone(h, 'acq-b', lines.body.import?.id ?? '')) && (lines.body.import?.id ?? ''));
    expect(lineRows.map((r) => [r.outcome, r.reason])).toEqual([
      ['created', ''],
      ['failed', 'row_malformed'],
    ]);

    // Entra ID's bulk-create template as downloaded and filled in: a version line, bracketed attribute names.
    const entra = [
      'version:v1.0',
      'Name [displayName] Required,User name [userPrincipalName] Required,Initial password [passwordProfile] Required,Block sign in (Yes/No) [accountEnabled] Required,First name [givenName],Last name [surname]',
      'Eve Entra,eve@acq.test,Secret-1,No,Eve,Entra',
    ].join('\r\n');
    const fromEntra = await postImport(h, 'acq-b', entra, { query: 'key=b-entra' });
    expect((await importDone(h, 'acq-b', fromEntra.body.import?.id ?? '')).counts).toMatchObject({ created: 1, failed: 0 });
    expect((await models().users.findOne({ email: 'eve@acq.test' }).lean())?.name).toBe('Eve Entra');

    expect((await postImport(h, 'acq-b', 'email\n"unclosed', { query: 'key=b-broken' })).body.error?.code).toBe('import_malformed');
    expect((await postImport(h, 'acq-b', 'email\nx@acq.test', { type: 'application/pdf' })).status).toBe(415);
    expect((await h.admin('GET', '/tenants/acq-b/imports/imp_000000000000000000000000')).status).toBe(404);
  });
});
