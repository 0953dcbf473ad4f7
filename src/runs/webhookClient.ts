import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Logger } from '../logger';
import {
  webhookEndpointWorkflow,
  webhookReplaySignal,
  webhookResendSignal,
  webhookWakeSignal,
  type WebhookEndpointInput,
} from '../../workflows/webhookEndpoint';
import { SA_OPERATION, SA_OUTCOME, SA_TENANT } from './searchAttributes';

/** Webhook delivery's own task queue (its runs and their sends): a slow receiver or a backlog holds these slots, never the ones sign-ins use. */
export const webhookTaskQueue = (taskQueue: string): string => `${taskQueue}-webhooks`;

/** One delivery run per endpoint. */
export const webhookWorkflowId = (endpointId: string): string => `webhook-${endpointId}`;

/** The delivery runs' settings from the configuration. */
export const webhookRunSettings = (config: {
  webhooks: { scheduleSeconds: number[]; pollMs: number; lookbackMs: number; settleMs: number; policy: { timeoutMs: number } };
}) => ({
  scheduleSeconds: config.webhooks.scheduleSeconds,
  pollMs: config.webhooks.pollMs,
  lookbackMs: config.webhooks.lookbackMs,
  settleMs: config.webhooks.settleMs,
  requestTimeoutMs: config.webhooks.policy.timeoutMs,
});

export interface WebhookDeliveryOptions {
  taskQueue: string;
  scheduleSeconds: number[];
  pollMs: number;
  lookbackMs: number;
  settleMs: number;
  requestTimeoutMs: number;
}

/** What the library and the waker ask of an endpoint's delivery run; each starts the run when none is open. */
export interface WebhookRunner {
  wake(endpoint: { id: string; tenantId: string | null }): Promise<void>;
  resend(endpoint: { id: string; tenantId: string | null }, eventId: string): Promise<string>;
  replay(endpoint: { id: string; tenantId: string | null }, after: string): Promise<string>;
}

export function createWebhookRunner(client: Client, opts: WebhookDeliveryOptions, logger: Logger): WebhookRunner {
  const start = (endpoint: { id: string; tenantId: string | null }) => ({
    workflowId: webhookWorkflowId(endpoint.id),
    taskQueue: webhookTaskQueue(opts.taskQueue),
    args: [
      {
        endpointId: endpoint.id,
        cursor: null,
        scheduleSeconds: opts.scheduleSeconds,
        pollMs: opts.pollMs,
        lookbackMs: opts.lookbackMs,
        settleMs: opts.settleMs,
        requestTimeoutMs: opts.requestTimeoutMs,
        activityTaskQueue: webhookTaskQueue(opts.taskQueue),
      },
    ] as [WebhookEndpointInput],
    staticSummary: `Webhook delivery to endpoint ${endpoint.id}`,
    typedSearchAttributes: [
      { key: SA_TENANT, value: endpoint.tenantId ?? 'operator' },
      { key: SA_OPERATION, value: 'webhook' },
      { key: SA_OUTCOME, value: 'Running' },
    ],
  });
  return {
    async wake(endpoint) {
      await client.workflow.signalWithStart(webhookEndpointWorkflow, { ...start(endpoint), signal: webhookWakeSignal, signalArgs: [] });
      logger.debug({ endpointId: endpoint.id }, 'webhook run woken');
    },
    async resend(endpoint, eventId) {
      const requestId = randomUUID();
      await client.workflow.signalWithStart(webhookEndpointWorkflow, { ...start(endpoint), signal: webhookResendSignal, signalArgs: [{ eventId, requestId }] });
      return requestId;
    },
    async replay(endpoint, after) {
      const requestId = randomUUID();
      await client.workflow.signalWithStart(webhookEndpointWorkflow, { ...start(endpoint), signal: webhookReplaySignal, signalArgs: [{ after, requestId }] });
      return requestId;
    },
  };
}
