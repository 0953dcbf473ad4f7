import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PENDING_AUDIT_GRACE_MS, writePendingAudits } from '../../src/store/audit';
import { sweepExpired } from '../../src/store/sweeper';
import { startHarness, type Harness } from '../support/harness';

/**
 * An admin action outside a workflow writes its audit record and its event
 * as one durable step: the fact goes to the audit outbox first, so a process
 * that dies between the writes leaves it there, and the sweeper writes what
 * is missing — once, under the fact's key.
 */
describe('admin-action audits and events survive a death between the writes', () => {
  let h: Harness;
  let tenantId: string;
  const models = () => h.services.db.models;
  const later = () => new Date(Date.now() + PENDING_AUDIT_GRACE_MS + 1_000);

  beforeAll(async () => {
    h = await startHarness({ env: { ONRAMP_EVENTS_SETTLE_MS: '0' } }); // the events API answers at once
    await h.createTenant('durable');
    tenantId = String((await models().tenants.findOne({ slug: 'durable' }).lean())?._id);
  });
  afterAll(async () => h?.close());

  const written = async (group: string) => ({
    audits: await models().auditEvents.countDocuments({ tenantId, action: 'group.created', 'target.id': group }),
    events: (await models().events.find({ tenantId, type: 'group.created' }).lean()).filter(
      (e) => (JSON.parse(e.payload) as { subject: { id: string } }).subject.id === group,
    ).length,
    pending: await models().pendingAudits.countDocuments({}),
  });

  it('dies after the audit, before the event: the sweep writes the event, once', async () => {
    const spy = vi.spyOn(models().events, 'create').mockRejectedValueOnce(new Error('the process died here'));
    const res = await h.admin('POST', '/tenants/durable/groups', { name: 'Ops', roles: [] });
    spy.mockRestore();
    expect(res.status).toBeGreaterThanOrEqual(500);
    const id = 'Ops';
    expect(await written(id)).toEqual({ audits: 1, events: 0, pending: 1 });

    // A young entry may be a write still under way: left alone.
    expect(await writePendingAudits(models(), new Date())).toBe(0);
    // The recovery path: the sweeper, once the entry is older than any write under way.
    expect((await sweepExpired(models(), later())).pendingAudits).toBe(1);
    expect(await written(id)).toEqual({ audits: 1, events: 1, pending: 0 });
    const [event] = await models().events.find({ tenantId, type: 'group.created' }).lean();
    expect(JSON.parse(String(event?.payload))).toMatchObject({ type: 'group.created', tenantId, actor: { type: 'admin' }, subject: { type: 'group', id } });
    expect((await h.admin('GET', `/tenants/durable/events?types=group.created`)).body.data).toHaveLength(1);

    // Again: nothing more.
    expect((await sweepExpired(models(), later())).pendingAudits).toBe(0);
    expect(await written(id)).toEqual({ audits: 1, events: 1, pending: 0 });
  });

  it('dies before the audit: the sweep writes the audit and the event', async () => {
    const spy = vi.spyOn(models().auditEvents, 'create').mockRejectedValueOnce(new Error('the process died here'));
    const res = await h.admin('POST', '/tenants/durable/groups', { name: 'Sales', roles: [] });
    spy.mockRestore();
    expect(res.status).toBeGreaterThanOrEqual(500);
    const id = 'Sales';
    expect(await written(id)).toEqual({ audits: 0, events: 0, pending: 1 });
    await sweepExpired(models(), later());
    expect(await written(id)).toEqual({ audits: 1, events: 1, pending: 0 });
  });

  it('a normal admin action leaves nothing in the outbox', async () => {
    expect((await h.admin('POST', '/tenants/durable/groups', { name: 'Eng', roles: [] })).status).toBe(201);
    expect(await written('Eng')).toEqual({ audits: 1, events: 1, pending: 0 });
  });
});
