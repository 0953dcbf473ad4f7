import { X509Certificate } from 'node:crypto';
import { SignedXml } from 'xml-crypto';
import {
  decideSignatureCheck,
  decideSignatureShape,
  METADATA_DIGEST_ALGORITHMS,
  METADATA_SIGNATURE_ALGORITHMS,
  type MetadataSignatureShape,
  type SignatureCheck,
} from '../domain/samlMetadataSignature';
import { OnrampError } from '../errors';
import { children, parseMetadataDocument } from './samlMetadataReader';

/**
 * Verifies an IdP metadata document's XML signature with the connection's
 * metadata signing certificate (xml-crypto does the canonicalization and
 * cryptography), and hands back only what the signature covers: the signed
 * root as xml-crypto canonicalized it, for the reader to take the entity ID,
 * SSO URL and certificates from. The document is first parsed strictly (a
 * DOCTYPE, a parser error or an oversized document refused as when unsigned);
 * its signature's form is then decided by domain/samlMetadataSignature.ts.
 */

const DS = 'http://www.w3.org/2000/09/xmldsig#';
/** The attributes xml-crypto resolves a Reference's `#id` by. */
const ID_ATTRIBUTES = ['ID', 'Id', 'id'];

const refused = (message: string) => new OnrampError('saml_metadata_signature_invalid', message);

/** Only these entries of one of xml-crypto's algorithm tables (whatever element it reads an algorithm from, SHA-1 is never run). */
const only = <T extends Record<string, unknown>>(table: T, names: readonly string[]): T =>
  Object.fromEntries(Object.entries(table).filter(([name]) => names.includes(name))) as T;

const idsOf = (el: Element): string[] =>
  Array.from(el.attributes)
    .filter((a) => ID_ATTRIBUTES.includes(a.localName ?? a.name))
    .map((a) => a.value);

/** The root's one signature (if exactly one) and the shape the rules decide on. */
function shapeOf(root: Element): { shape: MetadataSignatureShape; signature: Element | null } {
  const atRoot = children(root, DS, 'Signature');
  const all = Array.from(root.getElementsByTagNameNS(DS, 'Signature'));
  const signature = atRoot.length === 1 ? (atRoot[0] ?? null) : null;
  const signedInfos = signature ? children(signature, DS, 'SignedInfo') : [];
  const signedInfo = signedInfos.length === 1 ? signedInfos[0] : undefined;
  const method = signedInfo ? children(signedInfo, DS, 'SignatureMethod')[0] : undefined;
  const references = signedInfo
    ? children(signedInfo, DS, 'Reference').map((r) => ({
        uri: r.getAttribute('URI'),
        digestAlgorithm: children(r, DS, 'DigestMethod')[0]?.getAttribute('Algorithm') ?? null,
      }))
    : [];
  // An element besides the root carrying the ID a Reference names: the Reference could resolve to it (wrapping).
  const named = references.map((r) => r.uri).filter((u): u is string => u !== null && u.startsWith('#') && u.length > 1);
  const descendants = Array.from(root.getElementsByTagName('*'));
  return {
    signature,
    shape: {
      rootIds: idsOf(root),
      referencedIdsElsewhere: descendants.some((el) => idsOf(el).some((id) => named.includes(`#${id}`))),
      rootSignatures: atRoot.length,
      otherSignatures: all.length - atRoot.length,
      signatureAlgorithm: method?.getAttribute('Algorithm') ?? null,
      references,
      signedInfos: signedInfos.length,
    },
  };
}

/** What xml-crypto says of the signature, made with the certificate's key (KeyInfo in the document is never used). */
function check(xml: string, signature: Element, publicCert: string): { check: SignatureCheck; signed: string | null } {
  const sig = new SignedXml({ publicCert, getCertFromKeyInfo: () => null });
  sig.SignatureAlgorithms = only(sig.SignatureAlgorithms, METADATA_SIGNATURE_ALGORITHMS);
  sig.HashAlgorithms = only(sig.HashAlgorithms, METADATA_DIGEST_ALGORITHMS);
  try {
    sig.loadSignature(signature as unknown as Node);
    if (!sig.checkSignature(xml)) return { check: 'digest_mismatch', signed: null };
  } catch (err) {
    const message = err instanceof Error ? err.message : '';
    return { check: /signature value .* is incorrect/.test(message) ? 'wrong_key' : 'unreadable', signed: null };
  }
  const signed = sig.getSignedReferences();
  return signed.length === 1 && signed[0] ? { check: 'verified', signed: signed[0] } : { check: 'unreadable', signed: null };
}

/**
 * The part of the document its signature covers (the whole root element, as
 * canonicalized) when it carries exactly one valid signature, over its root,
 * made with `certificate` (a PEM body); otherwise refused with
 * `saml_metadata_signature_invalid` and why.
 */
export function verifiedMetadata(xml: string, certificate: string): string {
  const pem = `-----BEGIN CERTIFICATE-----\n${certificate}\n-----END CERTIFICATE-----\n`;
  const named = `SHA-256 ${new X509Certificate(pem).fingerprint256}`;
  const { shape, signature } = shapeOf(parseMetadataDocument(xml));
  const form = decideSignatureShape(shape, named);
  if (!form.ok) throw refused(form.message);
  if (!signature) throw refused("The metadata's signature could not be checked.");
  const result = check(xml, signature, pem);
  const decision = decideSignatureCheck(result.check, named);
  if (!decision.ok) throw refused(decision.message);
  if (result.signed === null) throw refused("The metadata's signature could not be checked.");
  return result.signed;
}
