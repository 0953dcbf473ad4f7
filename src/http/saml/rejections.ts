import { X509Certificate } from 'node:crypto';
import { DOMParser } from '@xmldom/xmldom';
import { signatureProblem, type SignaturePolicy } from '../../domain/samlSignatures';
import { OnrampError } from '../../errors';
import { catalogueMessage } from '../../errorCodes';
import { certificatePem } from '../../crypto/spSigningKey';
import { samlRejected } from './assertionChecks';

const SAMLP = 'urn:oasis:names:tc:SAML:2.0:protocol';
const SAML = 'urn:oasis:names:tc:SAML:2.0:assertion';
const DS = 'http://www.w3.org/2000/09/xmldsig#';

/** What the connection expects, for messages an IdP admin can act on. */
export interface SamlExpectations {
  signatures: SignaturePolicy;
  /** PEM bodies of the connection's IdP certificates. */
  certificates: readonly string[];
  spEntityId: string;
}

interface Seen {
  response: boolean;
  assertion: boolean;
  /** SHA-256 fingerprint of the first certificate in a signature's KeyInfo, when the IdP included one. */
  keyInfoFingerprint: string | null;
}

const fingerprint = (body: string): string | null => {
  try {
    return new X509Certificate(certificatePem(body)).fingerprint256;
  } catch {
    return null;
  }
};

/** Signature elements present in the posted XML (presence and KeyInfo only, for the message: node-saml verifies). */
function signaturesIn(responseXml: string): Seen {
  const doc = new DOMParser().parseFromString(responseXml, 'text/xml') as unknown as Document;
  const root = doc.documentElement;
  const directSignature = (el: Element | null | undefined) =>
    Array.from(el?.childNodes ?? []).some((n) => (n as Element).namespaceURI === DS && (n as Element).localName === 'Signature');
  const assertion = root?.namespaceURI === SAMLP ? Array.from(root.getElementsByTagNameNS(SAML, 'Assertion'))[0] : undefined;
  const keyInfo = Array.from(doc.getElementsByTagNameNS(DS, 'X509Certificate'))[0]?.textContent?.replace(/\s+/g, '') ?? null;
  return { response: directSignature(root), assertion: directSignature(assertion), keyInfoFingerprint: keyInfo ? fingerprint(keyInfo) : null };
}

/** The connection's certificates with their fingerprints and whether each has expired. */
export function connectionCertificates(certificates: readonly string[], now = Date.now()): Array<{ fingerprint: string; expired: boolean; validTo: string }> {
  return certificates.flatMap((body) => {
    try {
      const cert = new X509Certificate(certificatePem(body));
      return [{ fingerprint: cert.fingerprint256, expired: new Date(cert.validTo).getTime() < now, validTo: new Date(cert.validTo).toISOString() }];
    } catch {
      return [];
    }
  });
}

/** The certificates to verify with: those unexpired, each judged on its own (one that does not parse is dropped). */
export function unexpiredCertificates(certificates: readonly string[], now = Date.now()): string[] {
  return certificates.filter((body) => connectionCertificates([body], now)[0]?.expired === false);
}

/** Refuse before validating when every certificate of the connection has expired. */
export function certificatesExpired(certificates: readonly string[], now = Date.now()): OnrampError | null {
  const certs = connectionCertificates(certificates, now);
  if (certs.length === 0 || certs.some((c) => !c.expired)) return null;
  return samlRejected(
    'saml_certificate_expired',
    `Every IdP signing certificate of this connection has expired (${certs.map((c) => `${c.fingerprint} on ${c.validTo}`).join('; ')}). Upload the IdP's current signing certificate.`,
  );
}

function signatureRejection(seen: Seen, expect: SamlExpectations): OnrampError {
  const problem = signatureProblem(expect.signatures, seen);
  switch (problem) {
    case 'unsigned':
      return samlRejected(
        'saml_unsigned',
        'The IdP signed neither the SAML response nor the assertion. Turn on signing at the IdP (e.g. Entra ID: "Sign SAML assertion"; Keycloak: "Sign documents").',
      );
    case 'response_unsigned':
      return samlRejected(
        'saml_response_unsigned',
        `This connection requires a signed response (signatures: "${expect.signatures}"), but the IdP signed only the assertion. Sign the response at the IdP, or set the connection's signatures to "either" or "assertion".`,
      );
    case 'assertion_unsigned':
      return samlRejected(
        'saml_assertion_unsigned',
        `This connection requires a signed assertion (signatures: "${expect.signatures}"), but the IdP signed only the response. Sign the assertion at the IdP, or set the connection's signatures to "either" or "response".`,
      );
    case 'bad_signature': {
      const certs = connectionCertificates(expect.certificates);
      const expected = certs.map((c) => c.fingerprint).join(', ') || '(none)';
      const match = seen.keyInfoFingerprint ? certs.find((c) => c.fingerprint === seen.keyInfoFingerprint) : undefined;
      if (match?.expired) {
        return samlRejected(
          'saml_certificate_expired',
          `The response is signed with this connection's certificate ${match.fingerprint}, which expired on ${match.validTo}. Upload the IdP's current signing certificate.`,
        );
      }
      if (seen.keyInfoFingerprint && !match) {
        return samlRejected(
          'saml_wrong_certificate',
          `The response is signed with a certificate that is not this connection's (SHA-256 fingerprint seen: ${seen.keyInfoFingerprint}; expected: ${expected}). Upload the IdP's current signing certificate to the connection.`,
        );
      }
      return samlRejected(
        'saml_invalid_signature',
        `The signature does not verify with this connection's certificate (expected: ${expected}): the response was altered after signing, or signed by another key.`,
      );
    }
  }
}

/**
 * Turn a node-saml validation error into a reason code and a message an IdP
 * admin can act on (what was seen, what the connection expects), with no
 * secrets and no stack trace. node-saml's own text is read to recognize the
 * case, never repeated: it can quote the posted XML (a parser's diagnostic
 * naming an attacker's entity). Anything unrecognized stays `saml_invalid`
 * with the catalogue's message.
 */
export function samlValidationRejection(err: Error, responseXml: string, expect: SamlExpectations): OnrampError {
  const text = err.message;
  // The XML parser refused the document (malformed, an undeclared entity…): its diagnostic quotes the input.
  if (/^\[xmldom (error|fatalError)\]|^Not a valid XML document/.test(text)) return samlRejected('saml_malformed', catalogueMessage('saml_malformed'));
  if (/^Invalid (document )?signature($|:? No response found| from encrypted assertion)/.test(text))
    return signatureRejection(signaturesIn(responseXml), expect);
  const audience = /^SAML assertion audience mismatch\. Expected: (.*) Received: (.*)$/.exec(text);
  if (audience) {
    return samlRejected(
      'saml_wrong_audience',
      `The IdP addressed the assertion to "${(audience[2] ?? '').slice(0, 200)}", but this connection's SP entity ID is "${expect.spEntityId}". Enter that entity ID (Identifier / Audience URI) at the IdP.`,
    );
  }
  if (/^InResponseTo (is not valid|is missing)|SubjectInResponseTo is not valid|InResponseTo does not match/.test(text)) {
    return samlRejected(
      'saml_unknown_request',
      'This SAML response does not answer a sign-in started here, or that sign-in expired. Start again from the sign-in link (IdP-initiated sign-in is off for this connection).',
    );
  }
  if (/^No valid subject confirmation found/.test(text)) {
    return samlRejected(
      'saml_expired',
      "The assertion's subject confirmation is no longer (or not yet) valid. Sign in again; if this repeats, check the clocks of the IdP and onramp.",
    );
  }
  if (/^SAML assertion expired/.test(text))
    return samlRejected('saml_expired', 'The SAML assertion has expired. If this repeats, check the clocks of the IdP and onramp.');
  if (/^SAML assertion not yet valid/.test(text))
    return samlRejected('saml_not_yet_valid', "The SAML assertion is not valid yet: the IdP's clock is ahead of onramp's beyond the allowed skew.");
  return samlRejected('saml_invalid', catalogueMessage('saml_invalid'));
}
