import express, { Router, type Request } from 'express';
import { z } from 'zod';
import { normalizeEmail } from '../../domain/email';
import { OnrampError, personRefusal } from '../../errors';
import type { createEmailSignInLibrary } from '../../library/emailSignIn';
import { checkCsrf, csrfToken } from '../csrf';
import { bindInviteBrowser } from '../inviteBrowser';
import { completeSignIn, type SignInEdge } from '../completeSignIn';
import { INVITE_RELAY_PREFIX } from '../invitationAnswer';
import { escapeHtml as e, page } from '../pages';
import { route } from '../route';
import { saveSession } from '../session';

export interface InvitationPageDeps extends SignInEdge {
  publicUrl: string;
  /** Served over HTTPS: the invitation's browser cookie may then travel with an IdP's cross-site POST. */
  secureCookies: boolean;
  emailSignIn: ReturnType<typeof createEmailSignInLibrary>;
}

const tokenPath = z.object({ token: z.string().regex(/^[A-Za-z0-9_-]{20,100}$/, 'is not an invitation token') });
const codeStart = z.object({ email: z.string().max(1000).default('') });
const codeVerify = codeStart.extend({ code: z.string().max(100).default('') });

/**
 * The invitee's pages: open the link, then sign in — through
 * the tenant's SSO connection when it governs the invited address (the
 * invitation is no way around SSO), else with a code sent to the address —
 * and the acceptance run does the rest.
 */
export function invitationRouter(deps: InvitationPageDeps): Router {
  const r = Router();
  r.use('/invite', express.urlencoded({ extended: false, limit: '8kb' }));
  const sameSite = async ({ req }: { req: Request }) => checkCsrf(req, deps.publicUrl);

  const NOT_PENDING = { expired: 'invitation_expired', revoked: 'invitation_revoked', accepted: 'invitation_used' } as const;

  /** The invitation a link names, pending; anything else is a page that says why (and an audit event). */
  const pendingOf = async (token: string, req: Request) => {
    const opened = await deps.invitations.open(token);
    const refuse = async (error: OnrampError) => {
      await deps.invitations.recordRefusal(error.code, opened ? { id: opened.invitation.id, tenantId: String(opened.tenant.id) } : null, req.ip ?? 'unknown');
      return error;
    };
    if (!opened) throw await refuse(personRefusal('invitation_not_found'));
    const { status } = opened.invitation;
    if (status !== 'pending') throw await refuse(personRefusal(NOT_PENDING[status]));
    return opened;
  };

  const codeForm = (req: Request, token: string, email: string) =>
    page(
      'Check your email',
      `<p>We sent a 6-digit code to <strong>${e(email)}</strong>. It expires in 10 minutes.</p>
<form method="post" action="/invite/${e(token)}/verify"><input type="hidden" name="_csrf" value="${e(csrfToken(req))}">
<input type="hidden" name="email" value="${e(email)}">
<p><label>Code <input name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" required></label> <button type="submit">Accept the invitation</button></p></form>`,
    );

  r.get(
    '/invite/:token',
    route({ params: tokenPath }, async ({ params, req, res }) => {
      const { invitation, tenant, route: how } = await pendingOf(params.token, req);
      const csrf = `<input type="hidden" name="_csrf" value="${e(csrfToken(req))}">`;
      const askEmail = invitation.allowAnyEmail
        ? '<p><label>Your email <input name="email" type="email" required size="32"></label></p>'
        : `<input type="hidden" name="email" value="${e(invitation.email)}">`;
      const action =
        how.kind === 'email'
          ? `<form method="post" action="/invite/${e(params.token)}/code">${csrf}${askEmail}<p><button type="submit">Send me a code</button></p></form>`
          : `<form method="post" action="/invite/${e(params.token)}/sso">${csrf}<p><button type="submit">Continue with your organization's single sign-on</button></p></form>`;
      await saveSession(req);
      const body = `<p>You are invited to join <strong>${e(tenant.name)}</strong> as <strong>${e(invitation.email)}</strong>.</p>${action}
<p class="muted">The invitation expires on ${e(invitation.expiresAt.toISOString())}.</p>`;
      res.type('html').send(page(`Join ${tenant.name}`, body));
    }),
  );

  r.post(
    '/invite/:token/sso',
    route({ params: tokenPath, guard: sameSite }, async ({ params, req, res }) => {
      const { invitation, route: how } = await pendingOf(params.token, req);
      if (how.kind === 'email') throw new OnrampError('invitation_requires_sso', 'This invitation is accepted with a code sent by email.', { status: 409 });
      const handle = await deps.invitations.handoff(invitation.id, bindInviteBrowser(req, res, deps.secureCookies));
      const login = new URL(how.loginUrl);
      if (how.kind === 'saml') login.searchParams.set('RelayState', `${INVITE_RELAY_PREFIX}${handle}`);
      else login.searchParams.set('invite', handle);
      res.redirect(303, login.href);
    }),
  );

  r.post(
    '/invite/:token/code',
    route({ params: tokenPath, guard: sameSite, body: codeStart }, async ({ params, body, req, res }) => {
      const { invitation, tenant, route: how } = await pendingOf(params.token, req);
      // The tenant's SSO governs this address: a code would go around it.
      if (how.kind !== 'email')
        throw new OnrampError('invitation_requires_sso', "This invitation is accepted through your organization's single sign-on.", { status: 409 });
      const email = invitation.allowAnyEmail ? normalizeEmail(body.email) : invitation.email;
      if (!email) throw new OnrampError('email_invalid', 'Enter a valid email address.', { status: 400 });
      // Any address may accept: one the tenant's SSO governs still signs in there.
      if (email !== invitation.email && (await deps.invitations.acceptRoute({ tenantId: tenant.id, email })).kind !== 'email') {
        throw new OnrampError(
          'invitation_requires_sso',
          "Your address signs in through your organization's single sign-on: open the invitation link and continue with SSO.",
          { status: 409 },
        );
      }
      await deps.emailSignIn.startInvitation({ invitationId: invitation.id, email, tenantId: tenant.id, tenantName: tenant.name, ip: req.ip ?? 'unknown' });
      res.type('html').send(codeForm(req, params.token, email));
    }),
  );

  r.post(
    '/invite/:token/verify',
    route({ params: tokenPath, guard: sameSite, body: codeVerify }, async ({ params, body, req, res }) => {
      const { invitation } = await pendingOf(params.token, req);
      const email = invitation.allowAnyEmail ? normalizeEmail(body.email) : invitation.email;
      if (!email) throw new OnrampError('email_invalid', 'Enter a valid email address.', { status: 400 });
      let restore: (() => Promise<void>) | null = null;
      await completeSignIn(deps, {
        req,
        res,
        target: { tenantId: null, connectionId: null, type: 'invitation', id: invitation.id },
        // The invitation's own code: this invitation's acceptance.
        verify: async () => {
          const verified = await deps.emailSignIn.verifyInvitation({ invitationId: invitation.id, email, code: body.code, ip: req.ip ?? 'unknown' });
          restore = verified.restore;
          return { claim: verified.claim, next: { kind: 'invitation', invitationId: invitation.id } };
        },
        onUnavailable: async () => restore?.(),
      });
    }),
  );

  return r;
}
