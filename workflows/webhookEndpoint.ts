import { condition, continueAsNew, defineQuery, defineSignal, proxyActivities, setHandler, sleep, workflowInfo, type RetryPolicy } from '@temporalio/workflow';
import type { DeliveryRound, WebhookActivities } from '../activities/webhooks';
import { nextDelayMs } from '../src/domain/webhookRetry';
import { retry } from './steps';

export interface WebhookEndpointInput {
  endpointId: string;
  /** Live position (null: the endpoint's stored one). */
  cursor: string | null;
  /** Seconds to wait before each attempt after the first (index 0 is the first attempt: 0). */
  scheduleSeconds: number[];
  /** How often an idle run looks for events nobody woke it for. */
  pollMs: number;
  /** How far before its position a run re-reads (events whose writes finished out of order). */
  lookbackMs: number;
  /** One request's limit: a batch's heartbeat may be this (plus time for the database) late. */
  requestTimeoutMs: number;
  /** Live delivery sends events at least this old (one whose ID was taken earlier may still be being written). */
  settleMs: number;
  /** The task queue of the webhook activities (their own worker slots: a slow receiver never holds a sign-in's). */
  activityTaskQueue: string;
  /** Manual resends and replays not yet done when the run continued as new. */
  jobs?: WebhookJob[];
}

export type WebhookJob = { kind: 'resend'; eventId: string; requestId: string } | { kind: 'replay'; after: string; until: string | null; requestId: string };

/** "New events may be waiting" (sent by the process that wrote them). */
export const webhookWakeSignal = defineSignal('webhookWake');
/** Send one event again (a new round of attempts, logged as `resend-<requestId>`). */
export const webhookResendSignal = defineSignal<[{ eventId: string; requestId: string }]>('webhookResend');
/** Send every event after a cursor again, in order, up to the live position when asked. */
export const webhookReplaySignal = defineSignal<[{ after: string; requestId: string }]>('webhookReplay');

export interface WebhookRunView {
  cursor: string | null;
  sending: { eventId: string; round: string; attempt: number } | null;
  queued: number;
}
export const webhookRunQuery = defineQuery<WebhookRunView>('webhookRun');

type Ending = 'delivered' | 'failed' | 'gone' | 'stopped';

/** Events one activity sends at most (it heartbeats after each). */
const BATCH = 50;

/**
 * One endpoint's delivery (workflow ID `webhook-<endpointId>`):
 * the tenant's events in ID order, one at a time — an event is sent, and
 * retried on the schedule, before the next is — so a receiver sees them in
 * order and a slow or dead receiver holds up only its own run. A 410 or a
 * whole schedule of failures disables the endpoint and ends the run; a
 * resend or replay waits for the event being sent. Continues as new every
 * few hundred events or idle polls.
 */
export async function webhookEndpointWorkflow(input: WebhookEndpointInput): Promise<string> {
  // The database behind the activities may be down for hours (a thousand tries a minute apart), not forever: a run that fails is started again by the next wake.
  const patience: RetryPolicy = { ...retry, maximumInterval: '1 minute', maximumAttempts: 1_000 };
  // An attempt bounds its request; a killed worker's attempt is taken over once that bound (plus time for the database) has passed.
  const sender = proxyActivities<WebhookActivities>({
    taskQueue: input.activityTaskQueue,
    startToCloseTimeout: BATCH * (input.requestTimeoutMs + 2_000),
    heartbeatTimeout: input.requestTimeoutMs + 5_000,
    retry: patience,
  });
  // Reads of the events collection scan it on FerretDB: minutes, not seconds, at a month of events.
  const acts = proxyActivities<WebhookActivities>({
    taskQueue: input.activityTaskQueue,
    startToCloseTimeout: '5 minutes',
    heartbeatTimeout: '2 minutes',
    retry: patience,
  });
  let cursor = input.cursor;
  let woken = false;
  const jobs: WebhookJob[] = [...(input.jobs ?? [])];
  let sending: WebhookRunView['sending'] = null;
  setHandler(webhookWakeSignal, () => void (woken = true));
  setHandler(webhookResendSignal, (r) => void jobs.push({ kind: 'resend', ...r }));
  setHandler(webhookReplaySignal, (r) => void jobs.push({ kind: 'replay', after: r.after, until: cursor, requestId: r.requestId }));
  setHandler(webhookRunQuery, () => ({ cursor, sending, queued: jobs.length }));

  /**
   * Send events in order, in batches; the first one not delivered is retried
   * on the schedule before any after it. A live round stops at an event that
   * failed for the whole schedule; a resend or replay skips it.
   */
  const sendAll = async (eventIds: readonly string[], round: DeliveryRound): Promise<{ ending: Ending; eventId: string; attempts: number }> => {
    let queue = [...eventIds];
    let attempt = 1;
    while (queue.length > 0) {
      const head = queue[0] ?? '';
      sending = { eventId: head, round, attempt };
      const r = await sender.sendWebhookBatch({ endpointId: input.endpointId, eventIds: queue.slice(0, BATCH), round, attempt });
      sending = null;
      queue = queue.slice(r.done);
      if (!r.failure) {
        attempt = 1;
        continue;
      }
      // The attempt the activity made of the failing event (1 when it was not the batch's first).
      attempt = r.failure.attempt;
      if (r.failure.verdict !== 'retry') return { ending: r.failure.verdict, eventId: r.failure.eventId, attempts: attempt };
      const delay = nextDelayMs(input.scheduleSeconds, attempt, r.failure.retryAfterSeconds, Math.random());
      if (delay === null) {
        if (round === 'live') return { ending: 'failed', eventId: r.failure.eventId, attempts: attempt };
        queue = queue.slice(1);
        attempt = 1;
        continue;
      }
      await sleep(delay);
      attempt++;
    }
    return { ending: 'delivered', eventId: '', attempts: 0 };
  };
  const disable = (reason: 'gone' | 'failing', eventId: string) =>
    acts.disableWebhookEndpoint({ endpointId: input.endpointId, reason, eventId, run: { workflowId: workflowInfo().workflowId, runId: workflowInfo().runId } });

  for (let steps = 0; ; steps++) {
    if (steps >= 500 || workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof webhookEndpointWorkflow>({ ...input, cursor, jobs });
    }
    const job = jobs.shift();
    if (job) {
      const { ending, rest } = await runJob(job, sendAll, acts, input);
      if (ending === 'gone') {
        await disable('gone', job.kind === 'resend' ? job.eventId : job.after);
        return 'disabled: gone';
      }
      if (ending === 'stopped') return 'stopped';
      // A replay goes page by page, so a long one continues as new between pages like live delivery does.
      if (rest) jobs.unshift(rest);
      continue;
    }
    // Cleared before the look, not after: a wake that arrives while the look runs is kept.
    woken = false;
    const page = await acts.pendingWebhookEvents({ endpointId: input.endpointId, cursor, lookbackMs: input.lookbackMs, settleMs: input.settleMs });
    if (page.stop) return page.stop;
    const sent = await sendAll(page.eventIds, 'live');
    if (sent.ending === 'stopped') return 'stopped';
    if (sent.ending === 'gone' || sent.ending === 'failed') {
      if (sent.ending === 'failed')
        await acts.finishWebhookDelivery({ endpointId: input.endpointId, eventId: sent.eventId, status: 'failed', attempts: sent.attempts });
      await disable(sent.ending === 'gone' ? 'gone' : 'failing', sent.eventId);
      return `disabled: ${sent.ending}`;
    }
    const moved = page.cursor !== cursor;
    cursor = page.cursor;
    if (page.eventIds.length === 0 && !moved) {
      // Events still settling: look again once they have; otherwise wait for a wake (or poll).
      await condition(() => woken || jobs.length > 0, page.young ? input.settleMs : input.pollMs);
    }
  }
}

/** A resend (one event), or one page of a replay (every event after a cursor up to where live delivery stood when asked, in order): what is left of it comes back as `rest`. */
async function runJob(
  job: WebhookJob,
  sendAll: (eventIds: readonly string[], round: DeliveryRound) => Promise<{ ending: Ending }>,
  acts: Pick<WebhookActivities, 'replayWebhookEvents'>,
  input: WebhookEndpointInput,
): Promise<{ ending: Ending; rest: WebhookJob | null }> {
  if (job.kind === 'resend') return { ending: (await sendAll([job.eventId], `resend-${job.requestId}`)).ending, rest: null };
  const page = await acts.replayWebhookEvents({ endpointId: input.endpointId, after: job.after, until: job.until });
  if (page.stop) return { ending: 'stopped', rest: null };
  const { ending } = await sendAll(page.eventIds, `replay-${job.requestId}`);
  if (ending === 'gone' || ending === 'stopped') return { ending, rest: null };
  return { ending: 'delivered', rest: page.cursor ? { ...job, after: page.cursor } : null };
}
