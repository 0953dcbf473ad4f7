import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IdpUser } from '../../src/demo/samlIdp';
import { entra } from '../fixtures/scimRequests';
import { Browser } from '../support/browser';
import { commandLog, summarize, type ReadRecord } from '../support/commandLog';
import { newIdp, samlSignIn, startHarness, type Harness, type SamlConnectionInfo } from '../support/harness';
import { createDirectory, type ScimClient } from '../support/scimClient';
import { waitForSignInRuns } from '../support/temporal';

/**
 * Flat cost: every read the sign-in, SCIM, invitation and admin creation
 * paths send — seen by the driver's command monitoring — is an `_id` lookup
 * or a bounded read, and a tenant of 10,000 members reads no more documents
 * than one of 10. Prints each path's reads (the table in docs/performance.md).
 */
const SIZES = [10, 10_000] as const;
const GROUPS = { 10: 3, 10_000: 300 } as const;

interface Tenant {
  size: number;
  slug: string;
  domain: string;
  id: string;
  idp: ReturnType<typeof newIdp>;
  conn: SamlConnectionInfo;
  scim: ScimClient & { id: string };
}

describe('reads per path at 10 and 10,000 members', () => {
  let h: Harness;
  let log: ReturnType<typeof commandLog>;
  const tenants: Tenant[] = [];
  const oldIdp = newIdp('flat-old');
  let old: SamlConnectionInfo;
  /** path → size → reads */
  const reads = new Map<string, Map<number, ReadRecord[]>>();
  const models = () => h.services.db.models;

  const person = (local: string, domain: string): IdpUser => ({ nameId: `${local}-subject`, email: `${local}@${domain}`, name: local });

  /** Seed `n` members of a tenant (accounts, their emails, SAML identities, memberships) and some groups, by bulk inserts. */
  const seed = async (t: Tenant, n: number, groups: number) => {
    const tenantId = new Types.ObjectId(t.id);
    const connectionId = new Types.ObjectId(t.conn.id);
    const chunk = 2_000;
    for (let from = 0; from < n; from += chunk) {
      const ids = Array.from({ length: Math.min(chunk, n - from) }, (_, i) => ({ userId: new Types.ObjectId(), i: from + i }));
      const email = (i: number) => `seed${i}@${t.domain}`;
      await Promise.all([
        models().users.insertMany(
          ids.map(({ userId, i }) => ({ _id: userId, email: email(i), displayEmail: email(i), name: `Seed ${i}` })),
          { lean: true },
        ),
        models().userEmails.insertMany(
          ids.map(({ userId, i }) => ({ _id: email(i), userId })),
          { lean: true },
        ),
        models().identities.insertMany(
          ids.map(({ userId, i }) => ({ _id: `${t.conn.id}:seed${i}`, connectionId, subject: `seed${i}`, tenantId, userId, protocol: 'saml' })),
          { lean: true },
        ),
        models().memberships.insertMany(
          ids.map(({ userId }) => ({ _id: `${t.id}:${String(userId)}`, tenantId, userId, roles: ['member'], status: 'active' })),
          { lean: true },
        ),
      ]);
    }
    await models().groups.insertMany(
      Array.from({ length: groups }, (_, i) => ({ _id: `${t.id}:seed-group-${i}`, tenantId, name: `seed-group-${i}`, roles: [], createdFrom: 'admin' })),
      { lean: true },
    );
  };

  beforeAll(async () => {
    h = await startHarness({ env: { ONRAMP_SWEEP_INTERVAL_MS: '3600000' } });
    await h.createTenant('flat-old');
    old = await h.createSamlConnection('flat-old', oldIdp);
    // Accounts elsewhere that a first sign-in links to (made before the domains are verified: then flat-old's IdP could not).
    for (const size of SIZES) {
      expect((await samlSignIn(old, oldIdp, { ...person('peter', `flat${size}.test`), nameId: `peter${size}-subject` })).status).toBe(303);
      await waitForSignInRuns(h.services.client, old.id, `peter${size}-subject`);
    }
    for (const size of SIZES) {
      const slug = `flat-${size}`;
      const domain = `flat${size}.test`;
      await h.createTenant(slug);
      expect((await h.admin('PUT', `/tenants/${slug}/domains`, { domains: [{ domain, verified: true }] })).status).toBe(200);
      expect((await h.admin('PUT', `/tenants/${slug}/link-policy`, { policy: 'auto', fallback: 'deny' })).status).toBe(200);
      expect((await h.admin('POST', `/tenants/${slug}/groups`, { name: 'Eng', roles: [] })).status).toBe(201);
      const idp = newIdp(slug);
      const conn = await h.createSamlConnection(slug, idp);
      const groupSync = { mode: 'full', unmapped: 'create-group', mappings: [{ value: 'eng', group: 'Eng', roles: [] }] };
      expect((await h.admin('PUT', `/tenants/${slug}/connections/${conn.id}/group-sync`, groupSync)).status).toBe(200);
      const scim = await createDirectory(h, slug, 'entra');
      const t: Tenant = { size, slug, domain, id: conn.tenantId, idp, conn, scim };
      tenants.push(t);
      await seed(t, size, GROUPS[size]);
      // Before the measured paths: a member who signs in again (in two IdP groups).
      expect((await samlSignIn(conn, idp, { ...person('ret', domain), groups: ['eng', 'staff'] })).status).toBe(303);
      await waitForSignInRuns(h.services.client, conn.id, 'ret-subject');
    }
    expect(await models().memberships.countDocuments({ tenantId: tenants[1]?.id })).toBeGreaterThanOrEqual(10_000);
    log = commandLog(h.services.db.connection.getClient(), models());
  }, 120_000);
  afterAll(async () => {
    log?.detach();
    await h?.close();
  });

  const measure = async (path: string, t: Tenant, run: () => Promise<void>) => {
    log.start();
    await run();
    const recorded = await log.stop();
    const bySize = reads.get(path) ?? new Map<number, ReadRecord[]>();
    bySize.set(t.size, recorded);
    reads.set(path, bySize);
  };

  /** An invitation accepted through the tenant's SAML connection (the link from the outbox, as the invitee gets it). */
  const acceptInvitation = async (t: Tenant, who: IdpUser) => {
    const path = await (async () => {
      const res = await h.admin('POST', `/tenants/${t.slug}/invitations`, { email: who.email, roles: ['member'], groups: ['Eng'] });
      expect(res.status).toBe(201);
      return new URL((res.body as unknown as { acceptUrl: string }).acceptUrl).pathname;
    })();
    // The invitation mail is sent before the measured acceptance (its delivery is not part of the path).
    for (let i = 0; i < 100 && (await models().outbox.countDocuments({ to: who.email, status: 'pending' })) > 0; i++)
      await new Promise((r) => setTimeout(r, 100));
    return async () => {
      const b = new Browser(h.url);
      expect((await b.open(path)).html).toContain('single sign-on');
      const chosen = await b.submit(`${path}/sso`, {});
      expect(chosen.status).toBe(303);
      const login = await fetch(String(chosen.location), { redirect: 'manual' });
      const answer = await t.idp.respond(t.conn.metadataXml, login.headers.get('location'), who);
      const res = await fetch(answer.acsUrl, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: b.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ SAMLResponse: answer.SAMLResponse, RelayState: answer.RelayState ?? '' }).toString(),
      });
      expect(res.status).toBe(303);
    };
  };

  it('runs each path on both tenants', async () => {
    for (const t of tenants) {
      await measure('returning SAML sign-in (one group added, one removed)', t, async () => {
        expect((await samlSignIn(t.conn, t.idp, { ...person('ret', t.domain), groups: ['eng', 'ops'] })).status).toBe(303);
        await waitForSignInRuns(h.services.client, t.conn.id, 'ret-subject');
      });
      await measure('first SAML sign-in (JIT)', t, async () => {
        expect((await samlSignIn(t.conn, t.idp, person('newbie', t.domain))).status).toBe(303);
        await waitForSignInRuns(h.services.client, t.conn.id, 'newbie-subject');
      });
      await measure('first SAML sign-in linking an existing account', t, async () => {
        expect((await samlSignIn(t.conn, t.idp, { ...person('peter', t.domain), nameId: 'peter-new-subject' })).status).toBe(303);
        await waitForSignInRuns(h.services.client, t.conn.id, 'peter-new-subject');
      });
      let scimId = '';
      await measure('SCIM user create', t, async () => {
        const created = await t.scim.call('POST', '/Users', entra.create('sam', `sam@${t.domain}`, 'entra-sam'));
        expect(created.status).toBe(201);
        scimId = String(created.body.id);
      });
      await measure('SCIM user PATCH', t, async () => {
        expect((await t.scim.call('PATCH', `/Users/${scimId}`, entra.replaceAttributes(`sam@${t.domain}`))).status).toBe(200);
      });
      // The returning member's groups followed the claim.
      const ret = await models()
        .users.findOne({ email: `ret@${t.domain}` })
        .lean();
      const held = await models().grants.find({ userId: ret?._id, kind: 'group' }).lean();
      expect(held.map((g) => g.value).sort()).toEqual(['Eng', 'ops']);
      const accept = await acceptInvitation(t, person('ivy', t.domain));
      await measure('invitation acceptance (SSO)', t, accept);
      await measure('admin API member creation', t, async () => {
        expect((await h.admin('POST', `/tenants/${t.slug}/members`, { email: `api@${t.domain}`, roles: ['member'], groups: ['Eng'] })).status).toBe(201);
      });
    }
    // Every path wrote what it should: the linked account has two memberships, the new people one each.
    for (const t of tenants) {
      const peter = await models()
        .users.findOne({ email: `peter@${t.domain}` })
        .lean();
      expect(await models().memberships.countDocuments({ userId: peter?._id })).toBe(2);
      for (const local of ['newbie', 'sam', 'ivy', 'api']) expect(await models().users.countDocuments({ email: `${local}@${t.domain}` })).toBe(1);
    }
  }, 120_000);

  it('prints the reads of each path, and every one is by _id or bounded, and no larger at 10,000', () => {
    const lines: string[] = [];
    const failures: string[] = [];
    for (const [path, bySize] of reads) {
      const small = bySize.get(SIZES[0]) ?? [];
      const large = bySize.get(SIZES[1]) ?? [];
      const docs = (rs: readonly ReadRecord[]) => rs.reduce((n, r) => n + r.docs, 0);
      lines.push(`\n## ${path}: ${small.length} reads / ${docs(small)} docs at ${SIZES[0]}, ${large.length} reads / ${docs(large)} docs at ${SIZES[1]}`);
      for (const r of summarize(large))
        lines.push(`| ${r.collection} | ${r.command} | \`${r.shape}\` | ${r.kind}${r.why ? ` (${r.why})` : ''} | ${r.count} | ${r.docs} |`);
      for (const r of large.filter((x) => x.kind === 'unbounded')) failures.push(`${path}: ${r.collection} ${r.command} ${r.shape} (unbounded)`);
      if (docs(large) > docs(small)) {
        failures.push(`${path}: ${docs(large)} documents at ${SIZES[1]} > ${docs(small)} at ${SIZES[0]}`);
        const key = (r: { collection: string; command: string; shape: string; count: number; docs: number }) =>
          `${r.collection} ${r.command} ${r.shape} ×${r.count} docs ${r.docs}`;
        const smallKeys = new Set(summarize(small).map(key));
        for (const r of summarize(large)) if (!smallKeys.has(key(r))) lines.push(`  (at ${SIZES[1]} only: ${key(r)})`);
      }
    }
    console.log(lines.join('\n'));
    expect([...new Set(failures)]).toEqual([]);
  });
});
