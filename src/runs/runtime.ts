import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';

let installed = false;

/**
 * Route the Temporal worker runtime's logs at the configured level and, when
 * an address is given, serve the SDK's own metrics (task slots, poll and
 * schedule-to-start latencies, sticky cache…) in Prometheus format there
 * (once per process, before the first worker connection).
 */
export function installTemporalRuntime(level: string, metricsAddress?: string): void {
  if (installed) return;
  installed = true;
  const map: Record<string, LogLevel> = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR', fatal: 'ERROR', silent: 'ERROR' };
  Runtime.install({
    logger: new DefaultLogger(map[level] ?? 'WARN'),
    ...(metricsAddress
      ? { telemetryOptions: { metrics: { prometheus: { bindAddress: metricsAddress, countersTotalSuffix: true, useSecondsForDurations: true } } } }
      : {}),
  });
}
