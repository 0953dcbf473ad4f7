import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';

/**
 * The browser that starts an invitation's SSO round trip carries a random
 * value in its own cookie; the handoff stores its hash, and the ACS or OIDC
 * callback accepts the invitation only for the browser that shows it. A
 * sign-in completed in another browser (a login link sent to someone else)
 * accepts nothing. The session cookie cannot do this: it is SameSite=Lax, and
 * a SAML IdP posts the response to the ACS cross-site, so this cookie is
 * SameSite=None (and Secure) when the app is served over HTTPS.
 */
const COOKIE = 'onramp.invite';
const TTL_MS = 60 * 60_000;
const VALUE = /^[A-Za-z0-9_-]{32,64}$/;

/** The value this request's browser carries, or null (absent or malformed). */
export function inviteBrowserOf(req: Request): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === COOKIE) {
      const value = part.slice(eq + 1).trim();
      return VALUE.test(value) ? value : null;
    }
  }
  return null;
}

/** The browser's value, set on the response when it has none yet. */
export function bindInviteBrowser(req: Request, res: Response, secure: boolean): string {
  const value = inviteBrowserOf(req) ?? randomBytes(32).toString('base64url');
  res.cookie(COOKIE, value, { httpOnly: true, path: '/', maxAge: TTL_MS, secure, sameSite: secure ? 'none' : 'lax' });
  return value;
}
