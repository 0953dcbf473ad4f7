import express, { Router, type NextFunction, type Request, type Response } from 'express';
import passport from 'passport';
import type { Profile } from '@node-saml/passport-saml';
import type { Config } from '../../config';
import { recordAction } from '../../db/audit';
import type { Models } from '../../db/models';
import type { SamlConnectionDoc } from '../../db/models/samlConnection';
import { OnrampError, notFound } from '../../errors';
import type { createSamlConnectionLibrary } from '../../library/samlConnections';
import type { Logger } from '../../logger';
import type { SignInStarter } from '../../temporal/signInClient';
import { checkRecipient, consumeAssertion, samlRejected } from './assertionChecks';
import { answerSignIn } from '../signInAnswer';
import { profileToClaim } from './claim';
import { bindConnection, boundConnection, createSamlStrategy } from './strategy';
import { samlUrls } from './urls';

export interface SamlRouterDeps {
  config: Config;
  models: Models;
  logger: Logger;
  connections: ReturnType<typeof createSamlConnectionLibrary>;
  signIn: SignInStarter;
}

/** node-saml's validation errors become one 401 code; their text helps admins and reveals nothing secret. */
function rejection(err: unknown): OnrampError {
  if (err instanceof OnrampError) return err;
  const text = err instanceof Error ? err.message : 'invalid SAML response';
  return samlRejected('saml_invalid', `SAML response rejected: ${text.slice(0, 200)}`);
}

/**
 * The SAML service provider: SP-initiated login (HTTP-Redirect), the ACS
 * (HTTP-POST), and SP metadata — one set per connection.
 */
export function samlRouter(deps: SamlRouterDeps): Router {
  const { config, models, logger } = deps;
  const strategy = createSamlStrategy(config, models);
  const authenticator = new passport.Authenticator();
  authenticator.use('saml', strategy);
  const r = Router();

  const loadConnection = async (req: Request, _res: Response, next: NextFunction) => {
    const conn = await deps.connections.byId(String(req.params.connectionId));
    if (!conn) throw notFound('SAML connection');
    if (!conn.enabled) throw new OnrampError('connection_disabled', 'This sign-in connection is disabled.', { status: 403 });
    bindConnection(req, conn as SamlConnectionDoc);
    next();
  };

  const auditRejection = async (req: Request, conn: SamlConnectionDoc | undefined, err: OnrampError) => {
    await recordAction(models, {
      tenantId: conn ? String(conn.tenantId) : null,
      actor: { type: 'idp', id: conn ? String(conn._id) : null },
      action: 'signin.rejected',
      target: { type: 'saml_connection', id: conn ? String(conn._id) : null },
      reason: err.code,
      context: { message: err.message, ip: req.ip ?? null },
    }).catch((e: unknown) => logger.error({ err: e }, 'could not audit a rejected sign-in'));
  };

  r.get('/sso/saml/:connectionId/metadata', loadConnection, (req, res, next) => {
    strategy.generateServiceProviderMetadata(req, null, null, (err, xml) => {
      if (err || !xml) return next(err ?? new Error('no metadata'));
      res.type('application/samlmetadata+xml').send(xml);
    });
  });

  r.get('/sso/saml/:connectionId/login', loadConnection, (req, res, next) => {
    authenticator.authenticate('saml', { session: false })(req, res, next);
  });

  r.post('/sso/saml/:connectionId/acs', express.urlencoded({ extended: false, limit: '512kb' }), loadConnection, (req, res, next) => {
    const conn = boundConnection(req) as SamlConnectionDoc;
    const fail = async (err: unknown) => {
      const e = rejection(err);
      await auditRejection(req, conn, e);
      next(e);
    };
    if (typeof req.body?.SAMLResponse !== 'string') {
      void fail(samlRejected('saml_missing_response', 'No SAMLResponse was posted'));
      return;
    }
    authenticator.authenticate('saml', { session: false }, (err: unknown, user: { profile?: Profile } | false) => {
      void (async () => {
        try {
          if (err || !user || !user.profile) throw rejection(err ?? new Error('no assertion'));
          const profile = user.profile;
          const urls = samlUrls(config.http.publicUrl, String(conn._id));
          const assertionId = checkRecipient(profile.getSamlResponseXml?.() ?? '', profile.getAssertionXml?.() ?? '', urls.acsUrl);
          const claim = profileToClaim(profile, conn);
          await consumeAssertion(models, String(conn._id), assertionId, config.saml.maxAssertionAgeMs + 2 * config.saml.clockSkewMs);
          const { decision, workflowId } = await deps.signIn.signIn(claim);
          logger.info({ workflowId, status: decision.status }, 'sign-in decided');
          await answerSignIn(req, res, decision, req.body?.RelayState);
        } catch (e) {
          if (e instanceof OnrampError && e.status === 401) await fail(e);
          else next(e);
        }
      })();
    })(req, res, next);
  });

  return r;
}

