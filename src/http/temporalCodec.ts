import express, { Router, type Request, type RequestHandler } from 'express';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { z } from 'zod';
import { forbidden, unauthorized } from '../errors';
import { secretsMatch } from './adminAuth';
import { route } from './route';

const base64 = z
  .string()
  .max(8 * 1024 * 1024)
  .regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'must be base64');
/** A payload in the codec server's JSON form (Temporal UI and CLI): metadata values and data in base64. */
const jsonPayload = z.object({ metadata: z.record(z.string().max(256), base64).optional(), data: base64.optional() });
/** Go's protojson (the Temporal CLI) leaves out an empty list: `{}` is no payloads. */
const codecBody = z.object({ payloads: z.array(jsonPayload).max(1_000).default([]) });
const codecAnswer = z.object({ payloads: z.array(z.object({ metadata: z.record(z.string(), z.string()), data: z.string() })) });

const fromJson = (p: z.infer<typeof jsonPayload>): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data ?? '', 'base64'),
});
const toJson = (p: Payload) => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')])),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

export interface TemporalCodecDeps {
  /** null when no key is configured: payloads pass through unchanged. */
  codec: PayloadCodec | null;
  adminToken: string;
  /** The Temporal UI's origin: the one browser origin allowed to call (CORS, with credentials). */
  uiOrigin: string | undefined;
  publicUrl: string;
}

/**
 * CORS for the Temporal UI's origin only (the UI calls the codec from the
 * operator's browser); any other origin gets no CORS headers, and its
 * preflight is refused.
 */
function corsForUi(uiOrigin: string | undefined): RequestHandler {
  return (req, res, next) => {
    const origin = req.get('origin');
    const allowed = origin !== undefined && origin === uiOrigin;
    if (allowed) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
    }
    res.vary('Origin');
    if (req.method !== 'OPTIONS') return next();
    if (!allowed) return next(forbidden('this origin may not call the codec endpoint (set ONRAMP_TEMPORAL_UI_ORIGIN to the Temporal UI origin)'));
    res.setHeader('Access-Control-Allow-Methods', 'POST');
    res.setHeader('Access-Control-Allow-Headers', 'authorization, content-type, x-namespace');
    res.setHeader('Access-Control-Max-Age', '600');
    res.status(204).end();
  };
}

/**
 * Who may decode: the operator, by the admin bearer token (the Temporal CLI's
 * `--codec-auth`), or signed in to the console with it (the Temporal UI,
 * with cross-origin credentials). A session is only taken from a request
 * of the UI's or onramp's own origin.
 */
function operatorGuard(deps: TemporalCodecDeps) {
  const ownOrigin = new URL(deps.publicUrl).origin;
  return async ({ req }: { req: Request }): Promise<void> => {
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1];
    if (bearer !== undefined) {
      if (!secretsMatch(bearer, deps.adminToken)) throw unauthorized('a valid admin bearer token is required');
      return;
    }
    if (!req.session?.globalAdmin) throw unauthorized('the operator (admin token, or the console signed in with it) may decode Temporal payloads');
    const origin = req.get('origin');
    if (origin !== undefined && origin !== deps.uiOrigin && origin !== ownOrigin) throw forbidden('this origin may not call the codec endpoint');
  };
}

/**
 * The Temporal codec server of onramp (`POST …/encode`, `POST …/decode`):
 * what lets the Temporal UI and CLI show the sealed payloads of a history to
 * the operator. Payloads not sealed by onramp pass through.
 */
export function temporalCodecRouter(deps: TemporalCodecDeps): Router {
  const router = Router();
  router.use(corsForUi(deps.uiOrigin));
  router.use(express.json({ limit: '16mb' }));
  const guard = operatorGuard(deps);
  for (const direction of ['encode', 'decode'] as const) {
    router.post(
      `/${direction}`,
      route({ guard, body: codecBody, response: codecAnswer, summary: `${direction} Temporal payloads (codec server)` }, async ({ body }) => {
        const payloads = body.payloads.map(fromJson);
        const done = deps.codec ? await deps.codec[direction](payloads) : payloads;
        return { payloads: done.map(toJson) };
      }),
    );
  }
  return router;
}
