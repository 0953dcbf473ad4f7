import type { Profile } from '@node-saml/passport-saml';
import { MAX_SUBJECT_LENGTH, type ClaimAttribute, type IdentityClaim } from '../../domain/claim';
import { attributeCandidates } from '../../domain/samlAttributeNames';
import { chooseSubject, NAMEID_FORMATS } from '../../domain/samlSubject';
import type { SamlConnectionDoc } from '../../store/models/samlConnection';
import { samlRejected } from './assertionChecks';
import type { ParsedSamlResponse } from './parsedResponse';

/** The attributes as node-saml's profile holds them (one element per name kept): only when no assertion XML was at hand. */
function profileAttributes(profile: Profile): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [name, v] of Object.entries((profile.attributes ?? {}) as Record<string, unknown>)) {
    out.set(
      name,
      (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string' && x !== ''),
    );
  }
  return out;
}

/**
 * Turn a validated SAML profile into the normalized identity claim, using the
 * connection's attribute mapping (or the conventions of real IdPs where the
 * mapping is the default: domain/samlAttributeNames.ts). Attributes come from
 * the parsed verified assertion (saml/parsedResponse.ts: repeated `<Attribute>` elements merged);
 * names are kept exactly as sent, as a list — never as object keys that could
 * reach the database. The subject follows the NameID rules of
 * domain/samlSubject.ts. Groups absent stay `null` (not `[]`).
 */
export function profileToClaim(profile: Profile, parsed: Pick<ParsedSamlResponse, 'attributes'>, conn: SamlConnectionDoc): IdentityClaim {
  const attrs = parsed.attributes ?? profileAttributes(profile);
  const mapping = conn.attributeMapping ?? { email: 'email', name: 'name', groups: 'groups', custom: {} };
  /** The values of the first candidate attribute present (absent: null). */
  const mapped = (field: 'email' | 'name' | 'groups', configured: string): string[] | null => {
    for (const name of attributeCandidates(field, configured)) {
      const values = attrs.get(name);
      if (values) return values;
    }
    return null;
  };

  const subjectAttribute = conn.subjectAttribute ?? null;
  const choice = chooseSubject({
    nameId: profile.nameID ?? null,
    nameIdFormat: profile.nameIDFormat ?? null,
    subjectAttribute,
    attributeValue: subjectAttribute ? (attrs.get(subjectAttribute)?.[0] ?? null) : null,
    maxLength: MAX_SUBJECT_LENGTH,
  });
  if (!choice.ok) throw samlRejected(choice.reason, choice.message);

  const nameIdIsEmail = profile.nameIDFormat === NAMEID_FORMATS.emailAddress && profile.nameID;
  const email = mapped('email', mapping.email)?.[0] ?? (nameIdIsEmail ? profile.nameID : null);
  const attributes: ClaimAttribute[] = [...attrs].filter(([, values]) => values.length > 0).map(([name, values]) => ({ name, values }));
  return {
    tenantId: String(conn.tenantId),
    connectionId: String(conn._id),
    subject: choice.subject,
    email,
    // The connection's IdP vouches for the email it asserts; which domains it may assert is policy (domain/linking.ts).
    emailVerified: email !== null,
    name: mapped('name', mapping.name)?.[0] ?? null,
    groups: mapped('groups', mapping.groups),
    attributes,
  };
}
