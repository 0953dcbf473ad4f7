import { Router, type RequestHandler } from 'express';
import type { Readiness } from '../library/readiness';
import { CONTENT_TYPE, metricsText } from '../metrics/registry';

/**
 * `/healthz`: the process is up (it answers). `/readyz`: the database and
 * Temporal answer and a worker polls each task queue — 200 with each check,
 * or 503 naming what failed. Neither says more than that (no addresses, no
 * driver text): they may be reachable by a load balancer.
 */
export function healthRouter(readiness: Readiness): Router {
  const r = Router();
  r.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  r.get('/readyz', async (_req, res) => {
    const report = await readiness.check();
    res
      .status(report.ready ? 200 : 503)
      .setHeader('Cache-Control', 'no-store')
      .json(report);
  });
  return r;
}

/** The Prometheus exposition of every metric of this process. */
export const metricsHandler: RequestHandler = async (_req, res) => {
  res.setHeader('Cache-Control', 'no-store');
  res.type(CONTENT_TYPE).send(await metricsText());
};
