import { isInfrastructureError, OnrampError } from '../../errors';
import { catalogueMessage } from '../../errorCodes';

/**
 * What an OpenID Provider's failure means for the person signing in: the
 * provider unreachable or failing (5xx, network) is "try again" (503); an
 * answer openid-client refused is a reason code an admin can act on.
 */

/** A sign-in the provider's answer (or its absence) refuses: 401 with a reason code. */
export const rejected = (code: string, message: string, cause?: unknown): OnrampError => new OnrampError(code, message, { status: 401, cause });

/** The errors an error was caused by, outermost first (openid-client wraps what went wrong in a generic error). */
function causes(err: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let e = err; e !== undefined && e !== null && chain.length < 6; e = (e as { cause?: unknown }).cause) chain.push(e);
  return chain;
}

/**
 * What openid-client said, for an admin: its error codes (fixed identifiers
 * such as OAUTH_JWT_CLAIM_COMPARISON_FAILED), never its messages, which can
 * quote what the provider or a browser sent.
 */
const chainCodes = (chain: unknown[]): string => {
  const codes = chain.flatMap((e) =>
    e instanceof Error && 'code' in e && typeof e.code === 'string' && /^[A-Z][A-Z0-9_]{2,63}$/.test(e.code) ? [e.code] : [],
  );
  return codes.length > 0 ? ` (${[...new Set(codes)].join(', ')})` : '';
};

/** The provider did not answer, or answered 5xx (openid-client keeps the `Response` it refused in the chain). */
function providerDown(err: unknown): boolean {
  if (isInfrastructureError(err)) return true;
  return causes(err).some((e) => (e instanceof Error && e.name === 'TimeoutError') || (e instanceof Response && e.status >= 500));
}

/** Why openid-client refused the provider's token answer, as a reason code; an unreachable provider is "try again". */
export function providerAnswerRefused(err: unknown): OnrampError {
  const chain = causes(err);
  const ours = chain.find((e): e is OnrampError => e instanceof OnrampError);
  if (ours) return ours;
  if (providerDown(err)) {
    return new OnrampError('oidc_provider_unavailable', 'The identity provider cannot be reached right now. Try again in a moment.', {
      status: 503,
      cause: err,
    });
  }
  const codes = chain.map((e) => (e instanceof Error && 'code' in e ? String(e.code) : ''));
  const text = chain.map((e) => (e instanceof Error ? e.message : '')).join(': ');
  if (codes.includes('OAUTH_KEY_SELECTION_FAILED') || /signature/i.test(text)) {
    return rejected('oidc_bad_signature', `${catalogueMessage('oidc_bad_signature')}${chainCodes(chain)}`, err);
  }
  return rejected('oidc_invalid', `${catalogueMessage('oidc_invalid')}${chainCodes(chain)}`, err);
}

/**
 * Why discovery failed: unreachable or 5xx → 503 `oidc_discovery_failed`
 * (retry); a document openid-client refuses (wrong issuer, not JSON, 404…)
 * → 502 `oidc_discovery_invalid`, which waits for an admin, not for time.
 */
export function discoveryFailure(err: unknown, issuer: string): OnrampError {
  const ours = causes(err).find((e): e is OnrampError => e instanceof OnrampError);
  if (ours) return ours;
  if (providerDown(err)) {
    return new OnrampError('oidc_discovery_failed', 'The identity provider cannot be reached right now. Try again later.', { status: 503, cause: err });
  }
  return new OnrampError(
    'oidc_discovery_invalid',
    `The identity provider's OpenID configuration (${issuer}/.well-known/openid-configuration) was refused${chainCodes(causes(err))}. An administrator must correct the connection's issuer or the provider.`,
    { status: 502, cause: err },
  );
}

/** The error codes of OAuth 2.0 (RFC 6749 §4.1.2.1) and OpenID Connect Core (§3.1.2.6) an authorization response may carry. */
const OAUTH_ERRORS: ReadonlySet<string> = new Set([
  'invalid_request',
  'unauthorized_client',
  'access_denied',
  'unsupported_response_type',
  'invalid_scope',
  'server_error',
  'temporarily_unavailable',
  'interaction_required',
  'login_required',
  'account_selection_required',
  'consent_required',
  'invalid_request_uri',
  'invalid_request_object',
  'request_not_supported',
  'request_uri_not_supported',
  'registration_not_supported',
]);

/** Why the provider refused, in the product's words: a standard error code is named; anything else (any text a browser can put in the URL) is not repeated. */
export const oauthErrorMessage = (error: string): string =>
  OAUTH_ERRORS.has(error)
    ? `${catalogueMessage('oidc_idp_error')} (${error})`
    : `${catalogueMessage('oidc_idp_error')} (an error code that is not a standard one)`;
