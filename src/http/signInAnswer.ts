import type { Request, Response } from 'express';
import type { SignInDecision } from '../domain/decision';
import { countSignInDecision } from '../metrics/registry';
import { errorPage } from './pages';
import { establishSession } from './session';

/** Where to go after sign-in: only a console path of this app (a RelayState or returnTo is not trusted otherwise). */
export function returnPath(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > 300) return null;
  return /^\/console(\/[A-Za-z0-9._~%-]+)*\/?$/.test(value) ? value : null;
}

/** The browser's answer to a decided sign-in, the same for every protocol: a session, a waiting page, or a refusal page. */
export async function answerSignIn(req: Request, res: Response, decision: SignInDecision, returnTo: unknown): Promise<void> {
  if (decision.status !== 'active') countSignInDecision(req, decision);
  if (decision.status === 'denied') {
    res
      .status(403)
      .type('html')
      .send(errorPage('Sign-in refused', decision.message, decision.reason));
    return;
  }
  if (decision.status === 'failed') {
    res
      .status(500)
      .type('html')
      .send(errorPage('Sign-in could not be completed', `${decision.message} Reference: ${decision.reference}`, decision.reason));
    return;
  }
  if (decision.status === 'pending') {
    res
      .status(202)
      .type('html')
      .send(errorPage('Awaiting approval', decision.message, decision.reason));
    return;
  }
  await establishSession(req, { userId: decision.userId, tenantId: decision.tenantId });
  countSignInDecision(req, decision);
  res.redirect(303, returnPath(returnTo) ?? '/');
}
