import { OnrampError } from '../errors';
import { temporalDataConverter } from '../runs/dataConverter';
import { createServices, type ServiceOptions } from '../services';
import { boot, onShutdown } from './main';

/**
 * Start ONRAMP_ROLE=web | worker | all against an existing MongoDB
 * (MONGODB_URI) and Temporal cluster (TEMPORAL_ADDRESS), print
 * `{"ready":true,"url":…}` once up, and stop cleanly on SIGINT/SIGTERM.
 * `extra` lets another entry point (the benchmark) replace a part.
 */
export async function serveRole(extra: Pick<ServiceOptions, 'runs'> = {}): Promise<void> {
  const { config, logger } = boot();
  if (!config.mongo.uri || !config.temporal.address) {
    process.stderr.write('onramp: MONGODB_URI and TEMPORAL_ADDRESS must be set (use `npm run dev` for a local stack)\n');
    process.exit(2);
  }
  const role = config.role;
  const services = await createServices({
    config,
    logger,
    mongoUri: config.mongo.uri,
    temporal: {
      address: config.temporal.address,
      namespace: config.temporal.namespace,
      tls: config.temporal.tls,
      apiKey: config.temporal.apiKey,
      dataConverter: temporalDataConverter(config.temporal.encryption),
    },
    web: role !== 'worker',
    worker: role !== 'web',
    ...(config.temporal.workflowBundlePath ? { workflowBundle: { codePath: config.temporal.workflowBundlePath } } : {}),
    faults: {
      ...(process.env.ONRAMP_FAULT_KILL_AFTER_ACTIVITY ? { killAfterActivity: process.env.ONRAMP_FAULT_KILL_AFTER_ACTIVITY } : {}),
      ...(process.env.ONRAMP_FAULT_REFUSE_ACTIVITY ? { refuseActivity: process.env.ONRAMP_FAULT_REFUSE_ACTIVITY } : {}),
    },
    ...extra,
  }).catch((err: unknown) => {
    // A start-up refusal onramp explains (e.g. missing search attributes): its message, no stack trace.
    if (err instanceof OnrampError && err.expose) {
      process.stderr.write(`onramp: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  });
  logger.info({ role, url: services.url, taskQueue: config.temporal.taskQueue }, 'onramp started');
  process.stdout.write(`${JSON.stringify({ ready: true, url: services.url ?? null })}\n`);
  onShutdown(() => services.close());
}
