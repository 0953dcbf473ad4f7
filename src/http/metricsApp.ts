import express, { type Express } from 'express';
import type { Readiness } from '../library/readiness';
import { healthRouter, metricsHandler } from './health';

/**
 * The metrics port's app (ONRAMP_METRICS_PORT): `/metrics`, `/healthz` and
 * `/readyz`, unauthenticated — for a scraper and health checks on a private
 * network, and a worker-only process's one HTTP surface.
 */
export function createMetricsApp(readiness: Readiness): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(healthRouter(readiness));
  app.get('/metrics', metricsHandler);
  app.use((_req, res) => {
    res.status(404).json({ error: { code: 'not_found', message: 'not found' } });
  });
  return app;
}
