import type { Server } from 'node:http';
import type { Client } from '@temporalio/client';
import type { NativeConnection, Worker, WorkflowBundleOption } from '@temporalio/worker';
import type { Config } from './config';
import { connectDatabase, type Database } from './db/connect';
import { createApp } from './http/app';
import { startSweeper } from './db/sweeper';
import { startSamlMetadataRefresh } from './library/samlMetadata';
import { createLibraries, type Libraries } from './library';
import { createOutbox, logTransport, smtpTransport } from './mail/outbox';
import type { Logger } from './logger';
import { connectClient, connectWorkerConnection, type TemporalTarget } from './temporal/connection';
import { prepareSearchAttributes } from './temporal/searchAttributeSetup';
import { createRuns, type Runs } from './temporal/runs';
import type { SignInStarter } from './temporal/signInClient';
import { installTemporalRuntime } from './temporal/runtime';
import type { Faults } from './temporal/faultInjection';
import { createTenantAdminRunner } from './temporal/tenantAdminClient';
import { bundleWorkflows, createWebhookWorker, createWorker } from './temporal/worker';
import { startWebhookWaker } from './webhooks/waker';

/** How long a directory's status change waits for the tenant's lifecycle run (the activity that asks has 60 s). */
const LIFECYCLE_WAIT_MS = 50_000;

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
    const libraries = createLibraries({ models: db.models, config, runs, outbox, logger });
    // Every run carries onramp's search attributes: without them every sign-in would fail at its start.
    const registered = await prepareSearchAttributes(client, opts.temporal.namespace, config.temporal.searchAttributes);
    if (registered.length > 0) logger.info({ registered, namespace: opts.temporal.namespace }, 'registered Temporal search attributes');
    const signIn = runs.signIn;

    let worker: Worker | undefined;
    if (opts.worker) {
      installTemporalRuntime(config.logLevel);
      const connection: NativeConnection = await connectWorkerConnection(opts.temporal);
      const shared = {
        connection,
        namespace: opts.temporal.namespace,
        dataConverter: opts.temporal.dataConverter,
        taskQueue: config.temporal.taskQueue,
        models: db.models,
        logger,
        production: config.env === 'production',
        webhooks: { policy: config.webhooks.policy, encryptionKey: config.encryptionKey, includeIp: config.events.includeIp },
        // Bundled once for both workers (webpack takes seconds) unless a prebuilt bundle is given.
        workflowBundle: opts.workflowBundle ?? (await bundleWorkflows()),
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
      const { app } = createApp({ config, models: db.models, logger, signIn, libraries });
      const server: Server = await new Promise((resolve, reject) => {
        const s = app.listen(config.http.port, config.http.host, () => resolve(s));
        s.once('error', reject);
      });
      closers.push(
        () =>
          new Promise<void>((resolve) => {
            server.closeAllConnections();
            server.close(() => resolve());
          }),
      );
      const addr = server.address();
      url = typeof addr === 'object' && addr ? `http://${config.http.host}:${addr.port}` : undefined;
    }
    return { db, libraries, client, signIn, url, worker, close };
  } catch (err) {
    await close();
    throw err;
  }
}
