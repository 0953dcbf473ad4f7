import { isRefusal, REFUSALS, refusalMessage, type Refusal } from './domain/refusals';

/**
 * Every error code onramp answers with: its HTTP status and whether its
 * message is shown to the caller. OnrampError takes its status from here
 * when none is given; test/unit/error-codes.test.ts checks that every code
 * raised in the sources is listed, with the status it is raised with.
 */
export interface ErrorCodeInfo {
  status: number;
  /** Whether the message may be shown (4xx messages are written for the caller; 5xx ones only when they say nothing internal). */
  expose: boolean;
}

const e = (status: number, expose = status < 500): ErrorCodeInfo => ({ status, expose });

/** The core's refusals (src/domain/refusals.ts) are codes too, each with its one status. */
const REFUSAL_CODES = Object.fromEntries(Object.entries(REFUSALS).map(([code, r]) => [code, e(r.status)])) as Record<Refusal, ErrorCodeInfo>;

export const ERROR_CODES = {
  ...REFUSAL_CODES,
  // Requests
  validation_failed: e(400),
  invalid_body: e(400),
  /** A page cursor the list never handed out (malformed, of another list, or tampered with). */
  invalid_cursor: e(400),
  body_too_large: e(413),
  unauthorized: e(401),
  not_signed_in: e(401),
  forbidden: e(403),
  csrf_failed: e(403),
  not_found: e(404),
  rate_limited: e(429),
  method_not_allowed: e(405),
  not_implemented: e(501),
  internal_error: e(500, false),
  // Infrastructure (retryable)
  service_unavailable: e(503, true),
  signin_pending: e(503, true),
  db_reply_mismatch: e(503, false),
  dns_unavailable: e(503, true),
  temporal_search_attributes_missing: e(503, true),
  // Temporal payload codec (a payload sealed with a key not configured, or altered)
  temporal_payload_key_unknown: e(400),
  temporal_payload_undecryptable: e(400),
  // Conflicts
  tenant_exists: e(409),
  connection_exists: e(409),
  group_exists: e(409),
  domain_exists: e(409),
  domain_verified_by_other_tenant: e(409),
  approval_already_decided: e(409),
  email_held_by_other_account: e(409),
  sp_key_in_use: e(409),
  too_many_sp_keys: e(409),
  idp_certificate_listed: e(409),
  too_many_idp_certificates: e(409),
  last_idp_certificate: e(409),
  too_many_tokens: e(409),
  // Admin provisioning
  idempotency_key_reused: e(422),
  import_malformed: e(400),
  import_empty: e(400),
  import_key_reused: e(409),
  import_too_large: e(413),
  import_not_done: e(409),
  import_in_progress: e(409),
  already_member: e(409),
  invitation_exists: e(409),
  /** A console form sent again (a double click): what the first sending created is not created twice (its secret was shown to that one). */
  form_already_sent: e(409),
  invitation_not_pending: e(409),
  invitation_requires_sso: e(409),
  invitation_other_browser: e(403),
  webhook_endpoint_changed: e(409),
  unsupported_media_type: e(415),
  group_owned_by_directory: e(409),
  // Domains
  domain_not_claimable: e(400),
  // Sign-in, every protocol
  claim_too_large: e(400),
  claim_invalid: e(400),
  // SAML
  saml_invalid: e(401),
  saml_malformed: e(401),
  saml_missing_response: e(401),
  saml_replayed: e(401),
  saml_unsigned: e(401),
  saml_response_unsigned: e(401),
  saml_assertion_unsigned: e(401),
  saml_wrong_certificate: e(401),
  saml_certificate_expired: e(401),
  saml_invalid_signature: e(401),
  saml_weak_algorithm: e(401),
  saml_wrong_audience: e(401),
  saml_wrong_destination: e(401),
  saml_wrong_recipient: e(401),
  saml_wrong_issuer: e(401),
  saml_unknown_request: e(401),
  saml_expired: e(401),
  saml_not_yet_valid: e(401),
  saml_transient_nameid: e(401),
  saml_bad_subject: e(401),
  // SAML set-up from the IdP's metadata (uploaded or fetched)
  saml_metadata_invalid: e(400),
  saml_metadata_doctype: e(400),
  saml_metadata_too_large: e(413),
  saml_metadata_not_idp: e(400),
  saml_metadata_no_sso_url: e(400),
  saml_metadata_no_certificate: e(400),
  saml_metadata_certificate_expired: e(400),
  saml_metadata_expired: e(400),
  saml_metadata_url_refused: e(400),
  saml_metadata_unreachable: e(422),
  saml_metadata_entity_changed: e(409),
  saml_metadata_no_url: e(409),
  /** The connection has a metadata signing certificate and the document is not signed with it over its root (or not signed at all). */
  saml_metadata_signature_invalid: e(400),
  // OIDC
  oidc_invalid: e(401),
  oidc_bad_signature: e(401),
  oidc_bad_subject: e(401),
  oidc_state_mismatch: e(401),
  oidc_pkce_missing: e(401),
  oidc_idp_error: e(401),
  oidc_response_too_large: e(401),
  oidc_discovery_failed: e(503, true),
  oidc_discovery_invalid: e(502, true),
  oidc_provider_unavailable: e(503, true),
  // Email sign-in
  email_code_invalid: e(401),
  email_code_expired: e(401),
  // SCIM (rendered as RFC 7644 error bodies with the scimType in details; src/scim/errors.ts)
  scim_invalid_filter: e(400),
  scim_too_many: e(400),
  scim_uniqueness: e(409),
  scim_mutability: e(400),
  scim_invalid_syntax: e(400),
  scim_invalid_path: e(400),
  scim_no_target: e(400),
  scim_invalid_value: e(400),
  scim_refused: e(403),
  directory_disabled: e(403),
} as const satisfies Record<string, ErrorCodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;

export const isErrorCode = (code: string): code is ErrorCode => Object.hasOwn(ERROR_CODES, code);

/**
 * The product's own words for a refusal, by code: what audits and events say
 * where the error's own text could carry outside input (an XML parser's or a
 * driver's diagnostic, a provider's error text). Codes not listed get a
 * generic sentence naming the code.
 */
const MESSAGES: Partial<Record<ErrorCode, string>> = {
  validation_failed: 'The request does not have the expected shape.',
  invalid_body: 'The request body could not be read.',
  body_too_large: 'The request body is too large.',
  unsupported_media_type: 'The request body has an unsupported content type.',
  claim_too_large: 'The identity provider sent an identity with values beyond the allowed sizes.',
  claim_invalid: 'The identity provider sent an identity with a character onramp does not accept (NUL).',
  saml_invalid: 'The SAML response could not be validated: it is not a well-formed, signed SAML response for this connection.',
  saml_malformed: 'The SAML response could not be read: it is not well-formed SAML.',
  saml_missing_response: 'No SAMLResponse was posted.',
  saml_replayed: 'This SAML assertion was already used.',
  saml_unsigned: 'The IdP signed neither the SAML response nor the assertion.',
  saml_response_unsigned: 'This connection requires a signed SAML response.',
  saml_assertion_unsigned: 'This connection requires a signed SAML assertion.',
  saml_wrong_certificate: "The SAML response is signed with a certificate that is not this connection's.",
  saml_certificate_expired: "The IdP's signing certificate configured on this connection has expired.",
  saml_invalid_signature: "The SAML signature does not verify with this connection's certificates.",
  saml_weak_algorithm: 'The IdP signed with SHA-1, which this connection refuses (SHA-256 or stronger is required unless the connection allows SHA-1).',
  saml_wrong_audience: "The SAML assertion is addressed to another SP entity ID than this connection's.",
  saml_wrong_destination: "The SAML response is addressed to another ACS URL than this connection's.",
  saml_wrong_recipient: "The SAML assertion's Recipient is not this connection's ACS URL.",
  saml_wrong_issuer: "The SAML assertion's issuer is not this connection's IdP entity ID.",
  saml_unknown_request: 'This SAML response does not answer a sign-in started here, or that sign-in expired.',
  saml_expired: 'The SAML assertion has expired.',
  saml_not_yet_valid: 'The SAML assertion is not valid yet.',
  saml_transient_nameid: 'The SAML NameID is transient and the connection names no stable subject attribute.',
  saml_bad_subject: 'The SAML assertion has no usable subject.',
  saml_metadata_invalid: "The IdP's metadata could not be used: it is not well-formed SAML metadata.",
  saml_metadata_doctype: 'The metadata carries a DOCTYPE, which is refused.',
  saml_metadata_too_large: 'The metadata document is too large.',
  saml_metadata_unreachable: "The IdP's metadata URL could not be fetched.",
  saml_metadata_expired: "The IdP's metadata has passed its validUntil.",
  saml_metadata_signature_invalid: "The IdP's metadata is not signed over its root with this connection's metadata signing certificate.",
  oidc_invalid: "The identity provider's answer was refused.",
  oidc_bad_signature: "The identity provider's ID token signature could not be verified with its published keys.",
  oidc_bad_subject: "The identity provider's ID token has no usable subject.",
  oidc_state_mismatch: 'This sign-in did not start here or has expired.',
  oidc_pkce_missing: 'This sign-in has no PKCE verifier.',
  oidc_idp_error: 'The identity provider refused the sign-in.',
  oidc_response_too_large: "The identity provider's answer is too large.",
  oidc_discovery_failed: 'The identity provider cannot be reached right now.',
  oidc_discovery_invalid: "The identity provider's OpenID configuration was refused.",
  oidc_provider_unavailable: 'The identity provider cannot be reached right now.',
  email_code_invalid: 'The sign-in code is not valid.',
  email_code_expired: 'The sign-in code has expired.',
  import_malformed: 'The import file could not be read as CSV.',
  scim_invalid_syntax: 'The SCIM request could not be read.',
  scim_invalid_filter: 'The SCIM filter is not valid.',
  scim_invalid_value: 'The SCIM request has an invalid value.',
};

/** The catalogue's message for a code (see MESSAGES). */
export const catalogueMessage = (code: string): string =>
  (isErrorCode(code) ? MESSAGES[code] : undefined) ?? (isRefusal(code) ? refusalMessage(code) : `The request was refused (${code}).`);
