import type { Request, Response } from 'express';
import type { IdentityClaim } from '../domain/claim';
import { ACCEPTANCE_REFUSALS } from '../domain/invitations';
import { ERROR_CODES, isErrorCode } from '../errorCodes';
import type { HandoffTaken, InvitationLibrary } from '../library/invitations';
import type { AcceptanceRefusalReason } from '../../workflows/invitationAcceptanceFlow';
import { DENIAL_REASONS } from '../domain/decision';
import { countAcceptance } from '../metrics/registry';
import { errorPage } from './pages';
import { establishSession } from './session';

/** The RelayState (SAML) that marks a sign-in as an invitation's acceptance: `invite:<handle>`. */
export const INVITE_RELAY_PREFIX = 'invite:';

const messageOf = (reason: AcceptanceRefusalReason): string =>
  reason in ACCEPTANCE_REFUSALS ? ACCEPTANCE_REFUSALS[reason as keyof typeof ACCEPTANCE_REFUSALS] : DENIAL_REASONS[reason as keyof typeof DENIAL_REASONS];

/**
 * A signed-in person accepts the invitation a handle stands for (when this
 * browser started the round trip): on success
 * a session for the tenant and a redirect home; else a page that says why
 * (the refusal is audited by the acceptance run).
 */
export async function answerAcceptance(
  req: Request,
  res: Response,
  invitations: InvitationLibrary,
  handoff: HandoffTaken,
  claim: IdentityClaim,
): Promise<void> {
  if (!handoff.ok) {
    await invitations.recordRefusal(handoff.reason, handoff.invitation, req.ip ?? 'unknown');
    countAcceptance(req, handoff.reason);
    if (handoff.reason === 'invitation_other_browser') {
      res
        .status(ERROR_CODES.invitation_other_browser.status)
        .type('html')
        .send(
          errorPage(
            'Invitation not accepted',
            'This sign-in was started in another browser. Open the invitation link in this browser and sign in from there.',
            handoff.reason,
          ),
        );
    } else {
      res
        .status(410)
        .type('html')
        .send(errorPage('Invitation link expired', 'This sign-in took too long or was already used. Open the invitation link again.', handoff.reason));
    }
    return;
  }
  const result = await invitations.accept(handoff.invitationId, claim);
  if (!result.ok) {
    countAcceptance(req, result.reason);
    const status = isErrorCode(result.reason) ? ERROR_CODES[result.reason].status : 403;
    res
      .status(status)
      .type('html')
      .send(errorPage('Invitation not accepted', messageOf(result.reason), result.reason));
    return;
  }
  await establishSession(req, { userId: result.userId, tenantId: result.tenantId });
  countAcceptance(req, null);
  res.redirect(303, '/');
}
