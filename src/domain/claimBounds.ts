import { OnrampError } from '../errors';
import type { ClaimAttribute, IdentityClaim } from './claim';
import { MAX_SUBJECT_LENGTH } from './claim';

/**
 * How much outside data one sign-in may carry into onramp (and into the
 * workflow's input and history). Generous for real IdPs — Entra ID sends at
 * most 150 groups in a SAML token before switching to an overage claim, Okta
 * a few hundred — and far below Temporal's payload limits (2 MB).
 */
export const CLAIM_LIMITS = {
  subjectChars: MAX_SUBJECT_LENGTH,
  emailChars: 320,
  nameChars: 512,
  groups: 1_000,
  groupChars: 512,
  attributes: 100,
  attributeNameChars: 512,
  valuesPerAttribute: 1_000,
  valueChars: 4_096,
  /** The whole normalized claim as JSON. */
  totalBytes: 256 * 1024,
} as const;

export interface ClaimTooLarge {
  /** What exceeded its bound, for the admin (names no value). */
  what: string;
  limit: number;
  actual: number;
}

const longest = (values: readonly string[]): number => values.reduce((m, v) => Math.max(m, v.length), 0);

function attributeProblem(a: ClaimAttribute): ClaimTooLarge | null {
  const L = CLAIM_LIMITS;
  const label = a.name.length > 80 ? `${a.name.slice(0, 80)}…` : a.name;
  if (a.name.length > L.attributeNameChars) return { what: 'attribute name length', limit: L.attributeNameChars, actual: a.name.length };
  if (a.values.length > L.valuesPerAttribute) return { what: `values of attribute "${label}"`, limit: L.valuesPerAttribute, actual: a.values.length };
  const len = longest(a.values);
  if (len > L.valueChars) return { what: `value length of attribute "${label}"`, limit: L.valueChars, actual: len };
  return null;
}

/** The first bound a claim exceeds, or null when it fits. Pure. */
export function claimTooLarge(claim: IdentityClaim): ClaimTooLarge | null {
  const L = CLAIM_LIMITS;
  if (claim.subject.length > L.subjectChars) return { what: 'subject length', limit: L.subjectChars, actual: claim.subject.length };
  if ((claim.email?.length ?? 0) > L.emailChars) return { what: 'email length', limit: L.emailChars, actual: claim.email?.length ?? 0 };
  if ((claim.name?.length ?? 0) > L.nameChars) return { what: 'name length', limit: L.nameChars, actual: claim.name?.length ?? 0 };
  if (claim.groups && claim.groups.length > L.groups) return { what: 'groups', limit: L.groups, actual: claim.groups.length };
  if (claim.groups && longest(claim.groups) > L.groupChars) return { what: 'group value length', limit: L.groupChars, actual: longest(claim.groups) };
  if (claim.attributes.length > L.attributes) return { what: 'attributes', limit: L.attributes, actual: claim.attributes.length };
  for (const a of claim.attributes) {
    const problem = attributeProblem(a);
    if (problem) return problem;
  }
  const bytes = new TextEncoder().encode(JSON.stringify(claim)).length;
  return bytes > L.totalBytes ? { what: 'total size in bytes', limit: L.totalBytes, actual: bytes } : null;
}

/** The first part of a claim that carries a NUL character (no IdP value needs one; the store cannot hold one), or null. Pure. */
export function claimNulField(claim: IdentityClaim): string | null {
  const nul = (v: string | null | undefined) => v?.includes('\u0000') === true;
  if (nul(claim.subject)) return 'subject';
  if (nul(claim.email)) return 'email';
  if (nul(claim.name)) return 'name';
  if (claim.groups?.some(nul)) return 'groups';
  const attribute = claim.attributes.find((a) => nul(a.name) || a.values.some(nul));
  return attribute ? 'attributes' : null;
}

/**
 * Refuse a claim that carries more than onramp accepts before anything is
 * stored or a workflow started: 400 `claim_too_large`, with a message that
 * tells the IdP's admin what to trim. Returns the claim.
 */
export function checkClaimBounds(claim: IdentityClaim): IdentityClaim {
  const nulField = claimNulField(claim);
  if (nulField) {
    throw new OnrampError('claim_invalid', `The identity provider sent a NUL character in the ${nulField}, which onramp does not accept.`, {
      status: 400,
      details: { what: nulField },
    });
  }
  const problem = claimTooLarge(claim);
  if (!problem) return claim;
  throw new OnrampError(
    'claim_too_large',
    `The identity provider sent more than onramp accepts: ${problem.what} is ${problem.actual}, the limit is ${problem.limit}. Ask its administrator to send fewer or shorter attributes or groups.`,
    { status: 400, details: { ...problem } },
  );
}
