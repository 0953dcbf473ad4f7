import { randomBytes } from 'node:crypto';
import type { Store } from '../store/store';
import type { WebhookEndpointRow } from '../store/webhooks';
import { seal } from '../crypto/secretBox';
import { unknownTypes } from '../domain/events';
import type { ProvisioningActor } from '../domain/provisioningContext';
import { conflict, isDuplicateKeyError, notFound, validationError } from '../errors';
import { formAlreadySent, keyedHex } from './formKeys';
import type { WebhookRunner } from '../runs/webhookClient';
import { checkTargetUrl, type OutboundPolicy } from '../webhooks/outbound';
import { newWebhookSecret } from '../webhooks/signing';
import { withoutQuery } from '../webhooks/outbound';

/** A tenant's endpoints, or the operator's (null: every tenant's events). */
export type WebhookScope = string | null;

export interface EndpointInput {
  url: string;
  description?: string | undefined;
  types?: string[] | undefined;
  enabled?: boolean | undefined;
}

type Endpoint = WebhookEndpointRow;

/** Default overlap of a rotated-out secret: receivers have a day to switch. */
export const DEFAULT_ROTATION_OVERLAP_SECONDS = 86_400;

const present = (e: Endpoint, cursor: string | null, now = new Date()) => ({
  id: e._id,
  tenantId: e.tenantId ?? null,
  url: e.url,
  description: e.description ?? '',
  types: e.types,
  enabled: e.enabled,
  disabledReason: e.disabledReason ?? null,
  secrets: e.secrets.filter((s) => !s.expiresAt || s.expiresAt > now).map((s) => ({ id: s.id, createdAt: s.createdAt, expiresAt: s.expiresAt ?? null })),
  /** The last event live delivery finished (a replay's natural start). */
  cursor,
  createdAt: e.createdAt,
  updatedAt: e.updatedAt,
});
export type EndpointView = ReturnType<typeof present>;

/**
 * Webhook endpoints: URL (checked against the outbound
 * policy when saved, and again at every send), type filter, description,
 * enabled; secrets sealed at rest and shown once; rotation with an overlap;
 * the delivery log; resend and replay through the endpoint's run.
 */
export function createWebhookLibrary(store: Store, runner: WebhookRunner, settings: { encryptionKey: Buffer; policy: OutboundPolicy }) {
  const checkUrl = (url: string) => {
    const checked = checkTargetUrl(url, settings.policy);
    if (!checked.ok) throw validationError('url', checked.message);
    return checked.url.toString();
  };
  const checkTypes = (types: string[]) => {
    const unknown = unknownTypes(types);
    if (unknown.length > 0) throw validationError('types', `names unknown event types: ${unknown.join(', ')}`);
    return [...new Set(types)];
  };
  const secret = () => {
    const plain = newWebhookSecret();
    return {
      plain,
      stored: { id: `whs_${randomBytes(8).toString('hex')}`, sealed: seal(settings.encryptionKey, plain), createdAt: new Date(), expiresAt: null },
    };
  };
  const find = async (scope: WebhookScope, id: string): Promise<Endpoint> => {
    const e = await store.webhooks.byId(id);
    if (!e || (e.tenantId ?? null) !== scope) throw notFound('webhook endpoint');
    return e;
  };
  const audit = (scope: WebhookScope, actor: ProvisioningActor, action: string, id: string, extra: { before?: unknown; after?: unknown } = {}) =>
    store.audit.recordAction({ tenantId: scope, actor, action, target: { type: 'webhook_endpoint', id }, ...extra });
  const changedMeanwhile = () =>
    conflict('webhook_endpoint_changed', 'This endpoint was being changed by another request at the same time; read it again and retry.');
  const wake = (e: { _id: string; tenantId?: string | null }) => runner.wake({ id: e._id, tenantId: e.tenantId ?? null });
  /** With the run's position (webhook_run_states, written by the run only). */
  const view = async (e: Endpoint) => present(e, (await store.webhooks.runStateOf(e._id))?.cursor ?? null);

  return {
    /** `formKey` (the console's form): the same form sent again creates nothing and is refused 409 `form_already_sent`. */
    async create(scope: WebhookScope, input: EndpointInput, actor: ProvisioningActor, opts: { formKey?: string | null } = {}) {
      const url = checkUrl(input.url);
      const s = secret();
      const _id = `whe_${opts.formKey ? keyedHex(String(scope), opts.formKey, 24) : randomBytes(12).toString('hex')}`;
      const insert = store.webhooks.create({
        _id,
        tenantId: scope,
        url,
        description: input.description ?? '',
        types: checkTypes(input.types ?? []),
        enabled: input.enabled ?? true,
        secrets: [s.stored],
        startAfter: await store.webhooks.latestEventId(),
      });
      await insert.catch((err: unknown) => {
        throw opts.formKey && isDuplicateKeyError(err) ? formAlreadySent('the endpoint', _id) : err;
      });
      await audit(scope, actor, 'webhook.endpoint_created', _id, { after: { url: withoutQuery(url), types: input.types ?? [] } });
      const created = await find(scope, _id);
      if (created.enabled) await wake(created);
      return { endpoint: await view(created), secret: s.plain };
    },
    async list(scope: WebhookScope) {
      const rows = await store.webhooks.ofScope(scope);
      const states = new Map((await store.webhooks.runStatesOf(rows.map((r) => r._id))).map((st) => [st._id, st.cursor ?? null]));
      return rows.map((r) => present(r, states.get(r._id) ?? null));
    },
    async get(scope: WebhookScope, id: string) {
      return view(await find(scope, id));
    },
    /**
     * Change URL, description, types or enabled. Enabling (again) starts from the newest event: what was missed is replayed on request.
     * One change of an endpoint at a time (db/webhookChanges.ts): a change made at the same moment as another is 409 `webhook_endpoint_changed`.
     */
    async update(scope: WebhookScope, id: string, input: Partial<EndpointInput>, actor: ProvisioningActor) {
      const before = await find(scope, id);
      const set: Record<string, unknown> = {};
      if (input.url !== undefined) set.url = checkUrl(input.url);
      if (input.description !== undefined) set.description = input.description;
      if (input.types !== undefined) set.types = checkTypes(input.types);
      if (input.enabled !== undefined) set.enabled = input.enabled;
      // An admin's enable outranks a run's auto-disable decided before it (activities/webhooks.ts).
      if (input.enabled === true) set.enabledAt = new Date();
      if (input.enabled === true && !before.enabled) Object.assign(set, { disabledReason: null, startAfter: await store.webhooks.latestEventId() });
      if (input.enabled === false) set.disabledReason = 'disabled by an admin';
      if ((await store.webhooks.change(before, 'update', set)) === 'conflict') throw changedMeanwhile();
      await audit(scope, actor, 'webhook.endpoint_updated', id, {
        before: { url: withoutQuery(before.url), types: before.types, enabled: before.enabled },
        after: { ...set, ...(typeof set.url === 'string' ? { url: withoutQuery(set.url) } : {}) },
      });
      const after = await find(scope, id);
      if (after.enabled) await wake(after);
      return view(after);
    },
    async remove(scope: WebhookScope, id: string, actor: ProvisioningActor) {
      const e = await find(scope, id);
      await store.webhooks.remove(id);
      await audit(scope, actor, 'webhook.endpoint_deleted', id, { before: { url: withoutQuery(e.url) } });
      // Its run finds the endpoint gone and ends.
      await wake(e).catch(() => undefined);
    },
    /** A new secret (answered once); the current ones keep signing beside it until the overlap ends (0: at once). Serialized like update. */
    async rotateSecret(scope: WebhookScope, id: string, overlapSeconds: number, actor: ProvisioningActor) {
      const e = await find(scope, id);
      const now = new Date();
      const until = new Date(now.getTime() + overlapSeconds * 1_000);
      const kept = e.secrets
        .filter((x) => !x.expiresAt || x.expiresAt > now)
        .map((x) => ({ id: x.id, sealed: x.sealed, createdAt: x.createdAt, expiresAt: x.expiresAt && x.expiresAt < until ? x.expiresAt : until }));
      const s = secret();
      // Two rotations at once: one keeps its secret, the other is 409 and shows none.
      if ((await store.webhooks.change(e, 'rotate', { secrets: [s.stored, ...kept.filter((x) => x.expiresAt > now)] }, now)) === 'conflict')
        throw changedMeanwhile();
      await audit(scope, actor, 'webhook.secret_rotated', id, { after: { secretId: s.stored.id, previousUntil: until.toISOString() } });
      return { endpoint: await view(await find(scope, id)), secret: s.plain };
    },
    /** The delivery log, newest first. */
    async attempts(scope: WebhookScope, id: string, q: { limit: number; eventId?: string | undefined }) {
      await find(scope, id);
      const rows = await store.webhooks.attemptsOf(id, q.eventId, q.limit);
      return rows.map((a) => ({
        ...a,
        id: a._id,
        status: a.status ?? null,
        error: a.error ?? null,
        latencyMs: a.latencyMs ?? null,
        response: a.response ?? '',
      }));
    },
    async resend(scope: WebhookScope, id: string, eventId: string, actor: ProvisioningActor) {
      const e = await find(scope, id);
      const event = await store.webhooks.eventTenant(eventId);
      if (!event || (scope !== null && event.tenantId !== scope)) throw notFound('event');
      const requestId = await runner.resend({ id, tenantId: e.tenantId ?? null }, eventId);
      await audit(scope, actor, 'webhook.event_resent', id, { after: { eventId, requestId } });
      return { requestId };
    },
    async replay(scope: WebhookScope, id: string, after: string, actor: ProvisioningActor) {
      const e = await find(scope, id);
      const requestId = await runner.replay({ id, tenantId: e.tenantId ?? null }, after);
      await audit(scope, actor, 'webhook.replay_requested', id, { after: { after, requestId } });
      return { requestId };
    },
  };
}

export type WebhookLibrary = ReturnType<typeof createWebhookLibrary>;
