import { describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { cursorAt, EVENT_TYPES, eventFromAudit, eventIdAt, eventIdTime, isEventId, typeMatches, unknownTypes, type AuditFact } from '../../src/domain/events';
import { nextDelayMs, parseRetrySchedule, verdictOf, DEFAULT_RETRY_SCHEDULE_SECONDS } from '../../src/domain/webhookRetry';
import { newWebhookSecret, signatureHeaders } from '../../src/webhooks/signing';

const at = new Date('2026-11-26T10:00:00Z');
const fact = (over: Partial<AuditFact>): AuditFact => ({
  tenantId: 't1',
  actor: { type: 'idp', id: 'conn1' },
  action: 'user.created',
  target: { type: 'user', id: 'u1' },
  userId: 'u1',
  at,
  workflowId: 'signin-conn1-abc',
  ...over,
});

describe('domain events from audit records', () => {
  it('every type the issue names is emitted', () => {
    for (const t of [
      'user.created',
      'user.updated',
      'identity.linked',
      'identity.unlinked',
      'membership.created',
      'membership.suspended',
      'membership.reactivated',
      'membership.removed',
      'group.granted',
      'group.revoked',
      'approval.requested',
      'approval.decided',
      'invitation.created',
      'invitation.accepted',
      'directory.user_created',
      'signin.denied',
    ]) {
      expect(EVENT_TYPES).toContain(t);
    }
  });

  it('a sign-in fact: versioned shape, the run as actor, before/after kept', () => {
    const e = eventFromAudit(fact({ after: { email: 'sarah@sf.test' } }), 'evt_1');
    expect(e).toEqual({
      id: 'evt_1',
      type: 'user.created',
      version: 1,
      occurredAt: '2026-11-26T10:00:00.000Z',
      tenantId: 't1',
      actor: { type: 'signin', id: 'conn1', runId: 'signin-conn1-abc' },
      subject: { type: 'user', id: 'u1' },
      userId: 'u1',
      data: { action: 'user.created' },
      before: null,
      after: { email: 'sarah@sf.test' },
    });
  });

  it('maps audit actions to event types and actors by run', () => {
    expect(eventFromAudit(fact({ action: 'approval.rejected', reason: 'not ours', actor: { type: 'admin', id: 'admin-token' } }), 'x')).toMatchObject({
      type: 'approval.decided',
      data: { decision: 'rejected', reason: 'not ours' },
      actor: { type: 'admin' },
    });
    expect(eventFromAudit(fact({ action: 'membership.restored', actor: { type: 'directory', id: 'd1' }, workflowId: 'scim-user-d1-u' }), 'x')?.type).toBe(
      'membership.reactivated',
    );
    expect(eventFromAudit(fact({ action: 'membership.created', actor: { type: 'admin', id: 'a' }, workflowId: 'import-imp1' }), 'x')?.actor).toEqual({
      type: 'import',
      id: 'imp1',
      runId: 'import-imp1',
    });
    expect(eventFromAudit(fact({ action: 'invitation.accepted', actor: { type: 'system', id: null }, workflowId: 'invitation-inv_1' }), 'x')?.actor.type).toBe(
      'invitation',
    );
    expect(eventFromAudit(fact({ action: 'signin.rejected', reason: 'saml_signature_invalid', tenantId: null }), 'x')).toMatchObject({
      type: 'signin.denied',
      tenantId: null,
    });
    // Internal error text stays in the audit log.
    expect(eventFromAudit(fact({ action: 'signin.failed', context: { step: 'ensureUser', error: 'E11000 duplicate key' } }), 'x')?.data).toEqual({
      action: 'signin.failed',
      step: 'ensureUser',
    });
    // Configuration changes are audit-only.
    expect(eventFromAudit(fact({ action: 'connection.created' }), 'x')).toBeNull();
    expect(eventFromAudit(fact({ action: 'tenant.roles_updated' }), 'x')).toBeNull();
  });

  it("outside parties' names stay inside the data, never keys of our own shape", () => {
    const e = eventFromAudit(fact({ action: 'user.attribute_updated', context: { 'http://schemas.xmlsoap.org/claims/Group': 'x', $where: 1 } }), 'x');
    expect(Object.keys(e ?? {})).toEqual(['id', 'type', 'version', 'occurredAt', 'tenantId', 'actor', 'subject', 'userId', 'data', 'before', 'after']);
    expect(e?.data).toMatchObject({ 'http://schemas.xmlsoap.org/claims/Group': 'x', $where: 1 });
  });

  it('type filters: exact, families, unknown', () => {
    expect(typeMatches([], 'user.created')).toBe(true);
    expect(typeMatches(['group.*'], 'group.revoked')).toBe(true);
    expect(typeMatches(['group.*'], 'user.created')).toBe(false);
    expect(typeMatches(['user.created'], 'user.updated')).toBe(false);
    expect(unknownTypes(['user.created', 'group.*', 'user.exploded', 'nope.*'])).toEqual(['user.exploded', 'nope.*']);
  });

  it('IDs sort in write order and are cursors', () => {
    const a = eventIdAt(1_000, '00000000ff');
    const b = eventIdAt(1_001, '0000000000');
    expect(a < b).toBe(true);
    expect(isEventId(a)).toBe(true);
    expect(isEventId('evt_1')).toBe(false);
    expect(eventIdTime(b)).toBe(1_001);
    expect(cursorAt(1_001) < b && cursorAt(1_001) > a).toBe(true);
    expect(cursorAt(-5)).toBe('evt_0000000000000_');
  });
});

describe('webhook retries', () => {
  it('Svix schedule by default: 8 attempts over about 27.5 hours', () => {
    expect(DEFAULT_RETRY_SCHEDULE_SECONDS.reduce((a, b) => a + b, 0)).toBe(99_305);
    expect(nextDelayMs(DEFAULT_RETRY_SCHEDULE_SECONDS, 1, null, 0.5)).toBe(5_000);
    expect(nextDelayMs(DEFAULT_RETRY_SCHEDULE_SECONDS, 7, null, 0.5)).toBe(36_000_000);
    expect(nextDelayMs(DEFAULT_RETRY_SCHEDULE_SECONDS, 8, null, 0.5)).toBeNull();
  });
  it('jitter stays within ±10%; Retry-After longer than the schedule wins, capped at a day', () => {
    expect(nextDelayMs([0, 100], 1, null, 0)).toBe(90_000);
    expect(nextDelayMs([0, 100], 1, null, 0.999_999)).toBeLessThanOrEqual(110_000);
    expect(nextDelayMs([0, 5], 1, 120, 0.5)).toBe(120_000);
    expect(nextDelayMs([0, 500], 1, 1, 0.5)).toBe(500_000);
    expect(nextDelayMs([0, 5], 1, 10 * 86_400, 0.5)).toBe(86_400_000);
  });
  it('verdicts: 2xx delivered, 410 gone, everything else retried', () => {
    expect([200, 204, 299].map(verdictOf)).toEqual(['delivered', 'delivered', 'delivered']);
    expect(verdictOf(410)).toBe('gone');
    expect([null, 301, 400, 404, 429, 500, 503].map(verdictOf).every((v) => v === 'retry')).toBe(true);
  });
  it('schedules from configuration', () => {
    expect(parseRetrySchedule('0, 1,2')).toEqual([0, 1, 2]);
    expect(parseRetrySchedule('1,2')).toMatch(/start with 0/);
    expect(parseRetrySchedule('0,,2')).toMatch(/comma-separated/);
    expect(parseRetrySchedule('0,-1')).toMatch(/comma-separated/);
  });
});

describe('Standard Webhooks signatures', () => {
  it('verify with the standardwebhooks library under every live secret; a changed body fails', () => {
    const [s1, s2] = [newWebhookSecret(), newWebhookSecret()];
    const body = '{"type":"user.created","timestamp":"2026-11-26T10:00:00.000Z","data":{}}';
    const headers = signatureHeaders([s1, s2], 'evt_1', new Date(), body);
    expect(headers['webhook-signature']?.split(' ')).toHaveLength(2);
    expect(new Webhook(s1).verify(body, headers)).toMatchObject({ type: 'user.created' });
    expect(new Webhook(s2).verify(body, headers)).toMatchObject({ type: 'user.created' });
    expect(() => new Webhook(newWebhookSecret()).verify(body, headers)).toThrow();
    expect(() => new Webhook(s1).verify(body.replace('created', 'deleted'), headers)).toThrow();
    expect(() => signatureHeaders([], 'evt_1', new Date(), body)).toThrow();
  });
});
