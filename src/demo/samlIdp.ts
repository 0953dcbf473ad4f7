/**
 * A real SAML identity provider (samlify in IdP role) for the development
 * demo and the tests. It signs with its own key; nothing here is used by
 * the product's SP code path. Development and tests only.
 */
import { randomUUID } from 'node:crypto';
import samlify from 'samlify';
import * as xmllint from '@authenio/samlify-xmllint-wasm';
import selfsigned from 'selfsigned';
import { NAMEID_FORMATS } from '../domain/samlSubject';
import { IDP_PROFILES, type IdpAttributeProfile } from './idpProfiles';

samlify.setSchemaValidator(xmllint);

const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const EMAIL_FORMAT = NAMEID_FORMATS.emailAddress;
/** Stands for "no NameFormat" in samlify's template; the attribute loses it before signing. */
const NO_NAME_FORMAT = '__onramp_no_name_format__';

export interface IdpUser {
  nameId: string;
  email: string;
  name: string;
  /** Sent as the `department` attribute (empty when unset). */
  department?: string;
  /** The multi-valued `groups` attribute; left out of the assertion when undefined (absent, not empty). */
  groups?: readonly string[];
}

export interface ResponseOptions {
  /** What the IdP signs: both (default), only the assertion, only the response, nothing (a misconfigured IdP). */
  sign?: 'both' | 'assertion' | 'response' | 'none';
  /** NameID format (default emailAddress). */
  nameIdFormat?: string;
  /** Send groups as one `<Attribute>` element per value (Keycloak with "Single Group Attribute" off) instead of one multi-valued element. */
  repeatGroupAttribute?: boolean;
  /** Shift every timestamp by this many ms (negative = in the past). */
  timeShiftMs?: number;
  /** Address the response to another SP entity ID (audience). */
  audience?: string;
  /** Put another ACS URL in Destination and Recipient (an IdP configured with the wrong ACS URL). */
  destination?: string;
  /** Name another issuer than the IdP's entity ID. */
  issuer?: string;
  /** Override InResponseTo (default: the parsed AuthnRequest's ID, or none for IdP-initiated). */
  inResponseTo?: string;
  /** How long the assertion stays valid (NotOnOrAfter); default 5 minutes. */
  validityMs?: number;
}

export interface SamlIdp {
  entityId: string;
  ssoUrl: string;
  /** PEM signing certificate, to configure on the onramp connection. */
  certificate: string;
  /** The IdP's SAML metadata as samlify publishes it (entity ID, SSO URL, signing certificate). */
  metadataXml: string;
  /** Build a signed response for the SP described by its metadata; `authnRequestUrl` is the SP's redirect to us. */
  respond(
    spMetadataXml: string,
    authnRequestUrl: string | null,
    user: IdpUser,
    options?: ResponseOptions,
  ): Promise<{ acsUrl: string; SAMLResponse: string; RelayState: string | undefined }>;
}

export interface IdpKeys {
  privateKey: string;
  certificate: string;
}

/**
 * IdP metadata as samlify writes it, for any set of signing certificates
 * (several during a rollover) and SSO bindings: what an admin downloads
 * from the IdP and gives onramp.
 */
export function idpMetadata({
  entityId,
  ssoUrl,
  certificates,
  bindings = ['HTTP-Redirect'],
}: {
  entityId: string;
  ssoUrl: string;
  certificates: string[];
  bindings?: Array<'HTTP-Redirect' | 'HTTP-POST'>;
}): string {
  return samlify
    .IdentityProvider({
      entityID: entityId,
      signingCert: certificates,
      nameIDFormat: [EMAIL_FORMAT],
      singleSignOnService: bindings.map((b) => ({ Binding: `urn:oasis:names:tc:SAML:2.0:bindings:${b}`, Location: ssoUrl })),
      singleLogoutService: [{ Binding: REDIRECT, Location: ssoUrl }],
    })
    .getMetadata();
}

export function generateIdpKeys(commonName: string, days = 30): IdpKeys {
  const pems = selfsigned.generate([{ name: 'commonName', value: commonName }], { days, keySize: 2048, algorithm: 'sha256' });
  return { privateKey: pems.private, certificate: pems.cert };
}

/**
 * samlify's template has one `{attrX}` value per attribute: repeat the
 * AttributeValue once per value (tags `{attrX0}`, `{attrX1}`…, filled and
 * escaped by samlify), or drop the whole Attribute when `values` is null.
 */
function multiValued(template: string, tag: string, values: readonly string[] | null, repeatElement = false): string {
  const value = new RegExp(`(<saml:AttributeValue[^>]*>)\\{attr${tag}\\}(</saml:AttributeValue>)`);
  const element = new RegExp(`<saml:Attribute [^>]*>(?:(?!</saml:Attribute>).)*\\{attr${tag}\\}.*?</saml:Attribute>`);
  if (values === null) return template.replace(element, '');
  if (repeatElement) return template.replace(element, (whole) => values.map((_v, i) => whole.replace(`{attr${tag}}`, `{attr${tag}${i}}`)).join(''));
  return template.replace(value, (_m, open: string, close: string) => values.map((_v, i) => `${open}{attr${tag}${i}}${close}`).join(''));
}

/** Set the SP metadata's WantAssertionsSigned (samlify signs the assertion exactly when it says true). */
function wantAssertionsSigned(metadata: string, want: boolean): string {
  const value = `WantAssertionsSigned="${want}"`;
  return /WantAssertionsSigned="[^"]*"/.test(metadata)
    ? metadata.replace(/WantAssertionsSigned="[^"]*"/, value)
    : metadata.replace(/<SPSSODescriptor\b/, `<SPSSODescriptor ${value}`);
}

/** Drop every XML signature: what an IdP that signs nothing would send. */
function unsigned(base64Response: string): string {
  const xml = Buffer.from(base64Response, 'base64').toString('utf8');
  return Buffer.from(xml.replace(/<(ds:)?Signature[\s\S]*?<\/(ds:)?Signature>/g, '')).toString('base64');
}

/** The signed part of an HTTP-Redirect query: every parameter but Signature, as sent (SAML bindings §3.4.4.1). */
const octetString = (search: string): string =>
  search
    .replace(/^\?/, '')
    .split('&')
    .filter((p) => !p.startsWith('Signature='))
    .join('&');

export function createSamlIdp({
  entityId,
  ssoUrl,
  keys,
  profile = IDP_PROFILES.plain,
  requireSignedRequests = false,
  signatureAlgorithm = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
}: {
  entityId: string;
  ssoUrl: string;
  keys?: IdpKeys;
  /** How attributes are named, like a real IdP on its defaults (demo/idpProfiles.ts). */
  profile?: IdpAttributeProfile;
  /** Refuse AuthnRequests not signed with the certificate in the SP's metadata (Keycloak's "Client signature required"). */
  requireSignedRequests?: boolean;
  /** The XML signature algorithm of its responses (samlify picks the matching digest: RSA-SHA1 → SHA-1), e.g. a legacy IdP's RSA-SHA1. */
  signatureAlgorithm?: string;
}): SamlIdp {
  const pems = keys ?? generateIdpKeys(`onramp test IdP ${entityId}`);
  const nameFormat = profile.nameFormat ?? NO_NAME_FORMAT;
  const attribute = (name: string, valueTag: string) => ({ name, valueTag, nameFormat, valueXsiType: 'xs:string' });
  const idp = samlify.IdentityProvider({
    entityID: entityId,
    privateKey: pems.privateKey,
    signingCert: pems.certificate,
    nameIDFormat: [EMAIL_FORMAT],
    wantAuthnRequestsSigned: requireSignedRequests,
    singleSignOnService: [{ Binding: REDIRECT, Location: ssoUrl }],
    requestSignatureAlgorithm: signatureAlgorithm,
    loginResponseTemplate: {
      context: samlify.SamlLib.defaultLoginResponseTemplate.context,
      attributes: [
        attribute(profile.email, 'email'),
        attribute(profile.name, 'name'),
        attribute(profile.department, 'department'),
        attribute(profile.groups, 'groups'),
        ...profile.extra.map((x, i) => attribute(x.name, `extra${i}`)),
      ],
    },
  });

  return {
    entityId,
    ssoUrl,
    certificate: pems.certificate,
    metadataXml: idp.getMetadata(),
    async respond(spMetadataXml, authnRequestUrl, user, options = {}) {
      const sign = options.sign ?? 'both';
      // samlify signs the assertion exactly when the SP metadata says WantAssertionsSigned="true", and the
      // response when asked to (or when the assertion is not signed): set both to what this answer should carry.
      const signAssertion = sign === 'both' || sign === 'assertion';
      const sp = samlify.ServiceProvider({
        metadata: wantAssertionsSigned(spMetadataXml, signAssertion),
        wantAssertionsSigned: signAssertion,
        wantMessageSigned: sign !== 'assertion',
      });
      let requestId: string | undefined;
      let relayState: string | undefined;
      if (authnRequestUrl) {
        const url = new URL(authnRequestUrl);
        const query = Object.fromEntries(url.searchParams.entries());
        // With requireSignedRequests, samlify verifies the request's signature against the SP metadata's certificate.
        const parsed = await idp.parseLoginRequest(sp, 'redirect', { query, octetString: octetString(url.search) });
        requestId = (parsed.extract as { request?: { id?: string } }).request?.id;
        relayState = query.RelayState;
      }
      const acsUrl = sp.entityMeta.getAssertionConsumerService('post') as string;
      const now = new Date(Date.now() + (options.timeShiftMs ?? 0));
      const later = new Date(now.getTime() + (options.validityMs ?? 5 * 60_000));
      const id = `_${randomUUID()}`;
      const groups = user.groups ?? null;
      const response = (await idp.createLoginResponse(
        sp,
        { extract: { request: { id: requestId ?? '' } } } as never,
        'post',
        { email: user.nameId },
        (template: string) => ({
          id,
          context: samlify.SamlLib.replaceTagsByValue(
            multiValued(template, 'Groups', groups, options.repeatGroupAttribute).replaceAll(` NameFormat="${NO_NAME_FORMAT}"`, ''),
            {
              ...Object.fromEntries((groups ?? []).map((g, i) => [`attrGroups${i}`, g])),
              ...Object.fromEntries(profile.extra.map((x, i) => [`attrExtra${i}`, x.value])),
              ID: id,
              AssertionID: `_${randomUUID()}`,
              Destination: options.destination ?? acsUrl,
              Audience: options.audience ?? sp.entityMeta.getEntityID(),
              SubjectRecipient: options.destination ?? acsUrl,
              Issuer: options.issuer ?? entityId,
              IssueInstant: now.toISOString(),
              StatusCode: 'urn:oasis:names:tc:SAML:2.0:status:Success',
              ConditionsNotBefore: now.toISOString(),
              ConditionsNotOnOrAfter: later.toISOString(),
              SubjectConfirmationDataNotOnOrAfter: later.toISOString(),
              NameIDFormat: options.nameIdFormat ?? EMAIL_FORMAT,
              NameID: user.nameId,
              InResponseTo: options.inResponseTo ?? requestId ?? '',
              AuthnStatement: '',
              attrEmail: user.email,
              attrName: user.name,
              attrDepartment: user.department ?? '',
            },
          ),
        }),
      )) as { context: string };
      return { acsUrl, SAMLResponse: sign === 'none' ? unsigned(response.context) : response.context, RelayState: relayState };
    },
  };
}
