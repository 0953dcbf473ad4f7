import type { Profile } from '@node-saml/passport-saml';
import { MAX_SUBJECT_LENGTH, type ClaimAttribute, type IdentityClaim } from '../../domain/claim';
import type { SamlConnectionDoc } from '../../db/models/samlConnection';
import { hasAttribute, samlRejected } from './assertionChecks';

const EMAIL_NAMEID = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';

/** An attribute's values as strings; an empty `<AttributeValue/>` is no value. */
function values(v: unknown): string[] | null {
  if (v === undefined || v === null) return null;
  const list = Array.isArray(v) ? v : [v];
  return list.filter((x): x is string => typeof x === 'string' && x !== '');
}

/** Asserted groups, exactly as sent; `[]` for an attribute without values, `null` only when it is absent. */
function groupValues(profile: Profile, attrs: ReadonlyMap<string, unknown>, name: string): string[] | null {
  const list = values(attrs.get(name));
  if (list) return list;
  const xml = typeof profile.getAssertionXml === 'function' ? profile.getAssertionXml() : null;
  return xml && hasAttribute(xml, name) ? [] : null;
}

/**
 * Turn a validated SAML profile into the normalized identity claim, using the
 * connection's attribute mapping. Attribute names are kept exactly as the IdP
 * sent them (claim URIs, `urn:oid:` names…) as a list, never as object keys
 * that could reach the database. Group values are kept exactly as asserted; a
 * missing groups attribute stays `null` (not `[]`).
 */
export function profileToClaim(profile: Profile, conn: SamlConnectionDoc): IdentityClaim {
  const subject = profile.nameID;
  if (!subject || subject.length > MAX_SUBJECT_LENGTH) throw samlRejected('saml_bad_subject', 'SAML assertion has no usable NameID');
  const mapping = conn.attributeMapping ?? { email: 'email', name: 'name', groups: 'groups', custom: {} };
  // node-saml hands the attributes over as an object keyed by Name; read it as a map of own entries only.
  const attrs = new Map<string, unknown>(Object.entries((profile.attributes ?? {}) as Record<string, unknown>));
  const email = values(attrs.get(mapping.email))?.[0] ?? (profile.nameIDFormat === EMAIL_NAMEID ? subject : null);
  const attributes: ClaimAttribute[] = [];
  for (const [name, v] of attrs) {
    const list = values(v);
    if (list) attributes.push({ name, values: list });
  }
  return {
    tenantId: String(conn.tenantId),
    connectionId: String(conn._id),
    subject,
    email,
    // The connection's IdP vouches for the email it asserts; which domains it may assert is policy (see issue on linking).
    emailVerified: email !== null,
    name: values(attrs.get(mapping.name))?.[0] ?? null,
    groups: groupValues(profile, attrs, mapping.groups),
    attributes,
  };
}
