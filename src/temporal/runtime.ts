import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';

let installed = false;

/** Route the Temporal worker runtime's logs at the configured level (once per process). */
export function installTemporalRuntime(level: string): void {
  if (installed) return;
  installed = true;
  const map: Record<string, LogLevel> = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR', fatal: 'ERROR', silent: 'ERROR' };
  Runtime.install({ logger: new DefaultLogger(map[level] ?? 'WARN') });
}
