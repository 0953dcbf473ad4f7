import { isInfrastructureError, OnrampError } from '../../errors';

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

/** The messages of the real errors in the chain (never a provider's JSON body), joined and capped. */
const chainText = (chain: unknown[]): string =>
  chain.map((e) => (e instanceof Error ? e.message : '')).filter(Boolean).join(': ').slice(0, 200) || 'invalid response';

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
    return new OnrampError('oidc_provider_unavailable', 'The identity provider cannot be reached right now. Try again in a moment.', { status: 503, cause: err });
  }
  const codes = chain.map((e) => (e instanceof Error && 'code' in e ? String(e.code) : ''));
  const text = chainText(chain);
  if (codes.includes('OAUTH_KEY_SELECTION_FAILED') || /signature/i.test(text)) {
    return rejected('oidc_bad_signature', `The identity provider's ID token signature could not be verified with its published keys (${text}).`, err);
  }
  return rejected('oidc_invalid', `The identity provider's answer was refused: ${text}`, err);
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
    `The identity provider's OpenID configuration (${issuer}/.well-known/openid-configuration) was refused: ${chainText(causes(err))}. An administrator must correct the connection's issuer or the provider.`,
    { status: 502, cause: err },
  );
}
