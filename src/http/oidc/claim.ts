import { MAX_SUBJECT_LENGTH, type ClaimAttribute, type IdentityClaim } from '../../domain/claim';
import type { OidcConnectionDoc } from '../../store/models/oidcConnection';
import { OnrampError } from '../../errors';

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/**
 * Turn validated OIDC claims (ID token, then userinfo) into the normalized
 * identity claim. The identity is (issuer, sub) — the connection pins the
 * issuer — never the email. `email_verified` must be literally true for any
 * email-based decision; groups absent stay `null` (not `[]`).
 */
export function oidcToClaim(claims: Record<string, unknown>, conn: OidcConnectionDoc): IdentityClaim {
  const sub = str(claims.sub);
  if (!sub || sub.length > MAX_SUBJECT_LENGTH) throw new OnrampError('oidc_bad_subject', 'The identity provider sent no usable subject', { status: 401 });
  const m = conn.claimMapping ?? { email: 'email', emailVerified: 'email_verified', name: 'name', groups: 'groups' };
  const rawGroups = claims[m.groups];
  const groups =
    rawGroups === undefined || rawGroups === null
      ? null
      : (Array.isArray(rawGroups) ? rawGroups : [rawGroups]).filter((g): g is string => typeof g === 'string' && g !== '');
  // Claim names are the IdP's: kept as a list of { name, values }, never as object keys that could reach the database.
  const attributes: ClaimAttribute[] = [];
  for (const [name, v] of Object.entries(claims)) {
    const list = (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string');
    if (list.length > 0) attributes.push({ name, values: list });
  }
  return {
    tenantId: String(conn.tenantId),
    connectionId: String(conn._id),
    subject: sub,
    email: str(claims[m.email]),
    emailVerified: claims[m.emailVerified] === true,
    name: str(claims[m.name]),
    groups,
    attributes,
    protocol: 'oidc',
  };
}
