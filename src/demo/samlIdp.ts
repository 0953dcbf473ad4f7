/**
 * A real SAML identity provider (samlify in IdP role) for the development
 * demo and the tests. It signs with its own key; nothing here is used by
 * the product's SP code path. Development and tests only.
 */
import { randomUUID } from 'node:crypto';
import samlify from 'samlify';
import * as xmllint from '@authenio/samlify-xmllint-wasm';
import selfsigned from 'selfsigned';
import { IDP_PROFILES, type IdpAttributeProfile } from './idpProfiles';

samlify.setSchemaValidator(xmllint);

const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const EMAIL_FORMAT = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';
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
  /** What the IdP signs: both (default), only the assertion, only the response. */
  sign?: 'both' | 'assertion' | 'response';
  /** Shift every timestamp by this many ms (negative = in the past). */
  timeShiftMs?: number;
  /** Address the response to another SP entity ID (audience). */
  audience?: string;
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
  /** Build a signed response for the SP described by its metadata; `authnRequestUrl` is the SP's redirect to us. */
  respond(spMetadataXml: string, authnRequestUrl: string | null, user: IdpUser, options?: ResponseOptions): Promise<{ acsUrl: string; SAMLResponse: string; RelayState: string | undefined }>;
}

export interface IdpKeys {
  privateKey: string;
  certificate: string;
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
function multiValued(template: string, tag: string, values: readonly string[] | null): string {
  const value = new RegExp(`(<saml:AttributeValue[^>]*>)\\{attr${tag}\\}(</saml:AttributeValue>)`);
  if (values === null) return template.replace(new RegExp(`<saml:Attribute [^>]*>(?:(?!</saml:Attribute>).)*\\{attr${tag}\\}.*?</saml:Attribute>`), '');
  return template.replace(value, (_m, open: string, close: string) => values.map((_v, i) => `${open}{attr${tag}${i}}${close}`).join(''));
}

export function createSamlIdp({
  entityId,
  ssoUrl,
  keys,
  profile = IDP_PROFILES.plain,
}: {
  entityId: string;
  ssoUrl: string;
  keys?: IdpKeys;
  /** How attributes are named, like a real IdP on its defaults (demo/idpProfiles.ts). */
  profile?: IdpAttributeProfile;
}): SamlIdp {
  const pems = keys ?? generateIdpKeys(`onramp test IdP ${entityId}`);
  const nameFormat = profile.nameFormat ?? NO_NAME_FORMAT;
  const attribute = (name: string, valueTag: string) => ({ name, valueTag, nameFormat, valueXsiType: 'xs:string' });
  const idp = samlify.IdentityProvider({
    entityID: entityId,
    privateKey: pems.privateKey,
    signingCert: pems.certificate,
    nameIDFormat: [EMAIL_FORMAT],
    singleSignOnService: [{ Binding: REDIRECT, Location: ssoUrl }],
    requestSignatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
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
    async respond(spMetadataXml, authnRequestUrl, user, options = {}) {
      const sign = options.sign ?? 'both';
      const sp = samlify.ServiceProvider({
        metadata: spMetadataXml,
        wantAssertionsSigned: sign !== 'response',
        wantMessageSigned: sign !== 'assertion',
      });
      // samlify reads WantAssertionsSigned from metadata; rewrite it when a test wants the assertion unsigned.
      const spForSigning =
        sign === 'response'
          ? samlify.ServiceProvider({ metadata: spMetadataXml.replace(/WantAssertionsSigned="true"/, 'WantAssertionsSigned="false"'), wantMessageSigned: true })
          : sp;
      let requestId: string | undefined;
      let relayState: string | undefined;
      if (authnRequestUrl) {
        const url = new URL(authnRequestUrl);
        const query = Object.fromEntries(url.searchParams.entries());
        const parsed = await idp.parseLoginRequest(sp, 'redirect', { query, octetString: url.search.slice(1) });
        requestId = (parsed.extract as { request?: { id?: string } }).request?.id;
        relayState = query.RelayState;
      }
      const acsUrl = sp.entityMeta.getAssertionConsumerService('post') as string;
      const now = new Date(Date.now() + (options.timeShiftMs ?? 0));
      const later = new Date(now.getTime() + (options.validityMs ?? 5 * 60_000));
      const id = `_${randomUUID()}`;
      const groups = user.groups ?? null;
      const response = (await idp.createLoginResponse(spForSigning, { extract: { request: { id: requestId ?? '' } } } as never, 'post', { email: user.nameId }, (template: string) => ({
        id,
        context: samlify.SamlLib.replaceTagsByValue(multiValued(template, 'Groups', groups).replaceAll(` NameFormat="${NO_NAME_FORMAT}"`, ''), {
          ...Object.fromEntries((groups ?? []).map((g, i) => [`attrGroups${i}`, g])),
          ...Object.fromEntries(profile.extra.map((x, i) => [`attrExtra${i}`, x.value])),
          ID: id,
          AssertionID: `_${randomUUID()}`,
          Destination: acsUrl,
          Audience: options.audience ?? sp.entityMeta.getEntityID(),
          SubjectRecipient: acsUrl,
          Issuer: entityId,
          IssueInstant: now.toISOString(),
          StatusCode: 'urn:oasis:names:tc:SAML:2.0:status:Success',
          ConditionsNotBefore: now.toISOString(),
          ConditionsNotOnOrAfter: later.toISOString(),
          SubjectConfirmationDataNotOnOrAfter: later.toISOString(),
          NameIDFormat: EMAIL_FORMAT,
          NameID: user.nameId,
          InResponseTo: options.inResponseTo ?? requestId ?? '',
          AuthnStatement: '',
          attrEmail: user.email,
          attrName: user.name,
          attrDepartment: user.department ?? '',
        }),
      }))) as { context: string };
      return { acsUrl, SAMLResponse: response.context, RelayState: relayState };
    },
  };
}
