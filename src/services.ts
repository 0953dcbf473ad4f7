import type { Server } from 'node:http';
import type { Client } from '@temporalio/client';
import type { Express } from 'express';
import type { NativeConnection, Worker, WorkflowBundleOption } from '@temporalio/worker';
import type { Config } from './config';
import { connectDatabase, type Database } from './store/connect';
import { readBacklogs } from './store/backlogs';
import { createApp } from './http/app';
import { createMetricsApp } from './http/metricsApp';
import { startSweeper } from './store/sweeper';
import { startSamlMetadataRefresh } from './library/samlMetadata';
import { createLibraries, type Libraries } from './library';
import { createStore } from './store/store';
import { createReadiness, type Readiness } from './library/readiness';
import { createOutbox, logTransport, smtpTransport } from './mail/outbox';
import { BACKLOG_CAP, setBacklogSource } from './metrics/registry';
import { temporalReachable, workersPolling } from './runs/health';
import type { Logger } from './logger';
import { connectClient, connectProbeConnection, connectWorkerConnection, type TemporalTarget } from './runs/connection';
import { prepareSearchAttributes } from './runs/searchAttributeSetup';
import { createRuns, type Runs } from './runs/runs';
import type { SignInStarter } from './runs/signInClient';
import { installTemporalRuntime } from './runs/runtime';
import type { Faults } from './runs/faultInjection';
import { createTenantAdminRunner } from './runs/tenantAdminClient';
import { bundleWorkflows, createWebhookWorker, createWorker } from './runs/worker';
import { workerSharingWorkflowThread } from './runs/sharedWorkflowThread';
import { startWebhookWaker } from './webhooks/waker';

/** How long a directory's status change waits for the tenant's lifecycle run (the activity that asks has 60 s). */
const LIFECYCLE_WAIT_MS = 50_000;
/** Each readiness check's limit. */
const READY_CHECK_TIMEOUT_MS = 2_000;

/** Listen with an app; the returned close ends its connections. */
async function listen(app: Express, port: number, host: string): Promise<{ server: Server; close: () => Promise<void> }> {
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(port, host, () => resolve(s));
    s.once('error', reject);
  });
  return {
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const urlOf = (server: Server, host: string): string | undefined => {
  const addr = server.address();
  return typeof addr === 'object' && addr ? `http://${host}:${addr.port}` : undefined;
};

export interface ServiceOptions {
  config: Config;
  logger: Logger;
  mongoUri: string;
  temporal: TemporalTarget;
  web: boolean;
  worker: boolean;
  workflowBundle?: WorkflowBundleOption;
  faults?: Faults;
  /** Parts of the runs to replace (the benchmark's inline baselines): given the store, they stand in for Temporal's. */
  runs?: (db: Database, logger: Logger) => Partial<Runs>;
}

export interface Services {
  db: Database;
  /** Every library, built once; its background work (outbox, sweeper) runs while the web app does. */
  libraries: Libraries;
  client: Client;
  signIn: SignInStarter;
  /** Base URL the web app listens on, when started. */
  url: string | undefined;
  /** Base URL of the metrics port (`/metrics`, `/healthz`, `/readyz`), when configured. */
  metricsUrl: string | undefined;
  /** What `/readyz` checks. */
  readiness: Readiness;
  worker: Worker | undefined;
  close(): Promise<void>;
}

/**
 * The one wiring function (after Jackson): builds the database, the Temporal
 * client, the worker and the web app as asked, and returns them with close().
 */
export async function createServices(opts: ServiceOptions): Promise<Services> {
  const { config, logger } = opts;
  const closers: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const c of closers.reverse()) await c().catch((err: unknown) => logger.error({ err }, 'close failed'));
  };
  try {
    const db = await connectDatabase(opts.mongoUri, config.mongo.database, logger);
    closers.push(() => db.close());
    const client = await connectClient(opts.temporal);
    closers.push(() => client.connection.close());
    const runs: Runs = { ...createRuns(client, config, logger), ...opts.runs?.(db, logger) };
    const outbox = createOutbox(
      db.models,
      config.mail.smtpUrl ? smtpTransport(config.mail.smtpUrl) : logTransport(logger.child({ component: 'mail' })),
      config.mail.from,
      logger.child({ component: 'outbox' }),
      config.mail.retryMs,
    );
    const store = createStore(db.models);
    const libraries = createLibraries({ store, config, runs, outbox, logger });
    // Every run carries onramp's search attributes: without them every sign-in would fail at its start.
    const registered = await prepareSearchAttributes(client, opts.temporal.namespace, config.temporal.searchAttributes);
    if (registered.length > 0) logger.info({ registered, namespace: opts.temporal.namespace }, 'registered Temporal search attributes');
    const signIn = runs.signIn;

    let worker: Worker | undefined;
    if (opts.worker) {
      installTemporalRuntime(config.logLevel, config.metrics.workerAddress);
      const connection: NativeConnection = await connectWorkerConnection(opts.temporal);
      const shared = {
        connection,
        namespace: opts.temporal.namespace,
        dataConverter: opts.temporal.dataConverter,
        taskQueue: config.temporal.taskQueue,
        store,
        models: db.models,
        logger,
        production: config.env === 'production',
        webhooks: { policy: config.webhooks.policy, encryptionKey: config.encryptionKey, includeIp: config.events.includeIp },
        // Bundled once for both workers (webpack takes seconds) unless a prebuilt bundle is given.
        workflowBundle: opts.workflowBundle ?? (await bundleWorkflows()),
        // Both workers run their workflows in one thread (one isolate with the bundle): the provisioning worker,
        // created first, registers every activity.
        workerClass: workerSharingWorkflowThread(),
      };
      // A directory's status change waits for the tenant's lifecycle run (inside a 60-s local activity).
      const lifecycle = createTenantAdminRunner(client, {
        taskQueue: config.temporal.taskQueue,
        waitMs: LIFECYCLE_WAIT_MS,
        workflowTaskTimeoutMs: config.temporal.workflowTaskTimeoutMs,
      });
      worker = await createWorker({
        ...shared,
        lifecycle,
        stickyQueueTimeoutMs: config.temporal.stickyQueueTimeoutMs,
        ...(opts.faults ? { faults: opts.faults } : {}),
      });
      // Webhook delivery's runs and sends, on their own task queue.
      const webhookWorker = await createWebhookWorker(shared);
      const running = Promise.all([worker.run(), webhookWorker.run()]);
      const w = worker;
      closers.push(async () => {
        for (const each of [w, webhookWorker]) if (each.getState() === 'RUNNING') each.shutdown();
        await running;
        await connection.close();
      });
    }

    // Events written here (activities in a worker, admin actions in the web app) wake their endpoints' delivery runs.
    const waker = startWebhookWaker({ models: db.models, runner: runs.webhooks, logger: logger.child({ component: 'webhooks' }) });
    closers.push(async () => waker.stop());

    // Readiness: the database and Temporal answer, and a worker polls each task queue (on a connection of its own, without retries).
    const probe = await connectProbeConnection(opts.temporal);
    closers.push(() => probe.close());
    const readiness = createReadiness(
      [
        { name: 'database', run: () => db.ping() },
        { name: 'temporal', run: () => temporalReachable(probe, READY_CHECK_TIMEOUT_MS) },
        { name: 'workers', run: () => workersPolling(probe, opts.temporal.namespace, config.temporal.taskQueue, READY_CHECK_TIMEOUT_MS) },
      ],
      READY_CHECK_TIMEOUT_MS,
    );
    // The backlog gauges read the database at scrape time (bounded counts, cached briefly).
    const unsetBacklogs = setBacklogSource(() => readBacklogs(db.models, BACKLOG_CAP), config.metrics.backlogTtlMs);
    closers.push(async () => unsetBacklogs());

    let metricsUrl: string | undefined;
    if (config.metrics.port !== undefined) {
      const metrics = await listen(createMetricsApp(readiness), config.metrics.port, config.metrics.host);
      closers.push(metrics.close);
      metricsUrl = urlOf(metrics.server, config.metrics.host);
    }

    let url: string | undefined;
    if (opts.web) {
      // Background work of the web process: the mail outbox, the sweeper of expired documents, SAML metadata refresh.
      outbox.start();
      const stopSweeper = startSweeper(db.models, logger.child({ component: 'sweeper' }), config.sweepIntervalMs, config.events.retentionMs);
      // SAML connections set up from a metadata URL fetch it again (ONRAMP_SAML_METADATA_REFRESH_MS).
      const stopMetadataRefresh = startSamlMetadataRefresh(libraries.samlMetadata, config.saml.metadataRefreshMs, logger.child({ component: 'saml-metadata' }));
      closers.push(async () => {
        outbox.stop();
        stopSweeper();
        stopMetadataRefresh();
      });
      const { app } = createApp({ config, models: db.models, logger, signIn, libraries, readiness });
      const web = await listen(app, config.http.port, config.http.host);
      closers.push(web.close);
      url = urlOf(web.server, config.http.host);
    }
    return { db, libraries, client, signIn, url, metricsUrl, readiness, worker, close };
  } catch (err) {
    await close();
    throw err;
  }
}
