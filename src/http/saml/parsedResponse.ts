import { DOMParser } from '@xmldom/xmldom';
import type { SignatureAlgorithms } from '../../domain/samlAlgorithms';

const SAMLP = 'urn:oasis:names:tc:SAML:2.0:protocol';
const SAML = 'urn:oasis:names:tc:SAML:2.0:assertion';
const DS = 'http://www.w3.org/2000/09/xmldsig#';

/**
 * What the route's checks read of a SAML response node-saml accepted, read
 * from one parse of each of its two documents:
 * - the response as posted (`profile.getSamlResponseXml()`): its root, its
 *   Destination, and the signatures on it and on its Assertion (node-saml's
 *   verified copy no longer carries them);
 * - the assertion node-saml verified (`profile.getAssertionXml()`, the
 *   signed content, not the posted one): its ID, its Recipients and its
 *   attributes.
 */
export interface ParsedSamlResponse {
  /** The root is a SAML 2.0 protocol `Response`. */
  isResponse: boolean;
  /** The Response's Destination, or null when absent or empty. */
  destination: string | null;
  /** The algorithms of the Response's own signature and of its Assertion's own signature (the ones node-saml verifies). */
  signatureAlgorithms: SignatureAlgorithms[];
  /** The verified assertion's ID, or null when it has none (or there is no assertion). */
  assertionId: string | null;
  /** The Recipient of each SubjectConfirmationData of the verified assertion, in order (`''` when absent). */
  recipients: string[];
  /**
   * Every attribute of the verified assertion merged by Name (IdPs such as
   * Keycloak send one `<Attribute>` per value; node-saml's profile keeps only
   * the last). Values keep their order and exact text; an empty
   * `<AttributeValue/>` is no value; an attribute without values maps to
   * `[]`. Null when no assertion XML was at hand.
   */
  attributes: Map<string, string[]> | null;
}

function parse(xml: string): Document | null {
  return xml === '' ? null : (new DOMParser().parseFromString(xml, 'text/xml') as unknown as Document);
}

const children = (el: Element | null | undefined, ns: string, name: string): Element[] =>
  Array.from(el?.childNodes ?? []).filter((n): n is Element => (n as Element).namespaceURI === ns && (n as Element).localName === name);

function algorithmsOf(signature: Element): SignatureAlgorithms {
  const signedInfo = children(signature, DS, 'SignedInfo')[0];
  const method = children(signedInfo, DS, 'SignatureMethod')[0];
  return {
    signatureMethod: method?.getAttribute('Algorithm') ?? null,
    digestMethods: children(signedInfo, DS, 'Reference').map((ref) => children(ref, DS, 'DigestMethod')[0]?.getAttribute('Algorithm') ?? ''),
  };
}

/**
 * node-saml verifies only an element's direct ds:Signature (and refuses an
 * element with more than one): both are read, whichever node-saml relied
 * on, so a strong signature next to a SHA-1 one cannot carry it.
 */
function signatureAlgorithms(root: Element | null | undefined): SignatureAlgorithms[] {
  if (!root || root.namespaceURI !== SAMLP) return [];
  const assertion = children(root, SAML, 'Assertion')[0];
  return [...children(root, DS, 'Signature'), ...children(assertion, DS, 'Signature')].map(algorithmsOf);
}

function attributesOf(doc: Document): Map<string, string[]> {
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

/** Parse the posted response and the verified assertion once each into what every check needs. Signatures are node-saml's business. */
export function parseSamlResponse(responseXml: string, assertionXml: string): ParsedSamlResponse {
  const response = parse(responseXml)?.documentElement;
  const assertionDoc = parse(assertionXml);
  const assertion = assertionDoc?.documentElement;
  return {
    isResponse: !!response && response.namespaceURI === SAMLP && response.localName === 'Response',
    destination: response?.getAttribute('Destination') || null,
    signatureAlgorithms: signatureAlgorithms(response),
    assertionId: assertion?.getAttribute('ID') || null,
    recipients: Array.from(assertion?.getElementsByTagNameNS(SAML, 'SubjectConfirmationData') ?? []).map((c) => c.getAttribute('Recipient') ?? ''),
    attributes: assertionDoc ? attributesOf(assertionDoc) : null,
  };
}
