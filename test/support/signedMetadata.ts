import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import type { IdpKeys } from '../../src/demo/samlIdp';

const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DS = 'http://www.w3.org/2000/09/xmldsig#';
const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const ALGORITHMS = {
  sha256: { signature: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256', digest: 'http://www.w3.org/2001/04/xmlenc#sha256' },
  sha1: { signature: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1', digest: 'http://www.w3.org/2000/09/xmldsig#sha1' },
};

const parse = (xml: string) => new DOMParser().parseFromString(xml, 'application/xml') as unknown as Document;
const serialize = (doc: Document) => new XMLSerializer().serializeToString(doc as unknown as Node);

/**
 * Signs IdP metadata as an IdP does (Entra ID, AD FS): an enveloped
 * signature, the first child of the root, by xml-crypto. `reference`:
 * `root-id` gives the root an ID and references it (`#…`), `empty` uses
 * URI "" (the whole document); `covers` signs another element instead of
 * the root (an XPath), the signature still placed at the root.
 */
export function signMetadata(
  xml: string,
  keys: IdpKeys,
  { reference = 'root-id', covers, algorithm = 'sha256' }: { reference?: 'root-id' | 'empty'; covers?: string; algorithm?: keyof typeof ALGORITHMS } = {},
): string {
  let input = xml;
  if (reference === 'root-id' && !covers) {
    const doc = parse(xml);
    doc.documentElement?.setAttribute('ID', `_metadata${Date.now()}`);
    input = serialize(doc);
  }
  const sig = new SignedXml({
    privateKey: keys.privateKey,
    publicCert: keys.certificate,
    signatureAlgorithm: ALGORITHMS[algorithm].signature,
    canonicalizationAlgorithm: EXC_C14N,
  });
  sig.addReference({
    xpath: covers ?? '/*',
    transforms: [ENVELOPED, EXC_C14N],
    digestAlgorithm: ALGORITHMS[algorithm].digest,
    isEmptyUri: reference === 'empty' && !covers,
  });
  sig.computeSignature(input, { location: { reference: '/*', action: 'prepend' } });
  return sig.getSignedXml();
}

/**
 * Signature wrapping: `signed` (a document signed over its root) moved
 * inside the Extensions of a forged EntityDescriptor for the same entity
 * whose SSO URL is `ssoUrl`. `signature`: where the original signature goes
 * — `inside` (stays on the moved copy), `root` (moved to the forged root,
 * still referencing the copy), `root-same-id` (moved to the forged root,
 * which takes the copy's ID).
 */
export function wrapSignedMetadata(signed: string, forged: string, signature: 'inside' | 'root' | 'root-same-id'): string {
  const original = parse(signed).documentElement;
  const doc = parse(forged);
  const root = doc.documentElement;
  if (!original || !root) throw new Error('not a document');
  const copy = doc.importNode(original, true) as Element;
  const extensions = doc.createElementNS(MD, 'Extensions');
  extensions.appendChild(copy);
  root.insertBefore(extensions, root.firstChild);
  if (signature !== 'inside') {
    const sigEl = Array.from(copy.childNodes).find((n): n is Element => n.nodeType === 1 && (n as Element).namespaceURI === DS);
    if (!sigEl) throw new Error('the signed document has no signature at its root');
    copy.removeChild(sigEl);
    root.insertBefore(sigEl, root.firstChild);
    if (signature === 'root-same-id') root.setAttribute('ID', copy.getAttribute('ID') ?? '');
  }
  return serialize(doc);
}
