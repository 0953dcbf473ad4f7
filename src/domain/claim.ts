/**
 * The one normalized identity claim every protocol edge (SAML, OIDC, email
 * code, SCIM) produces. The provisioning workflow knows nothing else about
 * protocols.
 */
export interface IdentityClaim {
  tenantId: string;
  connectionId: string;
  /** Stable subject at the connection: SAML NameID, OIDC `sub`, a directory's SCIM resource id. */
  subject: string;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
  /** `null` when the IdP did not send a groups attribute at all (not the same as `[]`). */
  groups: string[] | null;
  /**
   * Every attribute the IdP sent, by its name exactly as sent (claim URIs,
   * `urn:oid:` names…). A list, never an object keyed by the name: these
   * names are chosen outside onramp and must never become MongoDB field names.
   */
  attributes: ClaimAttribute[];
  /** Which edge produced it (recorded on the identity; the workflow decides nothing by it). Default `saml`. */
  protocol?: ClaimProtocol;
}

/** The edges that produce claims; `scim` is a directory's push (the identity is the directory's resource). */
export type ClaimProtocol = 'saml' | 'oidc' | 'email' | 'scim';

export interface ClaimAttribute {
  name: string;
  values: string[];
}

export const MAX_SUBJECT_LENGTH = 256;

/** The values of the attribute named exactly `name`, or null when it was not sent. */
export function attributeValues(attributes: readonly ClaimAttribute[], name: string): string[] | null {
  return attributes.find((a) => a.name === name)?.values ?? null;
}

/**
 * Attributes as stored by any version: the list above, or the object keyed
 * by name that versions before 0.2 wrote into approval requests.
 */
export function storedAttributes(raw: unknown): ClaimAttribute[] {
  if (Array.isArray(raw)) {
    return raw.flatMap((a: unknown) => {
      if (typeof a !== 'object' || a === null) return [];
      const { name, values } = a as { name?: unknown; values?: unknown };
      if (typeof name !== 'string' || !Array.isArray(values)) return [];
      return [{ name, values: values.filter((v): v is string => typeof v === 'string') }];
    });
  }
  if (typeof raw === 'object' && raw !== null) {
    return Object.entries(raw as Record<string, unknown>).map(([name, v]) => ({
      name,
      values: (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string'),
    }));
  }
  return [];
}
