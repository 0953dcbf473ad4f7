import { DOMParser } from '@xmldom/xmldom';
import { OnrampError, isDuplicateKeyError, retryTransient } from '../../errors';
import type { Models } from '../../db/models';

const SAMLP = 'urn:oasis:names:tc:SAML:2.0:protocol';
const SAML = 'urn:oasis:names:tc:SAML:2.0:assertion';

export const samlRejected = (code: string, message: string): OnrampError =>
  new OnrampError(code, message, { status: 401 });

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
    throw samlRejected('saml_wrong_destination', 'SAML response was sent to another destination');
  }
  const assertion = parse(assertionXml).documentElement;
  const assertionId = assertion?.getAttribute('ID');
  if (!assertion || !assertionId) throw samlRejected('saml_malformed', 'SAML assertion has no ID');
  const confirmations = Array.from(assertion.getElementsByTagNameNS(SAML, 'SubjectConfirmationData'));
  if (confirmations.length === 0 || !confirmations.every((c) => c.getAttribute('Recipient') === acsUrl)) {
    throw samlRejected('saml_wrong_recipient', 'SAML assertion is addressed to another recipient');
  }
  return assertionId;
}

/**
 * Whether the (validated) assertion carries an attribute of this name, even
 * one without any value: node-saml leaves such an attribute out of the
 * profile, but for groups "present and empty" must not read as "absent".
 */
export function hasAttribute(assertionXml: string, name: string): boolean {
  const assertion = parse(assertionXml).documentElement;
  return Array.from(assertion?.getElementsByTagNameNS(SAML, 'Attribute') ?? []).some((a) => a.getAttribute('Name') === name);
}

/**
 * One-time use of assertion IDs, shared by all instances: the document ID
 * `<connection>:<assertion ID>` turns a replay into a duplicate-key error.
 */
export async function consumeAssertion(models: Models, connectionId: string, assertionId: string, keepMs: number): Promise<() => Promise<void>> {
  try {
    await models.usedAssertions.create({ _id: `${connectionId}:${assertionId}`, connectionId, assertionId, expiresAt: new Date(Date.now() + keepMs) });
  } catch (err) {
    if (isDuplicateKeyError(err)) throw samlRejected('saml_replayed', 'This SAML response was already used');
    throw err;
  }
  // Give the assertion back when the sign-in could not be answered for infrastructure reasons, so the same post can be retried.
  return async () => {
    await retryTransient(() => models.usedAssertions.deleteOne({ _id: `${connectionId}:${assertionId}` }), 5, 100);
  };
}
