import { fileURLToPath } from 'node:url';
import type { DataConverter } from '@temporalio/common';
import { bundleWorkflowCode, Worker, type NativeConnection, type WorkflowBundleOption, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createProvisioningActivities, type WebhookDeliveryDeps } from '../../activities/provisioning';
import type { LifecycleRunner } from '../../activities/support';
import type { Models } from '../store/models';
import type { Store } from '../store/store';
import type { Logger } from '../logger';
import { refusalsAreFinal } from './activityErrors';
import { FAILURE_CONVERTER_PATH } from './dataConverter';
import { faultInjectionInterceptor, type Faults } from './faultInjection';
import { webhookTaskQueue } from './webhookClient';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../../workflows/index.ts', import.meta.url));

/** Bundle the workflow code once (webpack); workers in tests share one bundle. */
export async function bundleWorkflows(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    failureConverterPath: FAILURE_CONVERTER_PATH,
    logger: { info() {}, warn() {}, error: console.error, debug() {}, trace() {}, log() {} },
  });
}

export interface WorkerDeps {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  /** The clients' data converter (src/runs/dataConverter.ts): the worker seals and opens payloads with the same codec. */
  dataConverter: DataConverter | undefined;
  /** After this long in a dead worker's sticky queue, a run's task goes to any worker. */
  stickyQueueTimeoutMs: number;
  /** What the activities read and write through (src/store/store.ts). */
  store: Store;
  /** The models, for the fault-injection hook only (a write the database refuses). */
  models: Models;
  logger: Logger;
  workflowBundle?: WorkflowBundleOption;
  /** Crash and failure test hooks; refused in production. */
  faults?: Faults;
  production: boolean;
  /** Webhook delivery's outbound policy and secret key. */
  webhooks?: WebhookDeliveryDeps;
  /** The tenants' lifecycle runs, where directories' status changes go. */
  lifecycle?: LifecycleRunner;
  /** The Worker class to create with: `workerSharingWorkflowThread()` lets the workers of one process share a workflow thread. */
  workerClass?: typeof Worker;
}

/** Webhook sends one worker runs at once (each up to a batch of requests). */
const WEBHOOK_ACTIVITY_SLOTS = 20;

/**
 * The worker of webhook delivery: the delivery runs and their activities on
 * their own task queue, so neither their workflow tasks nor their sends wait
 * behind sign-ins' (nor sign-ins behind theirs).
 */
export async function createWebhookWorker(deps: Omit<WorkerDeps, 'faults' | 'stickyQueueTimeoutMs'>): Promise<Worker> {
  const all = createProvisioningActivities({
    store: deps.store,
    logger: deps.logger.child({ component: 'webhooks' }),
    ...(deps.webhooks ? { webhooks: deps.webhooks } : {}),
  });
  const { pendingWebhookEvents, replayWebhookEvents, sendWebhookBatch, finishWebhookDelivery, disableWebhookEndpoint } = all;
  return (deps.workerClass ?? Worker).create({
    connection: deps.connection,
    namespace: deps.namespace,
    ...(deps.dataConverter ? { dataConverter: deps.dataConverter } : {}),
    taskQueue: webhookTaskQueue(deps.taskQueue),
    activities: { pendingWebhookEvents, replayWebhookEvents, sendWebhookBatch, finishWebhookDelivery, disableWebhookEndpoint },
    ...(deps.workflowBundle ? { workflowBundle: deps.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    maxConcurrentActivityTaskExecutions: WEBHOOK_ACTIVITY_SLOTS,
    interceptors: { activity: [() => ({ inbound: refusalsAreFinal() })] },
  });
}

export async function createWorker(deps: WorkerDeps): Promise<Worker> {
  const faults = deps.faults ?? {};
  if ((faults.killAfterActivity || faults.refuseActivity) && deps.production) throw new Error('fault injection is not available in production');
  const activities = createProvisioningActivities({
    store: deps.store,
    logger: deps.logger.child({ component: 'activities' }),
    ...(deps.webhooks ? { webhooks: deps.webhooks } : {}),
    ...(deps.lifecycle ? { lifecycle: deps.lifecycle } : {}),
  });
  return (deps.workerClass ?? Worker).create({
    connection: deps.connection,
    namespace: deps.namespace,
    ...(deps.dataConverter ? { dataConverter: deps.dataConverter } : {}),
    taskQueue: deps.taskQueue,
    stickyQueueScheduleToStartTimeout: deps.stickyQueueTimeoutMs,
    activities,
    ...(deps.workflowBundle ? { workflowBundle: deps.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    interceptors: {
      activity: [
        () => ({ inbound: refusalsAreFinal() }),
        ...(faults.killAfterActivity || faults.refuseActivity ? [() => ({ inbound: faultInjectionInterceptor(faults, deps.models) })] : []),
      ],
    },
  });
}
