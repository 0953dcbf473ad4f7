import { OnrampError } from '../errors';

/** RFC 7644 §3.12 `scimType` values onramp answers with. */
export type ScimType = 'invalidFilter' | 'tooMany' | 'uniqueness' | 'mutability' | 'invalidSyntax' | 'invalidPath' | 'noTarget' | 'invalidValue';

const CODES: Record<ScimType, string> = {
  invalidFilter: 'scim_invalid_filter',
  tooMany: 'scim_too_many',
  uniqueness: 'scim_uniqueness',
  mutability: 'scim_mutability',
  invalidSyntax: 'scim_invalid_syntax',
  invalidPath: 'scim_invalid_path',
  noTarget: 'scim_no_target',
  invalidValue: 'scim_invalid_value',
};

/**
 * A SCIM refusal in onramp's one error style: an OnrampError whose details
 * carry the RFC `scimType`; the SCIM router renders it as an RFC error body.
 */
export function scimError(scimType: ScimType, detail: string, status = scimType === 'uniqueness' ? 409 : 400): OnrampError {
  return new OnrampError(CODES[scimType], detail, { status, details: { scimType } });
}

/** The `scimType` an error carries, if it is a SCIM refusal. */
export const scimTypeOf = (err: OnrampError): ScimType | undefined => {
  const t = err.details?.scimType;
  return typeof t === 'string' && t in CODES ? (t as ScimType) : undefined;
};
