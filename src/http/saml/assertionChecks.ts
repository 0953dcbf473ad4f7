import { OnrampError } from '../../errors';
import type { ParsedSamlResponse } from './parsedResponse';

export const samlRejected = (code: string, message: string): OnrampError => new OnrampError(code, message, { status: 401 });

/**
 * Checks node-saml leaves to the caller, run on the already signature-
 * validated response: the Response's Destination and the bearer
 * SubjectConfirmationData's Recipient must be this connection's ACS URL.
 * Returns the assertion's ID for the one-time-use check.
 */
export function checkRecipient(parsed: ParsedSamlResponse, acsUrl: string): string {
  if (!parsed.isResponse) throw samlRejected('saml_malformed', 'SAML response is malformed');
  const destination = parsed.destination;
  if (destination && destination !== acsUrl) {
    throw samlRejected(
      'saml_wrong_destination',
      `The SAML response is addressed to ${destination.slice(0, 200)}; this connection's ACS URL is ${acsUrl}. Enter that ACS URL at the IdP.`,
    );
  }
  const assertionId = parsed.assertionId;
  if (!assertionId) throw samlRejected('saml_malformed', 'SAML assertion has no ID');
  const recipients = parsed.recipients;
  if (recipients.length === 0 || !recipients.every((r) => r === acsUrl)) {
    const seen = recipients.join(', ').slice(0, 200) || '(none)';
    throw samlRejected('saml_wrong_recipient', `The assertion's Recipient is ${seen}; this connection's ACS URL is ${acsUrl}. Enter that ACS URL at the IdP.`);
  }
  return assertionId;
}

/**
 * The assertion's Issuer must be the connection's IdP entity ID. node-saml
 * checks `idpIssuer` on logout messages only, not on assertions, so onramp
 * does it on the verified assertion's issuer (`profile.issuer`).
 */
export function checkIssuer(issuer: string | undefined, idpEntityId: string): void {
  if (issuer === idpEntityId) return;
  throw samlRejected(
    'saml_wrong_issuer',
    `The assertion's issuer is "${(issuer ?? '(none)').slice(0, 200)}", but this connection expects "${idpEntityId.slice(0, 200)}". Check the IdP entity ID configured on the connection.`,
  );
}
