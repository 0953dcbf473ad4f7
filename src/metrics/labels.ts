/**
 * Pure label rules of onramp's metrics: every label value comes from a short,
 * fixed list (or an ID onramp issued), never from untrusted input, so a
 * caller cannot grow the number of series.
 */

export type SignInProtocol = 'saml' | 'oidc' | 'email' | 'invitation' | 'other';

/** The protocol of a sign-in request, from its path (`/sso/saml/…`, `/sso/oidc/…`, `/sso/email/…`, `/invite/…`). */
export function signInProtocolOf(path: string): SignInProtocol {
  const m = /^\/(?:sso\/(saml|oidc|email)(?:\/|$)|(invite)\/)/.exec(path);
  if (m?.[1]) return m[1] as SignInProtocol;
  if (m?.[2]) return 'invitation';
  return 'other';
}

/** A label-safe reason code: onramp's codes are snake_case words; anything else is `other`. */
export const reasonLabel = (reason: string | null | undefined): string => (reason && /^[a-z][a-z0-9_]{0,63}$/.test(reason) ? reason : 'other');

/** An HTTP answer as an outcome: `ok` (2xx/3xx), `refused` (4xx), `rate_limited` (429), `unavailable` (503), `error` (other 5xx). */
export function outcomeOfStatus(status: number): 'ok' | 'refused' | 'rate_limited' | 'unavailable' | 'error' {
  if (status < 400) return 'ok';
  if (status === 429) return 'rate_limited';
  if (status < 500) return 'refused';
  return status === 503 ? 'unavailable' : 'error';
}

/** The SCIM resource a request addresses under `/scim/v2/<directory>`: `Users`, `Groups`, `search` or `discovery`. */
export function scimResourceOf(path: string): 'Users' | 'Groups' | 'search' | 'discovery' {
  const segment = path.split('/').filter(Boolean)[3] ?? '';
  if (segment === 'Users' || segment === 'Groups') return segment;
  if (segment === '.search') return 'search';
  return 'discovery';
}

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
/** An HTTP method as a label: the five SCIM uses, anything else `other`. */
export const methodLabel = (method: string): string => (METHODS.has(method) ? method : 'other');
