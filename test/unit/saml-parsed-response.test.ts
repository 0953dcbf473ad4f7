import { DOMParser } from '@xmldom/xmldom';
import { SAML, ValidateInResponseTo } from '@node-saml/node-saml';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSamlIdp, type IdpUser, type ResponseOptions } from '../../src/demo/samlIdp';
import { nodeSamlSignatureOptions } from '../../src/domain/samlSignatures';
import { checkRecipient } from '../../src/http/saml/assertionChecks';
import { parseSamlResponse } from '../../src/http/saml/parsedResponse';

// A real IdP (samlify) answers, real node-saml validates; the parse reads what node-saml handed back.
const ACS = 'https://onramp.test/sso/saml/c1/acs';
const SP = 'https://onramp.test/sso/saml/c1';
const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';
const RSA_SHA1 = 'http://www.w3.org/2000/09/xmldsig#rsa-sha1';
const SHA1 = 'http://www.w3.org/2000/09/xmldsig#sha1';

const ada: IdpUser = { nameId: 'ada@parse.test', email: 'ada@parse.test', name: 'Ada', groups: ['admins', 'staff'] };

async function validated(options: ResponseOptions & { signatureAlgorithm?: string } = {}) {
  const { signatureAlgorithm, ...respond } = options;
  const idp = createSamlIdp({
    entityId: 'https://idp.parse.test/metadata',
    ssoUrl: 'https://idp.parse.test/sso',
    ...(signatureAlgorithm ? { signatureAlgorithm } : {}),
  });
  const policy = respond.sign === 'assertion' ? 'assertion' : respond.sign === 'response' ? 'response' : 'either';
  const sp = new SAML({
    issuer: SP,
    audience: SP,
    callbackUrl: ACS,
    idpCert: idp.certificate,
    ...nodeSamlSignatureOptions(policy),
    validateInResponseTo: ValidateInResponseTo.never,
  });
  const { SAMLResponse } = await idp.respond(sp.generateServiceProviderMetadata(null, null), null, ada, respond);
  const { profile } = await sp.validatePostResponseAsync({ SAMLResponse });
  if (!profile) throw new Error('no profile');
  return { responseXml: profile.getSamlResponseXml?.() ?? '', assertionXml: profile.getAssertionXml?.() ?? '' };
}

async function parsedOf(options: Parameters<typeof validated>[0]) {
  const { responseXml, assertionXml } = await validated(options);
  return parseSamlResponse(responseXml, assertionXml);
}

describe('the SAML response parsed once', () => {
  afterEach(() => vi.restoreAllMocks());

  it('reads Destination, both signatures, the assertion ID, its Recipient and its attributes, parsing each document once', async () => {
    const { responseXml, assertionXml } = await validated();
    const parse = vi.spyOn(DOMParser.prototype, 'parseFromString');
    const parsed = parseSamlResponse(responseXml, assertionXml);
    expect(parse).toHaveBeenCalledTimes(2);
    expect(parsed.isResponse).toBe(true);
    expect(parsed.destination).toBe(ACS);
    expect(parsed.signatureAlgorithms).toEqual([
      { signatureMethod: RSA_SHA256, digestMethods: [SHA256] },
      { signatureMethod: RSA_SHA256, digestMethods: [SHA256] },
    ]);
    expect(parsed.assertionId).toMatch(/^_/);
    expect(assertionXml).toContain(`ID="${parsed.assertionId}"`);
    expect(parsed.recipients).toEqual([ACS]);
    expect(parsed.attributes?.get('email')).toEqual(['ada@parse.test']);
    expect(parsed.attributes?.get('groups')).toEqual(['admins', 'staff']);
    // An empty <AttributeValue/> is no value: the attribute is present, without values.
    expect(parsed.attributes?.get('department')).toEqual([]);
    expect(checkRecipient(parsed, ACS)).toBe(parsed.assertionId);
  });

  it('merges an attribute sent as one element per value (Keycloak) by name, in order', async () => {
    const parsed = await parsedOf({ repeatGroupAttribute: true });
    expect(parsed.attributes?.get('groups')).toEqual(['admins', 'staff']);
  });

  it('reads the one signature there is: the assertion only, or the response only', async () => {
    expect((await parsedOf({ sign: 'assertion' })).signatureAlgorithms).toHaveLength(1);
    expect((await parsedOf({ sign: 'response' })).signatureAlgorithms).toHaveLength(1);
  });

  it("reads a legacy IdP's SHA-1 algorithms as they are (domain/samlAlgorithms.ts judges them)", async () => {
    const parsed = await parsedOf({ signatureAlgorithm: RSA_SHA1 });
    expect(parsed.signatureAlgorithms.length).toBeGreaterThan(0);
    for (const a of parsed.signatureAlgorithms) expect(a).toEqual({ signatureMethod: RSA_SHA1, digestMethods: [SHA1] });
  });

  it('reads the ACS URL an IdP misconfigured, for checkRecipient to refuse', async () => {
    const parsed = await parsedOf({ destination: 'https://elsewhere.test/acs' });
    expect(parsed.destination).toBe('https://elsewhere.test/acs');
    expect(parsed.recipients).toEqual(['https://elsewhere.test/acs']);
    expect(() => checkRecipient(parsed, ACS)).toThrow(expect.objectContaining({ code: 'saml_wrong_destination', status: 401 }));
    expect(() => checkRecipient({ ...parsed, destination: null }, ACS)).toThrow(expect.objectContaining({ code: 'saml_wrong_recipient' }));
  });

  it('without the documents: nothing parsed, and the checks refuse it as malformed', () => {
    const parse = vi.spyOn(DOMParser.prototype, 'parseFromString');
    const parsed = parseSamlResponse('', '');
    expect(parse).not.toHaveBeenCalled();
    expect(parsed).toEqual({ isResponse: false, destination: null, signatureAlgorithms: [], assertionId: null, recipients: [], attributes: null });
    expect(() => checkRecipient(parsed, ACS)).toThrow(expect.objectContaining({ code: 'saml_malformed' }));
  });
});
