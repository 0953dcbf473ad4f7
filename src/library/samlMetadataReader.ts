import { X509Certificate } from 'node:crypto';
import { DOMParser } from '@xmldom/xmldom';
import { MAX_METADATA_BYTES, type MetadataCertificate, type ReadMetadata } from '../domain/samlMetadata';
import { OnrampError } from '../errors';

/**
 * Reads an IdP's SAML metadata document with @xmldom/xmldom, by namespace
 * and local name (any prefix, or none, as Okta, Entra ID and ADFS write
 * them): the entity ID, the IDPSSODescriptor's SingleSignOnServices and the
 * X.509 certificates of its signing KeyDescriptors. Nothing is decided here
 * (domain/samlMetadata.ts does); a document that is too large, carries a
 * DOCTYPE or is not well-formed XML is refused before anything is read.
 */

const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DS = 'http://www.w3.org/2000/09/xmldsig#';
const SAML2_PROTOCOL = 'urn:oasis:names:tc:SAML:2.0:protocol';
const ELEMENT_NODE = 1;
const DOCUMENT_TYPE_NODE = 10;

const refused = (code: string, message: string, status?: number) => new OnrampError(code, message, status ? { status } : {});

/** The element children of `el` with this namespace and local name. */
export function children(el: Element, ns: string, name: string): Element[] {
  const out: Element[] = [];
  for (let n: Node | null = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === ELEMENT_NODE) {
      const child = n as Element;
      if (child.namespaceURI === ns && child.localName === name) out.push(child);
    }
  }
  return out;
}

const isIdpDescriptor = (el: Element): boolean => (el.getAttribute('protocolSupportEnumeration') ?? '').split(/\s+/).includes(SAML2_PROTOCOL);

/**
 * The document's root element, parsed strictly: a document over
 * MAX_METADATA_BYTES, with a DOCTYPE, or with any parser error or warning is
 * refused (the parser's text is not repeated: it quotes the input).
 */
export function parseMetadataDocument(xml: string): Element {
  if (Buffer.byteLength(xml, 'utf8') > MAX_METADATA_BYTES)
    throw refused('saml_metadata_too_large', `The metadata document is larger than ${MAX_METADATA_BYTES / 1024 / 1024} MB.`, 413);
  const problems: string[] = [];
  const note = (m: string) => void problems.push(m);
  let doc: Document | undefined;
  try {
    const parser = new DOMParser({ errorHandler: { warning: note, error: note, fatalError: note } });
    doc = parser.parseFromString(xml, 'application/xml') as unknown as Document | undefined;
  } catch {
    throw refused('saml_metadata_invalid', 'The metadata is not well-formed XML.');
  }
  for (let n: Node | null = doc?.firstChild ?? null; n; n = n.nextSibling) {
    if (n.nodeType === DOCUMENT_TYPE_NODE)
      throw refused('saml_metadata_doctype', 'The metadata carries a DOCTYPE (a DTD or entity declarations), which is refused: SAML metadata has none.');
  }
  const root = doc?.documentElement;
  if (problems.length > 0 || !root) throw refused('saml_metadata_invalid', 'The metadata is not well-formed XML.');
  return root;
}

function certificateOf(text: string): MetadataCertificate | null {
  const body = text.replace(/\s+/g, '');
  const der = Buffer.from(body, 'base64');
  if (body.length === 0 || der.toString('base64') !== body) return null;
  try {
    const cert = new X509Certificate(der);
    return {
      body,
      fingerprint256: cert.fingerprint256,
      notBefore: new Date(cert.validFrom).toISOString(),
      notAfter: new Date(cert.validTo).toISOString(),
    };
  } catch {
    return null;
  }
}

/** The document's IdP: an EntityDescriptor, or the one EntityDescriptor with an IdP role inside an EntitiesDescriptor. */
function entityOf(root: Element): Element | null {
  if (root.namespaceURI === MD && root.localName === 'EntityDescriptor') return root;
  if (root.namespaceURI !== MD || root.localName !== 'EntitiesDescriptor') return null;
  const idps = children(root, MD, 'EntityDescriptor').filter((e) => children(e, MD, 'IDPSSODescriptor').some(isIdpDescriptor));
  if (idps.length > 1)
    throw refused(
      'saml_metadata_invalid',
      `The metadata is an aggregate of ${idps.length} identity providers; give the metadata of the one this connection is for.`,
    );
  return idps[0] ?? children(root, MD, 'EntityDescriptor')[0] ?? null;
}

/** The `validUntil` attributes of these elements, as written. */
const validUntilOf = (...elements: Array<Element | undefined>): string[] =>
  elements.flatMap((el) => (el?.hasAttribute('validUntil') ? [el.getAttribute('validUntil') ?? ''] : []));

export function readSamlMetadata(xml: string): ReadMetadata {
  const root = parseMetadataDocument(xml);
  const entity = entityOf(root);
  if (!entity)
    return { entityId: null, idpDescriptors: 0, ssoServices: [], signingCertificates: [], unreadableCertificates: 0, validUntil: validUntilOf(root) };
  const descriptors = children(entity, MD, 'IDPSSODescriptor').filter(isIdpDescriptor);
  const idp = descriptors[0];
  const read: ReadMetadata = {
    entityId: entity.getAttribute('entityID'),
    idpDescriptors: descriptors.length,
    ssoServices: [],
    signingCertificates: [],
    unreadableCertificates: 0,
    validUntil: validUntilOf(...new Set([root, entity, idp])),
  };
  if (!idp) return read;
  read.ssoServices = children(idp, MD, 'SingleSignOnService').map((s) => ({
    binding: s.getAttribute('Binding') ?? '',
    location: s.getAttribute('Location') ?? '',
  }));
  for (const key of children(idp, MD, 'KeyDescriptor')) {
    const use = key.getAttribute('use');
    if (use !== null && use !== '' && use !== 'signing') continue;
    for (const info of children(key, DS, 'KeyInfo'))
      for (const data of children(info, DS, 'X509Data'))
        for (const certEl of children(data, DS, 'X509Certificate')) {
          const cert = certificateOf(certEl.textContent ?? '');
          if (cert) read.signingCertificates.push(cert);
          else read.unreadableCertificates += 1;
        }
  }
  return read;
}
