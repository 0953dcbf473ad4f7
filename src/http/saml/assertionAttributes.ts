import { DOMParser } from '@xmldom/xmldom';

const SAML = 'urn:oasis:names:tc:SAML:2.0:assertion';

/**
 * Every attribute of a validated assertion (the XML node-saml verified and
 * handed back), merged by Name: IdPs such as Keycloak (group mapper with
 * "Single Group Attribute" off) send one `<Attribute>` element per value,
 * and node-saml's profile keeps only the last of them. Values keep their
 * order and exact text; an empty `<AttributeValue/>` is no value; an
 * attribute present without values maps to `[]` (present, not absent).
 * Signatures are node-saml's business: this only reads the verified XML.
 */
export function assertionAttributes(assertionXml: string): Map<string, string[]> {
  const doc = new DOMParser().parseFromString(assertionXml, 'text/xml') as unknown as Document;
  const out = new Map<string, string[]>();
  for (const attr of Array.from(doc.getElementsByTagNameNS(SAML, 'Attribute'))) {
    const name = attr.getAttribute('Name');
    if (!name) continue;
    const values = out.get(name) ?? [];
    for (const v of Array.from(attr.getElementsByTagNameNS(SAML, 'AttributeValue'))) {
      const text = v.textContent ?? '';
      if (text !== '') values.push(text);
    }
    out.set(name, values);
  }
  return out;
}
