import type { Request, Response } from 'express';
import type { IdentityClaim } from '../domain/claim';
import { ERROR_CODES } from '../errorCodes';
import type { HandoffTaken, InvitationLinkLibrary } from '../library/invitationLinks';
import { REFUSALS, refusalMessage } from '../domain/refusals';
import { countAcceptance } from '../metrics/registry';
import { errorPage } from './pages';
import { establishSession } from './session';

/** The RelayState (SAML) that marks a sign-in as an invitation's acceptance: `invite:<handle>`. */
export const INVITE_RELAY_PREFIX = 'invite:';

/**
 * A signed-in person accepts the invitation a handle stands for (when this
 * browser started the round trip): on success
 * a session for the tenant and a redirect home; else a page that says why
 * (the refusal is audited by the acceptance run).
 */
export async function answerAcceptance(
  req: Request,
  res: Response,
  invitations: InvitationLinkLibrary,
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
    res
      .status(REFUSALS[result.reason].status)
      .type('html')
      .send(errorPage('Invitation not accepted', refusalMessage(result.reason), result.reason));
    return;
  }
  await establishSession(req, { userId: result.userId, tenantId: result.tenantId });
  countAcceptance(req, null);
  res.redirect(303, '/');
}
