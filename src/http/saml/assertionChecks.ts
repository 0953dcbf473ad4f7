import { DOMParser } from '@xmldom/xmldom';
import { OnrampError } from '../../errors';

const SAMLP = 'urn:oasis:names:tc:SAML:2.0:protocol';
const SAML = 'urn:oasis:names:tc:SAML:2.0:assertion';

export const samlRejected = (code: string, message: string): OnrampError => new OnrampError(code, message, { status: 401 });

function parse(xml: string): Document {
  return new DOMParser().parseFromString(xml, 'text/xml') as unknown as Document;
}

/**
 * Checks node-saml leaves to the caller, run on the already signature-
 * validated XML: the Response's Destination and the bearer
 * SubjectConfirmationData's Recipient must be this connection's ACS URL.
 * Returns the assertion's ID for the one-time-use check.
 */
export function checkRecipient(responseXml: string, assertionXml: string, acsUrl: string): string {
  const response = parse(responseXml).documentElement;
  if (!response || response.namespaceURI !== SAMLP || response.localName !== 'Response') {
    throw samlRejected('saml_malformed', 'SAML response is malformed');
  }
  const destination = response.getAttribute('Destination');
  if (destination && destination !== acsUrl) {
    throw samlRejected(
      'saml_wrong_destination',
      `The SAML response is addressed to ${destination.slice(0, 200)}; this connection's ACS URL is ${acsUrl}. Enter that ACS URL at the IdP.`,
    );
  }
  const assertion = parse(assertionXml).documentElement;
  const assertionId = assertion?.getAttribute('ID');
  if (!assertion || !assertionId) throw samlRejected('saml_malformed', 'SAML assertion has no ID');
  const confirmations = Array.from(assertion.getElementsByTagNameNS(SAML, 'SubjectConfirmationData'));
  if (confirmations.length === 0 || !confirmations.every((c) => c.getAttribute('Recipient') === acsUrl)) {
    const seen =
      confirmations
        .map((c) => c.getAttribute('Recipient') ?? '(none)')
        .join(', ')
        .slice(0, 200) || '(none)';
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
