import { ConfigError, loadConfig, type Config } from '../config';
import { createLogger, type Logger } from '../logger';

/** Shared entry: load and validate config once; a bad value stops start-up naming the variable. */
export function boot(): { config: Config; logger: Logger } {
  try {
    const config = loadConfig();
    return { config, logger: createLogger(config.logLevel) };
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`onramp: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}

export function onShutdown(stop: () => Promise<void>): void {
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      if (stopping) return;
      stopping = true;
      void stop().finally(() => process.exit(0));
    });
  }
}
