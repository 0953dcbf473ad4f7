import express, { type Express } from 'express';
import type { Config } from '../config';
import type { Models } from '../store/models';
import { notFound } from '../errors';
import type { Libraries } from '../library';
import type { Readiness } from '../library/readiness';
import { markStart } from '../metrics/registry';
import type { Logger } from '../logger';
import type { SignInRunner } from './completeSignIn';
import { adminRouter } from './admin/routes';
import { samlMetadataBodies } from './admin/metadataBodies';
import { requireAdminToken } from './adminAuth';
import { consoleRouter } from './console/routes';
import { emailRouter } from './email/routes';
import { invitationRouter } from './invitations/routes';
import { errorHandler } from './errorHandler';
import { healthRouter, metricsHandler } from './health';
import { meRouter } from './me';
import { createOidcClients } from './oidc/client';
import { oidcRouter } from './oidc/routes';
import { samlRouter } from './saml/routes';
import { scimRouter } from './scim/routes';
import { sessionMiddleware } from './session';
import { tenantApiRouter } from './tenantApi';
import { temporalCodecRouter } from './temporalCodec';
import { temporalCodec } from '../runs/dataConverter';

export interface AppDeps {
  config: Config;
  models: Models;
  logger: Logger;
  signIn: SignInRunner;
  libraries: Libraries;
  /** What `/readyz` checks (the database, Temporal, workers polling). */
  readiness: Readiness;
}

/** The HTTP app over the libraries createServices built (it starts and stops their background work). */
export function createApp(deps: AppDeps): { app: Express } {
  const { config, models, logger } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use((_req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Referrer-Policy', 'no-referrer');
    next();
  });

  const { tenants, samlConnections, members, approvals, oidcConnections, oidcLoginStates, connections, emailSignIn, outbox } = deps.libraries;
  const oidcClients = createOidcClients({ allowHttp: config.env !== 'production', clientSecret: oidcConnections.clientSecret });

  // Sign-in latency (onramp_signin_duration_seconds) is measured from the request's arrival.
  app.use(['/sso', '/invite'], (req, _res, next) => {
    markStart(req);
    next();
  });
  app.use(healthRouter(deps.readiness));
  // Prometheus metrics, to the operator's token (the metrics port, when configured, serves them without it).
  app.get('/metrics', requireAdminToken(config.adminToken), metricsHandler);
  app.use(
    '/api/admin',
    samlMetadataBodies,
    express.json({ limit: '256kb' }),
    adminRouter({
      ...deps.libraries,
      adminToken: config.adminToken,
      models,
      publicUrl: config.http.publicUrl,
      allowHttpIdpUrls: config.env !== 'production',
      oidcClients,
    }),
  );

  // SCIM directories authenticate with bearer tokens and answer in SCIM's own error format: before sessions.
  app.use(
    scimRouter({
      logger: logger.child({ component: 'scim' }),
      publicUrl: config.http.publicUrl,
      ratePerSecond: config.scim.ratePerSecond,
      directories: deps.libraries.scimDirectories,
      users: deps.libraries.scimUsers,
      groups: deps.libraries.scimGroups,
    }),
  );

  const sessions = sessionMiddleware({
    models,
    secret: config.session.secret,
    ttlSeconds: config.session.ttlSeconds,
    secure: config.http.secureCookies,
  });
  app.use(sessions);
  // The Temporal UI's and CLI's codec server: the operator reads sealed payloads of a history.
  app.use(
    '/api/temporal-codec',
    temporalCodecRouter({
      codec: temporalCodec(config.temporal.encryption),
      adminToken: config.adminToken,
      uiOrigin: config.temporal.uiOrigin,
      publicUrl: config.http.publicUrl,
    }),
  );
  app.use(
    samlRouter({
      config,
      models,
      logger: logger.child({ component: 'saml' }),
      connections: samlConnections,
      samlState: deps.libraries.samlState,
      signIn: deps.signIn,
      invitations: deps.libraries.invitationLinks,
    }),
  );
  app.use(
    oidcRouter({
      models,
      logger: logger.child({ component: 'oidc' }),
      publicUrl: config.http.publicUrl,
      clockSkewMs: config.saml.clockSkewMs,
      connections: oidcConnections,
      loginStates: oidcLoginStates,
      clients: oidcClients,
      signIn: deps.signIn,
      invitations: deps.libraries.invitationLinks,
    }),
  );
  app.use(
    invitationRouter({
      models,
      logger: logger.child({ component: 'invitations' }),
      publicUrl: config.http.publicUrl,
      secureCookies: config.http.secureCookies,
      invitations: deps.libraries.invitationLinks,
      signIn: deps.signIn,
      emailSignIn,
    }),
  );
  app.use(
    emailRouter({
      models,
      logger: logger.child({ component: 'email-signin' }),
      publicUrl: config.http.publicUrl,
      emailSignIn,
      signIn: deps.signIn,
      invitations: deps.libraries.invitationLinks,
      outbox,
      showOutbox: config.env !== 'production',
    }),
  );
  app.use(meRouter(members));
  app.use(tenantApiRouter({ models, tenants, approvals }));
  app.use(
    consoleRouter({
      models,
      publicUrl: config.http.publicUrl,
      adminToken: config.adminToken,
      tenants,
      approvals,
      members,
      connections,
      lifecycle: deps.libraries.lifecycle,
      invitations: deps.libraries.invitations,
      audit: deps.libraries.audit,
      identities: deps.libraries.identities,
      samlConnections,
      samlMetadata: deps.libraries.samlMetadata,
      domains: deps.libraries.domains,
      scimDirectories: deps.libraries.scimDirectories,
      webhooks: deps.libraries.webhooks,
      imports: deps.libraries.imports,
      groups: deps.libraries.groups,
      oidcConnections,
      oidcClients,
      allowHttpIdpUrls: config.env !== 'production',
      temporalUi: { url: config.temporal.uiUrl ?? config.temporal.uiOrigin ?? null, namespace: config.temporal.namespace },
    }),
  );

  app.use((req) => {
    throw notFound(`route ${req.method} ${req.path}`);
  });
  app.use(errorHandler(logger));
  return { app };
}
