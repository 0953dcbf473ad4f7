/**
 * Domain events: the public, versioned shape of each audited provisioning
 * fact, as the events API and webhooks deliver it. Pure: an audit record in,
 * an event (or nothing, for audit-only facts such as configuration changes)
 * out. The shape is `version: 1`; a change that is not additive gets a new
 * version, never a silent edit.
 */

export const EVENT_VERSION = 1 as const;

/** Every event type onramp emits, and the audit actions each comes from. */
const TYPE_OF_ACTION: Record<string, string> = {
  'user.created': 'user.created',
  'user.attribute_updated': 'user.updated',
  'identity.linked': 'identity.linked',
  'identity.unlinked': 'identity.unlinked',
  'membership.created': 'membership.created',
  'membership.suspended': 'membership.suspended',
  'membership.restored': 'membership.reactivated',
  'membership.removed': 'membership.removed',
  'sessions.ended': 'membership.sessions_ended',
  'group.granted': 'group.granted',
  'group.revoked': 'group.revoked',
  'role.granted': 'role.granted',
  'role.revoked': 'role.revoked',
  'group.created': 'group.created',
  'group.deleted': 'group.deleted',
  'approval.requested': 'approval.requested',
  'approval.approved': 'approval.decided',
  'approval.rejected': 'approval.decided',
  'approval.expired': 'approval.decided',
  'invitation.created': 'invitation.created',
  'invitation.resent': 'invitation.resent',
  'invitation.revoked': 'invitation.revoked',
  'invitation.accepted': 'invitation.accepted',
  'invitation.link_refused': 'invitation.refused',
  'import.completed': 'import.completed',
  'directory.created': 'directory.created',
  'directory.deleted': 'directory.deleted',
  'directory.enabled': 'directory.enabled',
  'directory.disabled': 'directory.disabled',
  'directory.token_rotated': 'directory.token_rotated',
  'directory.token_revoked': 'directory.token_revoked',
  'scim.user_created': 'directory.user_created',
  'scim.user_updated': 'directory.user_updated',
  'scim.user_deactivated': 'directory.user_deactivated',
  'scim.user_reactivated': 'directory.user_reactivated',
  'scim.user_deleted': 'directory.user_deleted',
  'scim.group_created': 'directory.group_created',
  'scim.group_updated': 'directory.group_updated',
  'scim.group_deleted': 'directory.group_deleted',
  'signin.denied': 'signin.denied',
  'signin.rejected': 'signin.denied',
  'signin.failed': 'signin.failed',
  'webhook.endpoint_disabled': 'webhook.endpoint_disabled',
  'tenant.no_active_owner': 'tenant.no_active_owner',
};

export const EVENT_TYPES: readonly string[] = [...new Set(Object.values(TYPE_OF_ACTION))].sort();

export type EventActorType = 'signin' | 'directory' | 'admin' | 'import' | 'invitation' | 'system';

/** The public event, as delivered (JSON). */
export interface DomainEvent {
  id: string;
  type: string;
  version: typeof EVENT_VERSION;
  occurredAt: string;
  tenantId: string | null;
  /** Who acted: a sign-in run (the IdP connection), a directory, an admin, an import, an invitation acceptance, onramp itself. */
  actor: { type: EventActorType; id: string | null; runId: string | null };
  /** What the fact is about (a user, a group, an invitation…). */
  subject: { type: string; id: string | null };
  userId: string | null;
  /** The fact's details; `decision` for approval.decided, `reason` for refusals. */
  data: Record<string, unknown>;
  before: unknown;
  after: unknown;
}

/** The audit fields an event is built from (src/store/audit.ts AuditInput). */
export interface AuditFact {
  tenantId: string | null;
  actor: { type: string; id: string | null };
  action: string;
  target: { type: string; id: string | null };
  userId?: string | null;
  before?: unknown;
  after?: unknown;
  reason?: string | null;
  context?: Record<string, unknown> | null;
  workflowId?: string | null;
  at: Date;
}

export const eventTypeOf = (action: string): string | null => TYPE_OF_ACTION[action] ?? null;

/** Who acted, in the event's words: the run's kind decides (an import row's write is the import's, even though the core names the admin). */
export function eventActor(fact: Pick<AuditFact, 'actor' | 'workflowId'>): DomainEvent['actor'] {
  const run = fact.workflowId ?? null;
  const by = (type: EventActorType, id: string | null = fact.actor.id) => ({ type, id, runId: run });
  if (run?.startsWith('import-')) return by('import', run.slice('import-'.length));
  if (run?.startsWith('invitation-')) return by('invitation', run.slice('invitation-'.length));
  switch (fact.actor.type) {
    case 'idp':
    case 'user':
      return by('signin');
    case 'directory':
      return by('directory');
    case 'admin':
      return by('admin');
    default:
      return by('system');
  }
}

const plain = (value: unknown): unknown => (value === undefined ? null : JSON.parse(JSON.stringify(value)));
/** Audit context that stays in the audit log: internal error text is for operators, not for the host app. */
const INTERNAL_CONTEXT = new Set(['error']);

/** The event of an audited fact, or null when the fact is audit-only. */
export function eventFromAudit(fact: AuditFact, id: string): DomainEvent | null {
  const type = eventTypeOf(fact.action);
  if (!type) return null;
  const context = Object.entries((plain(fact.context ?? {}) as Record<string, unknown> | null) ?? {}).filter(([k]) => !INTERNAL_CONTEXT.has(k));
  const data: Record<string, unknown> = { action: fact.action, ...Object.fromEntries(context) };
  if (fact.reason) data.reason = fact.reason;
  if (type === 'approval.decided') data.decision = fact.action.slice('approval.'.length);
  return {
    id,
    type,
    version: EVENT_VERSION,
    occurredAt: fact.at.toISOString(),
    tenantId: fact.tenantId,
    actor: eventActor(fact),
    subject: { type: fact.target.type, id: fact.target.id },
    userId: fact.userId ?? null,
    data,
    before: plain(fact.before),
    after: plain(fact.after),
  };
}

/**
 * An event as the host app receives it (events API, webhooks): the end
 * user's IP address is left out unless the operator opted in
 * (ONRAMP_EVENTS_INCLUDE_IP); it stays in the audit log either way.
 */
export function eventForReceivers(event: DomainEvent, opts: { includeIp: boolean }): DomainEvent {
  if (opts.includeIp || !('ip' in event.data)) return event;
  const { ip: _ip, ...data } = event.data;
  return { ...event, data };
}

/** The stored JSON of an event, as the host app receives it (see eventForReceivers). */
export function eventPayloadForReceivers(payload: string, opts: { includeIp: boolean }): string {
  if (opts.includeIp) return payload;
  const event = JSON.parse(payload) as DomainEvent;
  return 'ip' in event.data ? JSON.stringify(eventForReceivers(event, opts)) : payload;
}

/** Whether an endpoint's type filter (empty = every type; `group.*` = a family) takes the type. */
export function typeMatches(filter: readonly string[], type: string): boolean {
  if (filter.length === 0) return true;
  return filter.some((f) => f === type || (f.endsWith('.*') && type.startsWith(f.slice(0, -1))));
}

/** A type filter's entries must name known types or families. */
export function unknownTypes(filter: readonly string[]): string[] {
  return filter.filter((f) => !(EVENT_TYPES.includes(f) || (f.endsWith('.*') && EVENT_TYPES.some((t) => t.startsWith(f.slice(0, -1))))));
}

/**
 * Event IDs sort in write order: `evt_` + 13-digit milliseconds + `_` + 10
 * random hex digits. The cursor of the events API and of webhook delivery is
 * an event ID.
 */
export const eventIdAt = (ms: number, random: string): string => `evt_${String(ms).padStart(13, '0')}_${random}`;
/** The smallest ID written at `ms` or later: a cursor "before everything from then on". */
export const cursorAt = (ms: number): string => `evt_${String(Math.max(0, ms)).padStart(13, '0')}_`;
export const eventIdTime = (id: string): number | null => {
  const m = /^evt_(\d{13})_/.exec(id);
  return m ? Number(m[1]) : null;
};
/** What an event ID looks like (the API's schemas validate cursors and IDs with it). */
export const EVENT_ID_PATTERN = /^evt_\d{13}_[0-9a-f]{10}$/;
export const isEventId = (id: string): boolean => EVENT_ID_PATTERN.test(id);
