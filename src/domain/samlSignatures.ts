/**
 * Which XML signatures a SAML connection demands. Most IdPs sign only one of
 * the two by default (Entra ID, ADFS, Google Workspace: the assertion;
 * Keycloak: the response; Okta: both), so the default accepts exactly one
 * valid signature that covers the assertion: a signed assertion, or a signed
 * response that envelops it. node-saml does the verifying (it never accepts
 * an unsigned assertion outside a signed response, and reads the assertion
 * from the verified XML only); these flags only say which ones must exist.
 */
export const SIGNATURE_POLICIES = ['either', 'assertion', 'response', 'both'] as const;
export type SignaturePolicy = (typeof SIGNATURE_POLICIES)[number];
export const DEFAULT_SIGNATURE_POLICY: SignaturePolicy = 'either';

/** node-saml's options for a policy (`either`: neither flag — node-saml still requires one signature covering the assertion). */
export function nodeSamlSignatureOptions(policy: SignaturePolicy): { wantAssertionsSigned: boolean; wantAuthnResponseSigned: boolean } {
  return {
    wantAssertionsSigned: policy === 'assertion' || policy === 'both',
    wantAuthnResponseSigned: policy === 'response' || policy === 'both',
  };
}

/** What the IdP signed, as seen in the posted XML (presence only; node-saml verifies). */
export interface SignaturesSeen {
  response: boolean;
  assertion: boolean;
}

/**
 * Why a response whose signature node-saml refused was refused, for the admin:
 * nothing signed, a signature the policy demands is missing, or a signature
 * that does not verify with the connection's certificates. Pure.
 */
export function signatureProblem(policy: SignaturePolicy, seen: SignaturesSeen): 'unsigned' | 'response_unsigned' | 'assertion_unsigned' | 'bad_signature' {
  if (!seen.response && !seen.assertion) return 'unsigned';
  if ((policy === 'response' || policy === 'both') && !seen.response) return 'response_unsigned';
  if ((policy === 'assertion' || policy === 'both') && !seen.assertion) return 'assertion_unsigned';
  return 'bad_signature';
}
