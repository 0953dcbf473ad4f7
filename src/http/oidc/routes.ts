import { Router } from 'express';
import { z } from 'zod';
import * as oidc from 'openid-client';
import type { OidcConnectionDoc } from '../../store/models/oidcConnection';
import { isInfrastructureError, notFound, personRefusal, serviceUnavailable } from '../../errors';
import { oidcUrls, type createOidcConnectionLibrary } from '../../library/oidcConnections';
import type { createOidcLoginStateLibrary } from '../../library/oidcLoginStates';
import { completeSignIn, type SignInEdge } from '../completeSignIn';
import { returnPath } from '../signInAnswer';
import { route } from '../route';
import { oidcToClaim } from './claim';
import type { OidcClients } from './client';
import { discoveryFailure, oauthErrorMessage, providerAnswerRefused, rejected } from './providerErrors';

export interface OidcRouterDeps extends SignInEdge {
  publicUrl: string;
  /** How far in the future an ID token's `iat` may be (the clock skew allowed for SAML). */
  clockSkewMs: number;
  connections: ReturnType<typeof createOidcConnectionLibrary>;
  loginStates: ReturnType<typeof createOidcLoginStateLibrary>;
  clients: OidcClients;
}

const connectionPath = z.object({ connectionId: z.string().max(64) });
const loginQuery = z.object({
  returnTo: z.string().max(1000).optional(),
  invite: z
    .string()
    .regex(/^[A-Za-z0-9_-]{20,64}$/)
    .optional(),
});
const callbackQuery = z.object({ state: z.string().optional(), error: z.string().optional() });

/**
 * OpenID Connect relying party per connection: authorization code flow with
 * PKCE (S256), state and nonce, kept server-side and usable once. The
 * validated claims become the same identity claim as SAML's and go to the
 * same workflow. Every refusal is audited and writes nothing else.
 */
export function oidcRouter(deps: OidcRouterDeps): Router {
  const r = Router();

  /** The guard of both routes: the path's connection, enabled (404 / 403 otherwise). */
  const connectionOf = async ({ params }: { params: { connectionId: string } }): Promise<OidcConnectionDoc> => {
    const conn = await deps.connections.byId(params.connectionId).catch((err: unknown) => {
      throw isInfrastructureError(err) ? serviceUnavailable(err) : err;
    });
    if (!conn) throw notFound('OIDC connection');
    if (!conn.enabled) throw personRefusal('connection_disabled');
    return conn as OidcConnectionDoc;
  };

  /** The provider's configuration (discovery, cached); unreachable → 503, a document it refuses → 502. */
  const providerConfig = (conn: OidcConnectionDoc) =>
    deps.clients.config(conn).catch((err: unknown) => {
      throw discoveryFailure(err, conn.issuer);
    });

  r.get(
    '/sso/oidc/:connectionId/login',
    route({ params: connectionPath, guard: connectionOf, query: loginQuery }, async ({ auth: conn, query, res }) => {
      const config = await providerConfig(conn);
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      const codeVerifier = oidc.randomPKCECodeVerifier();
      await deps.loginStates.begin({
        state,
        connectionId: String(conn._id),
        nonce,
        codeVerifier,
        returnTo: returnPath(query.returnTo),
        invite: query.invite ?? null,
      });
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: oidcUrls(deps.publicUrl, String(conn._id)).redirectUri,
        scope: conn.scopes.join(' '),
        response_type: 'code',
        state,
        nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
      });
      res.redirect(302, url.href);
    }),
  );

  r.get(
    '/sso/oidc/:connectionId/callback',
    // The rest of the callback URL (code, iss…) is openid-client's to check.
    route({ params: connectionPath, guard: connectionOf, query: callbackQuery }, async ({ auth: conn, query, req, res }) =>
      // The authorization code is spent at the provider: after a 503 the person starts again from the login link.
      completeSignIn(deps, {
        req,
        res,
        target: { tenantId: String(conn.tenantId), connectionId: String(conn._id), type: 'oidc_connection' },
        // OIDC's part: the saved state (one use), the code exchange, the validated claims.
        verify: async () => {
          const stateParam = query.state ?? '';
          // One use: the state is deleted as it is read, and must belong to this connection.
          const saved = await deps.loginStates.take(stateParam, String(conn._id));
          if (!saved) {
            throw rejected('oidc_state_mismatch', 'This sign-in did not start here or has expired. Start again.');
          }
          if (query.error !== undefined) {
            throw rejected('oidc_idp_error', oauthErrorMessage(query.error));
          }
          if (!saved.codeVerifier) throw rejected('oidc_pkce_missing', 'This sign-in has no PKCE verifier. Start again.');
          const config = await providerConfig(conn);
          let claims: Record<string, unknown>;
          try {
            const tokens = await oidc.authorizationCodeGrant(config, new URL(req.originalUrl, deps.publicUrl), {
              expectedState: saved.state,
              expectedNonce: saved.nonce,
              pkceCodeVerifier: saved.codeVerifier,
              idTokenExpected: true,
            });
            const idClaims = tokens.claims();
            if (!idClaims) throw new Error('no ID token');
            // openid-client bounds `iat` in the past only; one from the future is as suspect as an expired one.
            if (idClaims.iat * 1000 > Date.now() + deps.clockSkewMs) {
              throw rejected(
                'oidc_invalid',
                `The identity provider's ID token was issued in the future (iat ${new Date(idClaims.iat * 1000).toISOString()}); check the provider's clock.`,
              );
            }
            // Userinfo for what the ID token leaves out (its subject must match); the ID token's claims win.
            const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, idClaims.sub);
            claims = { ...userinfo, ...idClaims };
          } catch (err) {
            throw providerAnswerRefused(err);
          }
          return {
            claim: oidcToClaim(claims, conn),
            // The sign-in accepts an invitation (http/invitations/routes.ts).
            next: saved.invite ? { kind: 'handoff', handle: saved.invite } : { kind: 'signIn', returnTo: saved.returnTo },
          };
        },
      }),
    ),
  );

  return r;
}
