/**
 * The one normalized identity claim every protocol edge (SAML, OIDC, email
 * code, SCIM) produces. The provisioning workflow knows nothing else about
 * protocols.
 */
export interface IdentityClaim {
  tenantId: string;
  connectionId: string;
  /** Stable subject at the connection: SAML NameID, OIDC `sub`. */
  subject: string;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
  /** `null` when the IdP did not send a groups attribute at all (not the same as `[]`). */
  groups: string[] | null;
  attributes: Record<string, string[]>;
  /** Which edge produced it (recorded on the identity; the workflow decides nothing by it). Default `saml`. */
  protocol?: 'saml' | 'oidc' | 'email';
}

export const MAX_SUBJECT_LENGTH = 256;
