import express, { Router, type Request } from 'express';
import { z } from 'zod';
import type { createEmailSignInLibrary } from '../../library/emailSignIn';
import type { Outbox } from '../../mail/outbox';
import { checkCsrf, csrfToken } from '../csrf';
import { escapeHtml as e, page } from '../pages';
import { saveSession } from '../session';
import { completeSignIn, type SignInEdge } from '../completeSignIn';
import { route } from '../route';

export interface EmailRouterDeps extends SignInEdge {
  publicUrl: string;
  emailSignIn: ReturnType<typeof createEmailSignInLibrary>;
  outbox: Outbox;
  /** Serve /dev/outbox (never in production). */
  showOutbox: boolean;
}

/** The forms' fields (the address and code are checked by the email sign-in library). */
const startForm = z.object({ email: z.string().max(1000).default(''), tenant: z.string().max(63).default('') });
const verifyForm = startForm.extend({ code: z.string().max(100).default('') });

/** The built-in email sign-in pages: ask for an address, send a code, check it. */
export function emailRouter(deps: EmailRouterDeps): Router {
  const r = Router();
  r.use('/sso/email', express.urlencoded({ extended: false, limit: '8kb' }));

  const codeForm = (req: Request, email: string) =>
    page(
      'Check your email',
      `<p>If <strong>${e(email)}</strong> can sign in here, we sent it a 6-digit code. It expires in 10 minutes.</p>
<form method="post" action="/sso/email/verify"><input type="hidden" name="_csrf" value="${e(csrfToken(req))}">
<input type="hidden" name="email" value="${e(email)}">
<p><label>Code <input name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" required></label> <button type="submit">Sign in</button></p></form>`,
    );

  r.get('/sso/email', async (req, res) => {
    // `?tenant=<slug>`: the organization someone joined by an invitation's code signs them in again.
    const tenant = typeof req.query.tenant === 'string' && /^[a-z0-9][a-z0-9-]{1,62}$/.test(req.query.tenant) ? req.query.tenant : '';
    const body = `<p>Sign in with a one-time code sent to your work email.</p>
<form method="post" action="/sso/email/start"><input type="hidden" name="_csrf" value="${e(csrfToken(req))}"><input type="hidden" name="tenant" value="${e(tenant)}">
<p><label>Work email <input name="email" type="email" required size="32"></label> <button type="submit">Send code</button></p></form>`;
    await saveSession(req);
    res.type('html').send(page('Sign in with email', body));
  });

  /** Both forms come from our own pages: refused from another origin or without the session's CSRF token. */
  const sameSite = async ({ req }: { req: Request }) => checkCsrf(req, deps.publicUrl);

  r.post(
    '/sso/email/start',
    route({ guard: sameSite, body: startForm }, async ({ body, req, res }) => {
      const { email, sso } = await deps.emailSignIn.start({ email: body.email, ip: req.ip ?? 'unknown', tenant: body.tenant || null });
      // The organization's single sign-on governs this address: no code, its SSO instead.
      if (sso) res.redirect(303, sso);
      else res.type('html').send(codeForm(req, email));
    }),
  );

  r.post(
    '/sso/email/verify',
    route({ guard: sameSite, body: verifyForm }, async ({ body, req, res }) => {
      let restore: (() => Promise<void>) | null = null;
      await completeSignIn(deps, {
        req,
        res,
        target: { tenantId: null, connectionId: null, type: 'email', id: body.email.slice(0, 320) },
        // Email's part: the code, checked once.
        verify: async () => {
          const verified = await deps.emailSignIn.verify({ email: body.email, code: body.code, ip: req.ip ?? 'unknown' });
          restore = verified.restore;
          return { claim: verified.claim, next: { kind: 'signIn', returnTo: null } };
        },
        onUnavailable: async () => restore?.(),
      });
    }),
  );

  if (deps.showOutbox) {
    r.get('/dev/outbox', async (_req, res) => {
      const rows = (await deps.outbox.recent())
        .map((m) => `<li><strong>${e(m.to)}</strong> · ${e(m.subject)} · <span class="muted">${e(m.status)}</span><pre>${e(m.text)}</pre></li>`)
        .join('');
      res.type('html').send(page('Outbox (development)', `<p class="muted">Mail sent by the development transport.</p><ul>${rows}</ul>`));
    });
  }
  return r;
}
