/**
 * Which XML signature algorithms a SAML connection accepts: SHA-256 or
 * stronger for both the signature (SignatureMethod) and the digest of what
 * it signs (DigestMethod). SHA-1 (RSA-SHA1 signatures, SHA-1 digests) only
 * on a connection whose admin turned on `allowSha1` for a legacy IdP. Pure:
 * the route reads the algorithms of the signatures node-saml verified.
 */

/** The algorithms one XML signature names. */
export interface SignatureAlgorithms {
  /** SignedInfo/SignatureMethod/@Algorithm. */
  signatureMethod: string | null;
  /** SignedInfo/Reference/DigestMethod/@Algorithm, one per reference. */
  digestMethods: readonly string[];
}

const DSIG = 'http://www.w3.org/2000/09/xmldsig#';
const DSIG_MORE = 'http://www.w3.org/2001/04/xmldsig-more#';
const XMLENC = 'http://www.w3.org/2001/04/xmlenc#';

/** SHA-1 algorithms, by the name an admin knows them by. */
const SHA1_ALGORITHMS: Readonly<Record<string, string>> = {
  [`${DSIG}rsa-sha1`]: 'RSA-SHA1',
  [`${DSIG}dsa-sha1`]: 'DSA-SHA1',
  [`${DSIG}hmac-sha1`]: 'HMAC-SHA1',
  [`${DSIG_MORE}ecdsa-sha1`]: 'ECDSA-SHA1',
  [`${DSIG}sha1`]: 'SHA-1 (digest)',
};

/** SHA-256 or stronger. */
const STRONG_ALGORITHMS: ReadonlySet<string> = new Set([
  `${DSIG_MORE}rsa-sha256`,
  `${DSIG_MORE}rsa-sha384`,
  `${DSIG_MORE}rsa-sha512`,
  `${DSIG_MORE}ecdsa-sha256`,
  `${DSIG_MORE}ecdsa-sha384`,
  `${DSIG_MORE}ecdsa-sha512`,
  `${XMLENC}sha256`,
  `${DSIG_MORE}sha384`,
  `${XMLENC}sha512`,
]);

/** How an algorithm is named in a message: its common name, never the posted text of one onramp does not know. */
export const algorithmName = (uri: string | null): string =>
  uri === null
    ? 'no algorithm'
    : (SHA1_ALGORITHMS[uri] ?? (STRONG_ALGORITHMS.has(uri) ? uri.slice(uri.indexOf('#') + 1).toUpperCase() : 'an unsupported algorithm'));

export interface WeakAlgorithm {
  reason: 'saml_weak_algorithm';
  /** The refused algorithms' names (e.g. `RSA-SHA1`, `SHA-1 (digest)`). */
  algorithms: string[];
  message: string;
}

/**
 * Whether the signatures' algorithms are acceptable: null when every one is
 * SHA-256 or stronger (or SHA-1 with `allowSha1`); otherwise the refusal, with
 * a message naming what the IdP used and what to change.
 */
export function weakAlgorithm(signatures: readonly SignatureAlgorithms[], allowSha1: boolean): WeakAlgorithm | null {
  const used = signatures.flatMap((s) => [s.signatureMethod, ...s.digestMethods]);
  const refused = used.filter((uri) => !(uri !== null && (STRONG_ALGORITHMS.has(uri) || (allowSha1 && uri in SHA1_ALGORITHMS))));
  if (refused.length === 0) return null;
  const algorithms = [...new Set(refused.map(algorithmName))];
  const sha1 = refused.some((uri) => uri !== null && uri in SHA1_ALGORITHMS);
  return {
    reason: 'saml_weak_algorithm',
    algorithms,
    message: sha1
      ? `The IdP signed with ${algorithms.join(' and ')}, which this connection refuses: SHA-1 no longer protects signatures. Set the IdP's signing algorithm to RSA-SHA256 (ADFS: the relying party trust's Advanced tab, secure hash algorithm SHA-256), or, only for a legacy IdP that cannot, turn on the connection's allowSha1.`
      : `The IdP signed with ${algorithms.join(' and ')}; this connection accepts RSA or ECDSA signatures with SHA-256, SHA-384 or SHA-512. Set the IdP's signing algorithm to RSA-SHA256.`,
  };
}
