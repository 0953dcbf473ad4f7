import express, { Router, type NextFunction, type Request, type Response } from 'express';
import passport from 'passport';
import type { Profile } from '@node-saml/passport-saml';
import type { Config } from '../../config';
import type { Models } from '../../db/models';
import type { SamlConnectionDoc } from '../../db/models/samlConnection';
import { isInfrastructureError, OnrampError, notFound, personRefusal, serviceUnavailable } from '../../errors';
import { catalogueMessage } from '../../errorCodes';
import { asOnrampError } from '../errorHandler';
import type { createSamlConnectionLibrary } from '../../library/samlConnections';
import type { Logger } from '../../logger';
import type { SignInStarter } from '../../temporal/signInClient';
import { checkIssuer, checkRecipient, samlRejected } from './assertionChecks';
import type { SamlStateLibrary } from '../../library/samlState';
import { certificatesExpired, samlValidationRejection } from './rejections';
import { DEFAULT_SIGNATURE_POLICY } from '../../domain/samlSignatures';
import { weakAlgorithm } from '../../domain/samlAlgorithms';
import { verifiedSignatureAlgorithms } from './signatureAlgorithms';
import { answerSignIn } from '../signInAnswer';
import { inviteBrowserOf } from '../inviteBrowser';
import { answerAcceptance, INVITE_RELAY_PREFIX } from '../invitationAnswer';
import type { InvitationLibrary } from '../../library/invitations';
import { checkClaimBounds } from '../../domain/claimBounds';
import { signInFailure } from '../signInFailure';
import { profileToClaim } from './claim';
import { bindConnection, boundConnection, createSamlStrategy, requestCache, spSigningCertificates } from './strategy';
import { samlUrls } from '../../library/samlUrls';

export interface SamlRouterDeps {
  config: Config;
  models: Models;
  logger: Logger;
  connections: ReturnType<typeof createSamlConnectionLibrary>;
  samlState: SamlStateLibrary;
  signIn: SignInStarter;
  invitations: InvitationLibrary;
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
  const { config, models, logger } = deps;
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

  const acsBody = express.urlencoded({ extended: false, limit: '512kb' });
  // The connection first, then the body: a body refused by the parser (too large, unreadable) is a refused sign-in of that connection, audited like the others.
  r.post('/sso/saml/:connectionId/acs', loadConnection, (req, res, next) => {
    const conn = boundConnection(req) as SamlConnectionDoc;
    acsBody(req, res, (parseError?: unknown) => {
      if (parseError === undefined || parseError === null) {
        acs(req, res, next);
        return;
      }
      void signInFailure(asOnrampError(parseError), {
        models,
        logger,
        req,
        target: { tenantId: String(conn.tenantId), connectionId: String(conn._id), type: 'saml_connection' },
      }).then(next);
    });
  });

  const acs = (req: Request, res: Response, next: NextFunction) => {
    const conn = boundConnection(req) as SamlConnectionDoc;
    let releaseAssertion: (() => Promise<void>) | null = null;
    const fail = async (err: unknown) => {
      const cache = requestCache(req);
      next(
        await signInFailure(err, {
          models,
          logger,
          req,
          target: { tenantId: String(conn.tenantId), connectionId: String(conn._id), type: 'saml_connection' },
          // The user may post the same response again: keep the AuthnRequest and give the assertion ID back.
          onUnavailable: async () => {
            cache?.keep();
            await releaseAssertion?.();
          },
          onAnswered: async () => cache?.commit(),
        }),
      );
    };
    if (typeof req.body?.SAMLResponse !== 'string') {
      void fail(samlRejected('saml_missing_response', 'No SAMLResponse was posted'));
      return;
    }
    const expired = certificatesExpired(conn.certificates);
    if (expired) {
      void fail(expired);
      return;
    }
    authenticator.authenticate('saml', { session: false }, (err: unknown, user: { profile?: Profile } | false) => {
      void (async () => {
        try {
          if (err || !user || !user.profile) throw rejection(err ?? new Error('no assertion'), req, conn, logger);
          const profile = user.profile;
          // SHA-256 or stronger, unless the connection's admin allowed SHA-1 (a legacy IdP).
          const weak = weakAlgorithm(verifiedSignatureAlgorithms(profile.getSamlResponseXml?.() ?? ''), conn.allowSha1 === true);
          if (weak) throw samlRejected(weak.reason, weak.message);
          checkIssuer(profile.issuer, conn.idpEntityId);
          const urls = samlUrls(config.http.publicUrl, String(conn._id));
          const assertionId = checkRecipient(profile.getSamlResponseXml?.() ?? '', profile.getAssertionXml?.() ?? '', urls.acsUrl);
          const claim = checkClaimBounds(profileToClaim(profile, conn));
          releaseAssertion = await deps.samlState.consumeAssertion(String(conn._id), assertionId, config.saml.maxAssertionAgeMs + 2 * config.saml.clockSkewMs);
          const relayState: unknown = req.body?.RelayState;
          if (typeof relayState === 'string' && relayState.startsWith(INVITE_RELAY_PREFIX)) {
            // The sign-in accepts an invitation (http/invitations/routes.ts): the acceptance run, not a plain sign-in.
            const handoff = await deps.invitations.takeHandoff(relayState.slice(INVITE_RELAY_PREFIX.length), inviteBrowserOf(req));
            await answerAcceptance(req, res, deps.invitations, handoff, claim);
          } else {
            const { decision, workflowId } = await deps.signIn.signIn(claim);
            logger.info({ workflowId, status: decision.status }, 'sign-in decided');
            await answerSignIn(req, res, decision, relayState);
          }
          await requestCache(req)
            ?.commit()
            .catch((e: unknown) => logger.warn({ err: e }, 'could not clear the AuthnRequest ID (the sweeper will)'));
        } catch (e) {
          await fail(e);
        }
      })();
    })(req, res, next);
  };

  return r;
}
