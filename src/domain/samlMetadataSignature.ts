/**
 * Whether a metadata document's signature may be checked at all, and what
 * its check means, decided purely: the verifier
 * (library/samlMetadataSignature.ts) describes the document's root and its
 * signature, these rules refuse anything but one signature, at the root,
 * over the root (so no signed copy moved elsewhere, and no signature over a
 * child, can vouch for values read from the rest), with SHA-256 or stronger.
 */

const DSIG = 'http://www.w3.org/2000/09/xmldsig#';
const DSIG_MORE = 'http://www.w3.org/2001/04/xmldsig-more#';
const XMLENC = 'http://www.w3.org/2001/04/xmlenc#';

/** Signature methods accepted on metadata: RSA with SHA-256 or SHA-512 (SHA-1 is refused). */
export const METADATA_SIGNATURE_ALGORITHMS = [`${DSIG_MORE}rsa-sha256`, `${DSIG_MORE}rsa-sha512`, 'http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1'];
/** Digest methods accepted on metadata. */
export const METADATA_DIGEST_ALGORITHMS = [`${XMLENC}sha256`, `${XMLENC}sha512`];
const SHA1 = [`${DSIG}rsa-sha1`, `${DSIG}sha1`];

/** What the verifier found at the document's root (nothing checked yet). */
export interface MetadataSignatureShape {
  /** The root's ID values (attributes ID, Id or id): a Reference may name the root by one of them. */
  rootIds: string[];
  /** Whether an element inside the root carries an ID a Reference names (it could resolve there instead: wrapping). */
  referencedIdsElsewhere: boolean;
  /** Signature elements that are children of the root. */
  rootSignatures: number;
  /** Signature elements anywhere else in the document (inside entities of an aggregate, or moved there). */
  otherSignatures: number;
  /** Of the root's one signature: its SignatureMethod and each Reference's URI and DigestMethod. */
  signatureAlgorithm: string | null;
  references: Array<{ uri: string | null; digestAlgorithm: string | null }>;
  /** SignedInfo elements of that signature. */
  signedInfos: number;
}

/** How the cryptographic check (xml-crypto) ended. */
export type SignatureCheck = 'verified' | 'digest_mismatch' | 'wrong_key' | 'unreadable';

export type MetadataSignatureDecision = { ok: true } | { ok: false; code: 'saml_metadata_signature_invalid'; message: string };

const refuse = (message: string): MetadataSignatureDecision => ({ ok: false, code: 'saml_metadata_signature_invalid', message });

/** Whether the signature's form may be checked: exactly one, at the root, whose one Reference is the root, with strong algorithms. */
export function decideSignatureShape(shape: MetadataSignatureShape, certificate: string): MetadataSignatureDecision {
  if (shape.rootSignatures === 0)
    return refuse(
      shape.otherSignatures > 0
        ? `The metadata has no signature over its root element (a signature inside it does not cover the document); this connection requires metadata signed with its metadata signing certificate (${certificate}).`
        : `The metadata is not signed; this connection requires metadata signed with its metadata signing certificate (${certificate}).`,
    );
  if (shape.rootSignatures > 1) return refuse(`The metadata carries ${shape.rootSignatures} signatures at its root; exactly one is accepted.`);
  if (shape.signedInfos !== 1 || shape.references.length === 0)
    return refuse("The metadata's signature could not be read (it needs one SignedInfo with a Reference).");
  if (shape.references.length > 1)
    return refuse(`The metadata's signature has ${shape.references.length} References; exactly one, to the root element, is accepted.`);
  const [reference] = shape.references;
  const uri = reference?.uri ?? null;
  const toRoot = uri === '' || (uri !== null && uri.startsWith('#') && shape.rootIds.includes(uri.slice(1)));
  if (!toRoot)
    return refuse(`The metadata's signature does not cover the whole document: its Reference must name the root element (URI "" or "#" and the root's ID).`);
  if (shape.referencedIdsElsewhere)
    return refuse("The metadata's signature does not cover the whole document: an element inside it carries the ID its Reference names.");
  const weak = [shape.signatureAlgorithm, reference?.digestAlgorithm].find((a) => a !== null && a !== undefined && SHA1.includes(a));
  if (weak) return refuse('The metadata is signed with SHA-1, which is refused: metadata signatures must use SHA-256 or stronger.');
  if (!shape.signatureAlgorithm || !METADATA_SIGNATURE_ALGORITHMS.includes(shape.signatureAlgorithm))
    return refuse("The metadata's signature method is not accepted: RSA with SHA-256 or SHA-512 is.");
  if (!reference?.digestAlgorithm || !METADATA_DIGEST_ALGORITHMS.includes(reference.digestAlgorithm))
    return refuse("The metadata's digest method is not accepted: SHA-256 or SHA-512 is.");
  return { ok: true };
}

/** What the cryptographic check means for the document, in the product's words. */
export function decideSignatureCheck(check: SignatureCheck, certificate: string): MetadataSignatureDecision {
  switch (check) {
    case 'verified':
      return { ok: true };
    case 'digest_mismatch':
      return refuse('The metadata was changed after it was signed: its digest does not match the one its signature covers.');
    case 'wrong_key':
      return refuse(`The metadata's signature was not made by this connection's metadata signing certificate (${certificate}).`);
    case 'unreadable':
      return refuse("The metadata's signature could not be checked (it uses a transform or form onramp does not accept).");
  }
}
