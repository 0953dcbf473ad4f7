/**
 * What becomes the subject (the identity's stable key at the connection) of
 * a SAML assertion, by NameID format:
 * - persistent, unspecified, emailAddress (and any other format): the NameID value;
 * - transient: never — it changes every sign-in, so an identity keyed on it
 *   would make a new account each time. The connection must name a persistent
 *   attribute (`subjectAttribute`), or the sign-in is refused (`saml_transient_nameid`);
 * - with `subjectAttribute` set, that attribute's first value, whatever the
 *   NameID (e.g. Entra ID's `…/claims/objectidentifier`), refused when missing.
 */
export const NAMEID_FORMATS = {
  persistent: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
  transient: 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
  emailAddress: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
  unspecified: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
} as const;

export type SubjectChoice =
  { ok: true; subject: string; from: 'nameid' | 'attribute' } | { ok: false; reason: 'saml_transient_nameid' | 'saml_bad_subject'; message: string };

export function chooseSubject(input: {
  nameId: string | null;
  nameIdFormat: string | null;
  subjectAttribute: string | null;
  attributeValue: string | null;
  maxLength: number;
}): SubjectChoice {
  const fits = (v: string | null): v is string => v !== null && v.trim() !== '' && v.length <= input.maxLength;
  if (input.subjectAttribute) {
    if (fits(input.attributeValue)) return { ok: true, subject: input.attributeValue, from: 'attribute' };
    return {
      ok: false,
      reason: 'saml_bad_subject',
      message: `The assertion has no usable "${input.subjectAttribute}" attribute, which this connection uses as the subject.`,
    };
  }
  if (input.nameIdFormat === NAMEID_FORMATS.transient) {
    return {
      ok: false,
      reason: 'saml_transient_nameid',
      message:
        "The identity provider sent a transient NameID, which changes at every sign-in. Configure a persistent NameID (or emailAddress) at the IdP, or set the connection's subjectAttribute to a stable attribute.",
    };
  }
  if (fits(input.nameId)) return { ok: true, subject: input.nameId, from: 'nameid' };
  return { ok: false, reason: 'saml_bad_subject', message: 'The SAML assertion has no usable NameID.' };
}
