import { MultiSamlStrategy, type Profile, type VerifiedCallback } from '@node-saml/passport-saml';
import { ValidateInResponseTo } from '@node-saml/node-saml';
import type { Request } from 'express';
import type { Config } from '../../config';
import type { SamlConnectionDoc } from '../../store/models/samlConnection';
import { certificatePem, unsealSpPrivateKey } from '../../crypto/spSigningKey';
import { DEFAULT_SIGNATURE_POLICY, nodeSamlSignatureOptions } from '../../domain/samlSignatures';
import { mongoCacheProvider, type RequestScopedCache } from './cacheProvider';
import { unexpiredCertificates } from './rejections';
import type { SamlStateLibrary } from '../../library/samlState';
import { samlUrls } from '../../library/samlUrls';

/** The connection a SAML request is for, loaded by the route before passport runs. */
const connectionOf = new WeakMap<Request, SamlConnectionDoc>();
export const bindConnection = (req: Request, conn: SamlConnectionDoc): void => {
  connectionOf.set(req, conn);
};
export const boundConnection = (req: Request): SamlConnectionDoc | undefined => connectionOf.get(req);
/** The InResponseTo cache node-saml used for this request (its removals wait for the route's commit). */
const cacheOf = new WeakMap<Request, RequestScopedCache>();
export const requestCache = (req: Request): RequestScopedCache | undefined => cacheOf.get(req);

/** The connection's SP signing certificates (PEM), newest first, for the metadata; none when it does not sign requests. */
export function spSigningCertificates(conn: SamlConnectionDoc): string[] {
  return conn.signAuthnRequests === false ? [] : (conn.spSigningKeys ?? []).map((k) => certificatePem(k.certificate));
}

/**
 * passport-saml's MultiSamlStrategy with the options of the request's
 * connection: the signatures its policy demands (domain/samlSignatures.ts;
 * by default one valid signature covering the assertion), only its unexpired
 * IdP certificates, audience = the connection's own SP entity ID,
 * InResponseTo required unless the connection enables IdP-initiated login,
 * bounded clock skew and assertion age, request IDs in the shared MongoDB
 * cache, and AuthnRequests signed with the connection's newest SP key.
 * (The assertion's issuer is checked by the route: node-saml does not.)
 */
export function createSamlStrategy(config: Config, samlState: SamlStateLibrary): MultiSamlStrategy {
  return new MultiSamlStrategy(
    {
      passReqToCallback: true,
      getSamlOptions(req, done) {
        const conn = connectionOf.get(req);
        if (!conn) return done(new Error('no SAML connection bound to this request'));
        const id = String(conn._id);
        const urls = samlUrls(config.http.publicUrl, id);
        const cacheProvider = mongoCacheProvider(samlState, id, config.saml.requestTtlMs);
        cacheOf.set(req, cacheProvider);
        const unexpired = unexpiredCertificates(conn.certificates);
        const spKey = conn.signAuthnRequests === false ? undefined : conn.spSigningKeys?.[0];
        done(null, {
          issuer: conn.spEntityId,
          audience: conn.spEntityId,
          callbackUrl: urls.acsUrl,
          entryPoint: conn.ssoUrl,
          idpIssuer: conn.idpEntityId,
          idpCert: unexpired.length > 0 ? unexpired : [...conn.certificates],
          ...nodeSamlSignatureOptions(conn.signatures ?? DEFAULT_SIGNATURE_POLICY),
          ...(spKey ? { privateKey: unsealSpPrivateKey(config.encryptionKey, spKey) } : {}),
          signatureAlgorithm: 'sha256',
          acceptedClockSkewMs: config.saml.clockSkewMs,
          maxAssertionAgeMs: config.saml.maxAssertionAgeMs,
          validateInResponseTo: conn.allowIdpInitiated ? ValidateInResponseTo.ifPresent : ValidateInResponseTo.always,
          requestIdExpirationPeriodMs: config.saml.requestTtlMs,
          cacheProvider,
          identifierFormat: null,
          disableRequestedAuthnContext: true,
          // HTTP-Redirect, or an auto-posting form for an IdP whose metadata offers only HTTP-POST.
          authnRequestBinding: conn.ssoBinding ?? 'HTTP-Redirect',
        });
      },
    },
    (_req: Request, profile: Profile | null, done: VerifiedCallback) => {
      if (!profile) return done(null, undefined, { message: 'no profile' });
      done(null, { profile });
    },
    (_req: Request, _profile: Profile | null, done: VerifiedCallback) => done(null, undefined),
  );
}
