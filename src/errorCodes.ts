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

export const ERROR_CODES = {
  // Requests
  validation_failed: e(400),
  invalid_body: e(400),
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
  too_many_tokens: e(409),
  last_owner: e(409),
  link_requires_approval: e(409),
  link_refused: e(409),
  membership_suspended: e(409),
  concurrent_change: e(409),
  // Admin provisioning (issue #15)
  email_invalid: e(400),
  unknown_role: e(422),
  unknown_group: e(422),
  idempotency_key_reused: e(422),
  import_malformed: e(400),
  import_empty: e(400),
  import_key_reused: e(409),
  import_too_large: e(413),
  import_not_done: e(409),
  import_in_progress: e(409),
  already_member: e(409),
  invitation_exists: e(409),
  invitation_not_pending: e(409),
  invitation_not_found: e(404),
  invitation_revoked: e(410),
  invitation_expired: e(410),
  invitation_used: e(409),
  invitation_wrong_tenant: e(403),
  invitation_wrong_account: e(403),
  invitation_requires_sso: e(409),
  email_not_verified: e(403),
  unsupported_media_type: e(415),
  group_owned_by_directory: e(409),
  // Domains
  domain_not_claimable: e(400),
  domain_not_verified: e(422),
  // Sign-in, every protocol
  connection_disabled: e(403),
  claim_too_large: e(400),
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
  saml_wrong_audience: e(401),
  saml_wrong_destination: e(401),
  saml_wrong_recipient: e(401),
  saml_wrong_issuer: e(401),
  saml_unknown_request: e(401),
  saml_expired: e(401),
  saml_not_yet_valid: e(401),
  saml_transient_nameid: e(401),
  saml_bad_subject: e(401),
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
