import { createStore } from '../../src/store/store';
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importRowRun } from '../../activities/imports';
import { createProvisioningActivities } from '../../activities/provisioning';
import { createLogger } from '../../src/logger';
import { provisionMember } from '../../workflows/memberProvisioningFlow';
import { startHarness, type Harness } from '../support/harness';
import { importDone, postImport } from '../support/imports';

/**
 * The batched import (activities/importBatch.ts) writes for a new member what
 * the row-at-a-time core (provisionMember, behind `POST …/members`) writes:
 * two tenants set up alike, the same people added once by an import and once
 * by the admin API, and the accounts, custom attributes, memberships, grants,
 * audit records and events compared with ids, times, tenants and domains
 * normalized away. The events the batch writes page in write order.
 */
const withoutNulls = (v: unknown): Record<string, unknown> => Object.fromEntries(Object.entries(v as object).filter(([, x]) => x !== null));

describe('an import batch writes what the per-row path writes', () => {
  let h: Harness;
  const models = () => h.services.db.models;
  const people = [
    { local: 'ann', name: 'Ann', roles: ['admin'], groups: [], externalId: 'E-1' },
    { local: 'bo', name: null, roles: [], groups: ['Support'], externalId: null },
    { local: 'cy', name: 'Cy', roles: ['auditor'], groups: ['Support', 'Ops'], externalId: 'E-3' },
    { local: 'di', name: 'Di', roles: ['member', 'auditor'], groups: ['Ops'], externalId: null },
  ];
  const body = (domain: string, p: (typeof people)[number]) => ({
    email: `${p.local}@${domain}`,
    name: p.name,
    roles: p.roles,
    groups: p.groups,
    externalId: p.externalId,
  });

  const setUp = async (slug: string) => {
    await h.createTenant(slug, { enabled: false, defaultRoles: ['member'] });
    expect((await h.admin('PUT', `/tenants/${slug}/domains`, { domains: [{ domain: `${slug}.test`, verified: true }] })).status).toBe(200);
    expect((await h.admin('PUT', `/tenants/${slug}/roles`, { custom: ['auditor'] })).status).toBe(200);
    expect((await h.admin('POST', `/tenants/${slug}/groups`, { name: 'Support', roles: ['auditor'] })).status).toBe(201);
    expect((await h.admin('POST', `/tenants/${slug}/groups`, { name: 'Ops', roles: [] })).status).toBe(201);
    return String((await models().tenants.findOne({ slug }).lean())?._id);
  };

  /** Everything written for the tenant's new members, with what differs by nature (ids, times, the tenant, the domain) replaced by names. */
  /**
   * `source`: the grant source the path names — expected to differ: an import's grants (on either of its paths,
   * activities/imports.ts hands provisionMember 'import') say they came from the import, the API's from an admin.
   */
  const written = async (tenantId: string, domain: string, source: 'import' | 'admin') => {
    const users = await models()
      .users.find({ email: { $in: people.map((p) => `${p.local}@${domain}`) } })
      .lean();
    const names = new Map<string, string>([[tenantId, '<tenant>']]);
    for (const u of users) names.set(String(u._id), `<user:${String(u.email).split('@')[0]}>`);
    const userIds = users.map((u) => u._id);
    const norm = (v: unknown): unknown => {
      if (v instanceof Types.ObjectId) return norm(String(v));
      if (v instanceof Date) return '<date>';
      if (typeof v === 'string') {
        let s = v.split(domain).join('<domain>');
        for (const [id, name] of names) s = s.split(id).join(name);
        return s;
      }
      if (Array.isArray(v)) return v.map(norm);
      if (v && typeof v === 'object') {
        const out: Record<string, unknown> = {};
        for (const [k, x] of Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) {
          // Per-write identity and time; `createdBy` (the run) is compared as present or not below.
          if (
            ['_id', '__v', 'at', 'createdAt', 'updatedAt', 'recordedAt', 'key', 'workflowId', 'runId', 'createdBy', 'id', 'day', 'part', 'occurredAt'].includes(
              k,
            )
          )
            continue;
          out[k] = k === 'source' && x === source ? '<source>' : norm(x);
        }
        return out;
      }
      return v;
    };
    const sorted = (xs: unknown[]) => xs.map((x) => JSON.stringify(x)).sort();
    const audits = await models()
      .auditEvents.find({ tenantId, userId: { $in: userIds.map(String) } })
      .sort({ _id: 1 })
      .lean();
    const events = await models()
      .events.find({ key: { $in: audits.map((a) => a.key) } })
      .sort({ _id: 1 })
      .lean();
    return {
      // Accounts and memberships: a field stored as null and one not stored read alike (the batch's insert writes the
      // schema's defaults — unverifiedEmail, lastSignInAt, a null name; suspendedBy, statusChangedBy — the per-row
      // upserts leave them out; nothing queries these fields with $exists).
      users: sorted(users.map((u) => ({ ...withoutNulls(norm(u)), run: Boolean(u.createdBy) }))),
      attributes: sorted(
        (
          await models()
            .userAttributes.find({ userId: { $in: userIds } })
            .lean()
        ).map(norm),
      ),
      memberships: sorted(
        (
          await models()
            .memberships.find({ tenantId: new Types.ObjectId(tenantId) })
            .lean()
        ).map((m) => ({ ...withoutNulls(norm(m)), run: Boolean(m.createdBy) })),
      ),
      grants: sorted(
        (
          await models()
            .grants.find({ userId: { $in: userIds } })
            .lean()
        ).map(norm),
      ),
      // The actor differs by design (see below); everything else of the record must match.
      audits: sorted(
        audits.map((a) => ({
          ...(norm({ ...a, actor: undefined }) as object),
          actor: a.actor?.type,
          hasKey: Boolean(a.key),
          hasRun: Boolean(a.workflowId && a.runId),
        })),
      ),
      events: sorted(
        events.map((e) => ({ type: e.type, tenantId: norm(e.tenantId), payload: norm({ ...(JSON.parse(e.payload) as object), actor: undefined }) })),
      ),
      // Per member, the order its events page in (the events API pages by _id).
      order: Object.fromEntries<string[]>(
        users.map((u) => [String(names.get(String(u._id))), events.filter((e) => e.payload.includes(String(u._id))).map((e) => e.type)]),
      ),
      actors: [...new Set(audits.map((a) => JSON.stringify(norm(a.actor))))],
      eventActors: [...new Set(events.map((e) => JSON.stringify((JSON.parse(e.payload) as { actor?: unknown }).actor)))],
      eventIds: events.map((e) => e._id),
    };
  };

  let viaImport: Awaited<ReturnType<typeof written>>;
  let viaApi: Awaited<ReturnType<typeof written>>;
  let before: string;
  let importId: string;
  let importTenant: string;
  let after: string;

  beforeAll(async () => {
    h = await startHarness();
    const imp = await setUp('eq-imp');
    const api = await setUp('eq-api');

    for (const p of people) {
      const res = await h.admin('POST', '/tenants/eq-api/members', body('eq-api.test', p));
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ outcome: 'created' });
    }

    before = String((await models().events.findOne({}, { _id: 1 }).sort({ _id: -1 }).lean())?._id);
    const file = people.map((p) => JSON.stringify(body('eq-imp.test', p))).join('\n');
    const posted = await postImport(h, 'eq-imp', file, { type: 'application/x-ndjson', query: 'key=eq' });
    expect(posted.status).toBe(202);
    importId = posted.body.import?.id ?? '';
    importTenant = imp;
    expect((await importDone(h, 'eq-imp', importId)).counts).toMatchObject({ created: people.length, failed: 0 });
    // An event written after the import: it must page after every event of the batch.
    expect((await h.admin('POST', '/tenants/eq-imp/groups', { name: 'Later', roles: [] })).status).toBe(201);
    after = String((await models().events.findOne({}, { _id: 1 }).sort({ _id: -1 }).lean())?._id);

    viaImport = await written(imp, 'eq-imp.test', 'import');
    viaApi = await written(api, 'eq-api.test', 'admin');
  }, 180_000);
  afterAll(async () => h?.close());

  it('the accounts, custom attributes, memberships and grants are the same', () => {
    expect(viaImport.users).toHaveLength(people.length);
    expect(viaImport.users).toEqual(viaApi.users);
    expect(viaImport.attributes).toHaveLength(2);
    expect(viaImport.attributes).toEqual(viaApi.attributes);
    expect(viaImport.memberships).toHaveLength(people.length);
    expect(viaImport.memberships).toEqual(viaApi.memberships);
    // bo: Support; cy: Support, Ops; di: Ops — the groups the row names.
    expect(viaImport.grants).toHaveLength(4);
    expect(viaImport.grants).toEqual(viaApi.grants);
  });

  it('the audit records and events are the same, but for the actor naming who added them', () => {
    expect(viaImport.audits).toEqual(viaApi.audits);
    expect(viaImport.events).toEqual(viaApi.events);
    expect(viaImport.order).toEqual(viaApi.order);
    // Both are an admin's act; the import's rows carry the importing admin as the API's create does (the same token here).
    expect(viaImport.actors).toEqual(viaApi.actors);
    // The events say an import did it (docs/events-and-webhooks.md: actor.type `import`), as the import's per-row path
    // always did (the event's actor follows the run, src/domain/events.ts); the API's say an admin.
    expect(viaImport.eventActors).toEqual([JSON.stringify({ type: 'import', id: importId, runId: `import-${importId}` })]);
    expect(new Set(viaApi.eventActors.map((a) => (JSON.parse(a) as { type: string }).type))).toEqual(new Set(['admin']));
    for (const order of Object.values(viaImport.order)) expect(order.slice(0, 2)).toEqual(['user.created', 'membership.created']);
  });

  it('the per-row path run again for rows the batch wrote (a retry that takes the slow path) writes nothing twice', async () => {
    const imported = await models().imports.findById(importId).lean();
    const rows = (await models().importResults.find({ importId }).lean()).flatMap((c) => c.results);
    expect(rows.map((r) => r.outcome)).toEqual(Array(people.length).fill('created'));
    const acts = createProvisioningActivities({ store: createStore(models()), logger: createLogger('warn') });
    for (const r of rows) {
      const p = people.find((x) => `${x.local}@eq-imp.test` === r.email);
      if (!p || !imported?.actor) throw new Error(`no row for ${r.email}`);
      const again = await provisionMember(
        { ...body('eq-imp.test', p), name: p.name, externalId: p.externalId },
        {
          run: importRowRun(importId, r.n),
          tenantId: importTenant,
          source: 'import',
          actor: { type: imported.actor.type as 'admin', id: imported.actor.id ?? null },
        },
        'import',
        acts,
      );
      // The row's own account and membership: created again by the same run, the same account.
      expect(again).toMatchObject({ outcome: 'created', userId: r.userId });
    }
    const now = await written(importTenant, 'eq-imp.test', 'import');
    expect({ ...now, eventIds: now.eventIds.length }).toEqual({ ...viaImport, eventIds: viaImport.eventIds.length });
  });

  it("the batch's events page between the events written before and after it", () => {
    expect(viaImport.eventIds.length).toBeGreaterThan(0);
    expect(viaImport.eventIds.every((id) => id > before && id < after)).toBe(true);
  });
});
