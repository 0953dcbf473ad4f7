import type { Request, Response } from 'express';
import type { IdentityClaim } from '../domain/claim';
import { checkClaimBounds } from '../domain/claimBounds';
import type { SignInDecision } from '../domain/decision';
import { normalizeEmail } from '../domain/email';
import type { HandoffTaken, InvitationLinkLibrary } from '../library/invitationLinks';
import { answerAcceptance } from './invitationAnswer';
import { inviteBrowserOf } from './inviteBrowser';
import { answerSignIn } from './signInAnswer';
import { signInFailure, type FailureDeps, type RejectionTarget } from './signInFailure';

/** Starts (or attaches to) the run that decides a claim's sign-in and waits for the decision (src/runs/signInClient.ts). */
export interface SignInRunner {
  /** `email`: the claim's address normalized (domain/email.ts), or null: what the run is found by. */
  signIn(claim: IdentityClaim, email: string | null): Promise<{ decision: SignInDecision; workflowId: string }>;
}

/** What every sign-in route hands the edge once. */
export interface SignInEdge extends FailureDeps {
  signIn: SignInRunner;
  invitations: InvitationLinkLibrary;
}

/** Where a verified sign-in goes: a plain sign-in, or an invitation's acceptance. */
export type SignInNext =
  /** The run decides; a session goes to `returnTo` when it is a console path (signInAnswer.ts). */
  | { kind: 'signIn'; returnTo: unknown }
  /** The invitation a handle of this browser's round trip stands for (SAML RelayState `invite:…`, OIDC login `invite`). */
  | { kind: 'handoff'; handle: string }
  /** An invitation already known (its own page's email code). */
  | { kind: 'invitation'; invitationId: string };

/** What a protocol's own part vouches for. */
export interface VerifiedSignIn {
  /** The identity claim as the protocol read it (the edge bounds it). */
  claim: IdentityClaim;
  next: SignInNext;
  /** The protocol's one-time use, spent once the claim is within bounds (SAML: the assertion's ID). */
  spend?: () => Promise<void>;
}

export interface SignInAttempt {
  req: Request;
  res: Response;
  /** Whom a refused sign-in is audited against. */
  target: RejectionTarget;
  /** The protocol's part (SAML: verify and parse; OIDC: the code exchange; email: the code): what it throws is answered like the rest. */
  verify: () => Promise<VerifiedSignIn>;
  /** Give the protocol's one-time state back after an infrastructure failure (best effort): the person may try again. */
  onUnavailable?: () => Promise<void>;
  /** Clear the protocol's one-time state once the sign-in has an answer (best effort). */
  onAnswered?: () => Promise<void>;
}

/**
 * The one sign-in edge of every protocol: the protocol's part, the claim's
 * bounds (domain/claimBounds.ts), its address normalized once, the
 * invitation's acceptance or the sign-in run, the browser's answer, and on
 * failure the one catch (signInFailure.ts: audit a refusal, give the
 * one-time state back on a 503). Throws the error to answer with.
 */
export async function completeSignIn(edge: SignInEdge, attempt: SignInAttempt): Promise<void> {
  const { req, res } = attempt;
  try {
    const verified = await attempt.verify();
    const claim = checkClaimBounds(verified.claim);
    await verified.spend?.();
    const next = verified.next;
    if (next.kind === 'signIn') {
      const { decision, workflowId } = await edge.signIn.signIn(claim, claim.email === null ? null : normalizeEmail(claim.email));
      edge.logger.info({ workflowId, status: decision.status }, 'sign-in decided');
      await answerSignIn(req, res, decision, next.returnTo);
    } else {
      const handoff: HandoffTaken =
        next.kind === 'handoff' ? await edge.invitations.takeHandoff(next.handle, inviteBrowserOf(req)) : { ok: true, invitationId: next.invitationId };
      await answerAcceptance(req, res, edge.invitations, handoff, claim);
    }
  } catch (err) {
    throw await signInFailure(err, {
      models: edge.models,
      logger: edge.logger,
      req,
      target: attempt.target,
      onUnavailable: attempt.onUnavailable,
      onAnswered: attempt.onAnswered,
    });
  }
  await attempt.onAnswered?.().catch((e: unknown) => edge.logger.warn({ err: e }, 'could not clear the one-time sign-in state'));
}
