import express, { Router, type NextFunction, type Request, type Response } from 'express';
import passport from 'passport';
import type { Profile } from '@node-saml/passport-saml';
import type { Config } from '../../config';
import type { SamlConnectionDoc } from '../../store/models/samlConnection';
import { isInfrastructureError, OnrampError, notFound, personRefusal, serviceUnavailable } from '../../errors';
import { catalogueMessage } from '../../errorCodes';
import { asOnrampError } from '../errorHandler';
import type { createSamlConnectionLibrary } from '../../library/samlConnections';
import type { Logger } from '../../logger';
import { checkIssuer, checkRecipient, samlRejected } from './assertionChecks';
import type { SamlStateLibrary } from '../../library/samlState';
import { certificatesExpired, samlValidationRejection } from './rejections';
import { DEFAULT_SIGNATURE_POLICY } from '../../domain/samlSignatures';
import { weakAlgorithm } from '../../domain/samlAlgorithms';
import { INVITE_RELAY_PREFIX } from '../invitationAnswer';
import { completeSignIn, type SignInEdge, type VerifiedSignIn } from '../completeSignIn';
import { signInFailure, type RejectionTarget } from '../signInFailure';
import { profileToClaim } from './claim';
import { parseSamlResponse } from './parsedResponse';
import { bindConnection, boundConnection, createSamlStrategy, requestCache, spSigningCertificates } from './strategy';
import { samlUrls } from '../../library/samlUrls';

export interface SamlRouterDeps extends SignInEdge {
  config: Config;
  connections: ReturnType<typeof createSamlConnectionLibrary>;
  samlState: SamlStateLibrary;
}

/**
 * What node-saml (or our checks) raised: an infrastructure failure stays one
 * (503, retryable); a validation error becomes a 401 with its own reason code
 * and a message an IdP admin can act on (saml/rejections.ts), nothing secret;
 * anything else is logged and answered without its text.
 */
function rejection(err: unknown, req: Request, conn: SamlConnectionDoc, logger: Logger): OnrampError {
  if (err instanceof OnrampError) return err;
  if (isInfrastructureError(err)) return serviceUnavailable(err);
  // node-saml reports what it rejects as plain Errors; a TypeError or the like is a parser tripping over
  // the input (or a bug): logged whole, answered without its internal text.
  if (!(err instanceof Error) || err.constructor !== Error) {
    logger.error({ err }, 'SAML response could not be processed');
    return samlRejected('saml_malformed', catalogueMessage('saml_malformed'));
  }
  const posted = typeof req.body?.SAMLResponse === 'string' ? Buffer.from(req.body.SAMLResponse, 'base64').toString('utf8') : '';
  const refused = samlValidationRejection(err, posted, {
    signatures: conn.signatures ?? DEFAULT_SIGNATURE_POLICY,
    certificates: conn.certificates,
    spEntityId: conn.spEntityId,
  });
  // node-saml's words stay in the operator's log: they may quote the posted XML, so neither the answer nor the audit repeats them.
  if (refused.code === 'saml_invalid') logger.info({ connectionId: String(conn._id), detail: err.message.slice(0, 300) }, 'SAML response refused by node-saml');
  return refused;
}

/**
 * The SAML service provider: SP-initiated login (HTTP-Redirect), the ACS
 * (HTTP-POST), and SP metadata — one set per connection.
 */
export function samlRouter(deps: SamlRouterDeps): Router {
  const { config, logger } = deps;
  const strategy = createSamlStrategy(config, deps.samlState);
  const authenticator = new passport.Authenticator();
  authenticator.use('saml', strategy);
  const r = Router();

  const loadConnection = async (req: Request, _res: Response, next: NextFunction) => {
    const conn = await deps.connections.byId(String(req.params.connectionId)).catch((err: unknown) => {
      throw isInfrastructureError(err) ? serviceUnavailable(err) : err;
    });
    if (!conn) throw notFound('SAML connection');
    if (!conn.enabled) throw personRefusal('connection_disabled');
    bindConnection(req, conn as SamlConnectionDoc);
    next();
  };

  r.get('/sso/saml/:connectionId/metadata', loadConnection, (req, res, next) => {
    const conn = boundConnection(req) as SamlConnectionDoc;
    const signing = spSigningCertificates(conn);
    strategy.generateServiceProviderMetadata(req, null, signing.length > 0 ? signing : null, (err, xml) => {
      if (err || !xml) return next(err ?? new Error('no metadata'));
      // With "either", node-saml leaves WantAssertionsSigned out; ask IdPs that read metadata to sign the assertion.
      const policy = conn.signatures ?? DEFAULT_SIGNATURE_POLICY;
      const out =
        policy === 'either' && !xml.includes('WantAssertionsSigned') ? xml.replace(/<SPSSODescriptor\b/, '<SPSSODescriptor WantAssertionsSigned="true"') : xml;
      res.type('application/samlmetadata+xml').send(out);
    });
  });

  r.get('/sso/saml/:connectionId/login', loadConnection, (req, res, next) => {
    authenticator.authenticate('saml', { session: false })(req, res, next);
  });

  const targetOf = (conn: SamlConnectionDoc): RejectionTarget => ({ tenantId: String(conn.tenantId), connectionId: String(conn._id), type: 'saml_connection' });

  const acsBody = express.urlencoded({ extended: false, limit: '512kb' });
  // The connection first, then the body: a body refused by the parser (too large, unreadable) is a refused sign-in of that connection, audited like the others.
  r.post('/sso/saml/:connectionId/acs', loadConnection, (req, res, next) => {
    const conn = boundConnection(req) as SamlConnectionDoc;
    acsBody(req, res, (parseError?: unknown) => {
      if (parseError === undefined || parseError === null) {
        acs(req, res, next);
        return;
      }
      void signInFailure(asOnrampError(parseError), { models: deps.models, logger, req, target: targetOf(conn) }).then(next);
    });
  });

  /** node-saml's verdict on the posted response: its profile, or the refusal (saml/rejections.ts). */
  const validated = (req: Request, res: Response, next: NextFunction, conn: SamlConnectionDoc): Promise<Profile> =>
    new Promise((resolve, reject) => {
      if (typeof req.body?.SAMLResponse !== 'string') return reject(samlRejected('saml_missing_response', 'No SAMLResponse was posted'));
      const expired = certificatesExpired(conn.certificates);
      if (expired) return reject(expired);
      authenticator.authenticate('saml', { session: false }, (err: unknown, user: { profile?: Profile } | false) => {
        if (err || !user || !user.profile) reject(rejection(err ?? new Error('no assertion'), req, conn, logger));
        else resolve(user.profile);
      })(req, res, next);
    });

  /** SAML's part of a sign-in: node-saml's validation, then the checks it leaves to us on the response parsed once. */
  const verify = async (
    req: Request,
    res: Response,
    next: NextFunction,
    conn: SamlConnectionDoc,
    spent: (release: () => Promise<void>) => void,
  ): Promise<VerifiedSignIn> => {
    const profile = await validated(req, res, next, conn);
    const parsed = parseSamlResponse(profile.getSamlResponseXml?.() ?? '', profile.getAssertionXml?.() ?? '');
    // SHA-256 or stronger, unless the connection's admin allowed SHA-1 (a legacy IdP).
    const weak = weakAlgorithm(parsed.signatureAlgorithms, conn.allowSha1 === true);
    if (weak) throw samlRejected(weak.reason, weak.message);
    checkIssuer(profile.issuer, conn.idpEntityId);
    const assertionId = checkRecipient(parsed, samlUrls(config.http.publicUrl, String(conn._id)).acsUrl);
    const relayState: unknown = req.body?.RelayState;
    return {
      claim: profileToClaim(profile, parsed, conn),
      // The sign-in accepts an invitation (http/invitations/routes.ts): the acceptance run, not a plain sign-in.
      next:
        typeof relayState === 'string' && relayState.startsWith(INVITE_RELAY_PREFIX)
          ? { kind: 'handoff', handle: relayState.slice(INVITE_RELAY_PREFIX.length) }
          : { kind: 'signIn', returnTo: relayState },
      spend: async () =>
        spent(await deps.samlState.consumeAssertion(String(conn._id), assertionId, config.saml.maxAssertionAgeMs + 2 * config.saml.clockSkewMs)),
    };
  };

  const acs = (req: Request, res: Response, next: NextFunction) => {
    const conn = boundConnection(req) as SamlConnectionDoc;
    let releaseAssertion: (() => Promise<void>) | null = null;
    void completeSignIn(deps, {
      req,
      res,
      target: targetOf(conn),
      verify: () => verify(req, res, next, conn, (release) => (releaseAssertion = release)),
      // The user may post the same response again: keep the AuthnRequest and give the assertion ID back.
      onUnavailable: async () => {
        requestCache(req)?.keep();
        await releaseAssertion?.();
      },
      onAnswered: async () => requestCache(req)?.commit(),
    }).catch(next);
  };

  return r;
}
