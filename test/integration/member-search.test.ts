import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { okta } from '../fixtures/scimRequests';
import { commandLog, summarize, type ReadRecord } from '../support/commandLog';
import { startHarness, type Harness } from '../support/harness';
import { createDirectory } from '../support/scimClient';
import { grantId } from '../../src/store/grants';
import { backfillMemberSearch } from '../../src/store/memberSearch';
import { searchTerms } from '../../src/domain/memberSearch';
import type { MemberFilter } from '../../src/library/members';

/**
 * The member search reads what a page shows, whatever the tenant's size: a
 * search by the last-seeded member's email, a status, a role (direct, by a
 * role grant, through a group) and a group each read the same documents in a
 * tenant of 10 members as in one of 10,000 — the matches are the last
 * members seeded. Memberships seeded without search documents are found once
 * the backfill ran; an account whose email or name changes is found by the
 * new one and not the old.
 */
const SIZES = [10, 10_000] as const;
const LIMIT = 3;

describe('member search', () => {
  let h: Harness;
  const tenants = new Map<number, { id: string; slug: string }>();
  const models = () => h.services.db.models;
  const search = (size: number, filter: MemberFilter) =>
    h.services.libraries.members.searchForTenant(new Types.ObjectId(tenants.get(size)?.id), filter, LIMIT, null);

  /**
   * `n` members by bulk inserts — the large tenant's with their search
   * documents (as the app writes them), the small one's without (as before
   * they existed). The last five are suspended; of the last four, one holds
   * `admin` directly, one by a role grant, two through the group `Admins`;
   * all four hold the group `Last`.
   */
  const seed = async (slug: string, n: number, withSearch: boolean) => {
    const { id } = await h.createTenant(slug);
    const tenantId = new Types.ObjectId(id);
    const chunk = 2_000;
    for (let from = 0; from < n; from += chunk) {
      const rows = Array.from({ length: Math.min(chunk, n - from) }, (_, k) => ({ userId: new Types.ObjectId(), i: from + k }));
      const email = (i: number) => `seed${i}@${slug}.test`;
      await Promise.all([
        models().users.insertMany(
          rows.map(({ userId, i }) => ({ _id: userId, email: email(i), displayEmail: email(i), name: `Seed Person${i}` })),
          { lean: true },
        ),
        models().userEmails.insertMany(
          rows.map(({ userId, i }) => ({ _id: email(i), userId })),
          { lean: true },
        ),
        models().memberships.insertMany(
          rows.map(({ userId, i }) => ({
            _id: `${id}:${String(userId)}`,
            tenantId,
            userId,
            roles: i === n - 1 ? ['member', 'admin'] : ['member'],
            hasGrants: i >= n - 4,
            status: i >= n - 5 ? 'suspended' : 'active',
          })),
          { lean: true },
        ),
        withSearch
          ? models().memberSearch.insertMany(
              rows.map(({ userId, i }) => ({ _id: `${id}:${String(userId)}`, tenantId, userId, terms: searchTerms(email(i), `Seed Person${i}`) })),
              { lean: true },
            )
          : null,
      ]);
      const last = rows.filter(({ i }) => i >= n - 4);
      const grant = (userId: Types.ObjectId, kind: 'group' | 'role', value: string) => {
        const membershipId = `${id}:${String(userId)}`;
        return { _id: grantId(membershipId, { kind, value, source: 'admin' }), membershipId, tenantId, userId, kind, value, source: 'admin' };
      };
      await models().grants.insertMany(
        last.flatMap(({ userId, i }) => [
          grant(userId, 'group', 'Last'),
          ...(i === n - 2 ? [grant(userId, 'role', 'admin')] : []),
          ...(i <= n - 3 ? [grant(userId, 'group', 'Admins')] : []),
        ]),
        { lean: true },
      );
    }
    await models().groups.insertMany(
      [
        { _id: `${id}:Admins`, tenantId, name: 'Admins', roles: ['admin'], createdFrom: 'admin' },
        { _id: `${id}:Last`, tenantId, name: 'Last', roles: [], createdFrom: 'admin' },
        ...Array.from({ length: 5 }, (_, g) => ({ _id: `${id}:other-${g}`, tenantId, name: `other-${g}`, roles: [], createdFrom: 'admin' })),
      ],
      { lean: true },
    );
    tenants.set(n, { id, slug });
  };

  beforeAll(async () => {
    h = await startHarness({ env: { ONRAMP_SWEEP_INTERVAL_MS: '3600000' } });
    for (const n of SIZES) await seed(`search-${n}`, n, n === 10_000);
  }, 180_000);
  afterAll(async () => {
    await h?.close();
  });

  it('finds members seeded without search documents once the backfill ran, resuming where it stopped', async () => {
    expect((await search(10, { q: 'seed9@' })).data).toEqual([]);
    expect(await models().memberSearch.countDocuments({ tenantId: tenants.get(10)?.id })).toBe(0);
    // One batch, then stopped (the small tenant's memberships come first: its `_id` is older); a later run resumes after it and finishes.
    expect(await backfillMemberSearch(models(), { batch: 500, maxBatches: 1, restart: true })).toEqual({ written: 10, done: false });
    expect(await models().memberSearch.countDocuments({ tenantId: tenants.get(10)?.id })).toBe(10);
    expect(await backfillMemberSearch(models(), { batch: 5000 })).toEqual({ written: 0, done: true });
    expect(await models().memberSearch.countDocuments({})).toBe(10_010);
    // Done: a further run reads its marker and writes nothing.
    expect(await backfillMemberSearch(models())).toEqual({ written: 0, done: true });
    for (const n of SIZES) {
      const found = await search(n, { q: `SEED${n - 1}@` });
      expect(found.data.map((m) => m.email)).toEqual([`seed${n - 1}@search-${n}.test`]);
      expect(found.nextCursor).toBeNull();
    }
    // A word of the name, a prefix of many (paged).
    expect((await search(10, { q: 'person7' })).data.map((m) => m.name)).toEqual(['Seed Person7']);
    const many = await search(10_000, { q: 'seed1' });
    expect(many.data).toHaveLength(LIMIT);
    expect(many.nextCursor).not.toBeNull();
  }, 120_000);

  /** What the member search reads (src/store/members.ts, access.ts, grants.ts). */
  const SEARCH_COLLECTIONS = new Set(['member_search', 'memberships', 'users', 'grants', 'groups', 'tenants']);

  it('a search by the last member, a status, a role and a group reads the same documents at 10 and 10,000 members', async () => {
    const log = commandLog(h.services.db.connection.getClient(), models());
    const expected = (n: number) => ({
      email: [`seed${n - 1}@search-${n}.test`],
      status: [n - 5, n - 4, n - 3, n - 2, n - 1].map((i) => `seed${i}@search-${n}.test`),
      role: [n - 4, n - 3, n - 2, n - 1].map((i) => `seed${i}@search-${n}.test`),
      group: [n - 4, n - 3, n - 2, n - 1].map((i) => `seed${i}@search-${n}.test`),
    });
    const filters = (n: number): Record<'email' | 'status' | 'role' | 'group', MemberFilter> => ({
      email: { q: `seed${n - 1}@` },
      status: { status: 'suspended' },
      role: { role: 'admin' },
      group: { group: 'Last' },
    });
    const reads = new Map<string, Map<number, ReadRecord[]>>();
    try {
      for (const n of SIZES) {
        for (const [name, filter] of Object.entries(filters(n)) as Array<['email' | 'status' | 'role' | 'group', MemberFilter]>) {
          log.start();
          const found = await search(n, filter);
          // The search's own reads: the app's background work (outbox, webhook waker, metadata refresh) shares the client.
          const recorded = (await log.stop(100)).filter((r) => SEARCH_COLLECTIONS.has(r.collection));
          const emails = found.data.map((m) => m.email ?? '').sort();
          // Membership order is the accounts' creation order here; a page holds the first LIMIT of the matches.
          expect(emails).toEqual(expected(n)[name].slice(0, LIMIT).sort());
          expect({ name, n, last: found.nextCursor === null }).toEqual({ name, n, last: expected(n)[name].length <= LIMIT });
          reads.set(name, (reads.get(name) ?? new Map<number, ReadRecord[]>()).set(n, recorded));
        }
      }
      // The rest of a page: the role's and the group's last match.
      const rest = await h.services.libraries.members.searchForTenant(
        new Types.ObjectId(tenants.get(10_000)?.id),
        { role: 'admin' },
        LIMIT,
        (await import('../../src/library/pagination')).decodeCursor('key', (await search(10_000, { role: 'admin' })).nextCursor ?? ''),
      );
      expect(rest.data.map((m) => m.email)).toEqual(['seed9999@search-10000.test']);
      expect(rest.nextCursor).toBeNull();
    } finally {
      log.detach();
    }
    const docs = (rs: readonly ReadRecord[]) => rs.reduce((sum, r) => sum + r.docs, 0);
    const lines: string[] = [];
    for (const [name, bySize] of reads) {
      const small = bySize.get(SIZES[0]) ?? [];
      const large = bySize.get(SIZES[1]) ?? [];
      lines.push(
        `\n## search by ${name}: ${small.length} reads / ${docs(small)} docs at ${SIZES[0]}, ${large.length} reads / ${docs(large)} docs at ${SIZES[1]}`,
      );
      for (const r of summarize(large))
        lines.push(`| ${r.collection} | ${r.command} | \`${r.shape}\` | ${r.kind}${r.why ? ` (${r.why})` : ''} | ${r.count} | ${r.docs} |`);
      expect({ name, docs: docs(large), reads: large.length }).toEqual({ name, docs: docs(small), reads: small.length });
      expect(docs(large)).toBeLessThanOrEqual(12 * (LIMIT + 1));
      expect(large.filter((r) => r.kind === 'unbounded').map((r) => `${r.collection} ${r.shape}`)).toEqual([]);
    }
    console.log(lines.join('\n'));
  });

  it('finds a member whose email and name a directory changed by the new ones, not the old; a removed member not at all', async () => {
    const slug = 'search-10';
    expect((await h.admin('PUT', `/tenants/${slug}/domains`, { domains: [{ domain: 'renamed.test', verified: true }] })).status).toBe(200);
    const scim = await createDirectory(h, slug, 'okta');
    const created = await scim.call('POST', '/Users', okta.create('olga.before@renamed.test', 'okta-olga', 'Olga', 'Oldname'));
    expect(created.status).toBe(201);
    const found = await search(10, { q: 'olga.before' });
    expect(found.data.map((m) => m.email)).toEqual(['olga.before@renamed.test']);
    const userId = found.data[0]?.userId ?? '';
    expect((await search(10, { q: 'oldname' })).data.map((m) => m.userId)).toEqual([userId]);

    const id = String(created.body.id);
    expect((await scim.call('PUT', `/Users/${id}`, okta.put(id, 'olga.after@renamed.test', 'Olga', 'Newname'))).status).toBe(200);
    const user = await models().users.findById(userId).lean();
    expect(user?.email).toBe('olga.after@renamed.test');
    expect(user?.name).toBe('Olga Newname');
    expect((await search(10, { q: 'olga.before' })).data).toEqual([]);
    expect((await search(10, { q: 'olga.after' })).data.map((m) => m.userId)).toEqual([userId]);
    expect((await search(10, { q: 'newna' })).data.map((m) => m.userId)).toEqual([userId]);
    expect((await search(10, { q: 'oldname' })).data).toEqual([]);
    // The search document follows the account: its terms hold the new email, not the old.
    const doc = await models().memberSearch.findById(found.data[0]?.membershipId).lean();
    expect(doc?.terms).toContain('olga.after@renamed.test');
    expect(doc?.terms).not.toContain('olga.before');

    // Removed by an admin: the membership and its search document go.
    expect((await h.admin('DELETE', `/tenants/${slug}/members/${userId}`)).status).toBe(204);
    expect(await models().memberships.findById(found.data[0]?.membershipId).lean()).toBeNull();
    expect(await models().memberSearch.findById(found.data[0]?.membershipId).lean()).toBeNull();
    expect((await search(10, { q: 'olga' })).data).toEqual([]);
  });
});
