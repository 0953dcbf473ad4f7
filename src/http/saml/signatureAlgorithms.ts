import { DOMParser } from '@xmldom/xmldom';
import type { SignatureAlgorithms } from '../../domain/samlAlgorithms';

const SAMLP = 'urn:oasis:names:tc:SAML:2.0:protocol';
const SAML = 'urn:oasis:names:tc:SAML:2.0:assertion';
const DS = 'http://www.w3.org/2000/09/xmldsig#';

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
 * The algorithms of the signatures node-saml verifies, in the response it
 * accepted: the Response's own signature and its Assertion's own signature
 * (node-saml verifies only an element's direct ds:Signature, and refuses an
 * element with more than one). Both are read, whichever node-saml relied
 * on, so a strong signature next to a SHA-1 one cannot carry it.
 */
export function verifiedSignatureAlgorithms(responseXml: string): SignatureAlgorithms[] {
  const root = (new DOMParser().parseFromString(responseXml, 'text/xml') as unknown as Document).documentElement;
  if (!root || root.namespaceURI !== SAMLP) return [];
  const assertion = children(root, SAML, 'Assertion')[0];
  return [...children(root, DS, 'Signature'), ...children(assertion, DS, 'Signature')].map(algorithmsOf);
}
