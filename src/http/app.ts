import type { Client } from '@temporalio/client';
import express, { type Express } from 'express';
import type { Config } from '../config';
import type { Models } from '../db/models';
import { startSweeper } from '../db/sweeper';
import { notFound } from '../errors';
import { createAuditLibrary } from '../library/auditLog';
import { createApprovalLibrary } from '../library/approvals';
import { createConflictLibrary } from '../library/conflicts';
import { createDomainLibrary } from '../library/domains';
import { createEmailSignInLibrary } from '../library/emailSignIn';
import { createGroupLibrary } from '../library/groups';
import { createOutbox, logTransport, smtpTransport } from '../mail/outbox';
import { createOidcConnectionLibrary } from '../library/oidcConnections';
import { createIdentityLibrary } from '../library/identities';
import { createMemberLibrary } from '../library/members';
import { createSamlConnectionLibrary } from '../library/samlConnections';
import { createTenantPolicyLibrary } from '../library/tenantPolicies';
import { createTenantLibrary } from '../library/tenants';
import type { Logger } from '../logger';
import type { SignInStarter } from '../temporal/signInClient';
import { adminRouter } from './admin/routes';
import { consoleRouter } from './console/routes';
import { emailRouter } from './email/routes';
import { errorHandler } from './errorHandler';
import { meRouter } from './me';
import { createOidcClients } from './oidc/client';
import { oidcRouter } from './oidc/routes';
import { samlRouter } from './saml/routes';
import { sessionMiddleware } from './session';
import { tenantApiRouter } from './tenantApi';

export interface AppDeps {
  config: Config;
  models: Models;
  logger: Logger;
  signIn: SignInStarter;
  temporalClient: Client;
}

export function createApp(deps: AppDeps): { app: Express; close(): Promise<void> } {
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

  const tenants = createTenantLibrary(models);
  const samlConnections = createSamlConnectionLibrary(models, config.http.publicUrl, config.encryptionKey);
  const members = createMemberLibrary(models);
  const audit = createAuditLibrary(models);
  const policies = createTenantPolicyLibrary(models);
  const identities = createIdentityLibrary(models);
  const conflicts = createConflictLibrary(models);
  const approvals = createApprovalLibrary(models, deps.temporalClient);
  const groups = createGroupLibrary(models);
  const domains = createDomainLibrary(models, config.dns);
  const oidcConnections = createOidcConnectionLibrary(models, config.http.publicUrl, config.encryptionKey);
  const outbox = createOutbox(
    models,
    config.mail.smtpUrl ? smtpTransport(config.mail.smtpUrl) : logTransport(logger.child({ component: 'mail' })),
    config.mail.from,
    logger.child({ component: 'outbox' }),
  );
  outbox.start();
  const stopSweeper = startSweeper(models, logger.child({ component: 'sweeper' }), config.sweepIntervalMs);
  const emailSignIn = createEmailSignInLibrary(models, outbox, config.encryptionKey);
  const oidcClients = createOidcClients({ allowHttp: config.env !== 'production', clientSecret: oidcConnections.clientSecret });

  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  app.use(
    '/api/admin',
    express.json({ limit: '256kb' }),
    adminRouter({ adminToken: config.adminToken, models, publicUrl: config.http.publicUrl, allowHttpIdpUrls: config.env !== 'production', tenants, samlConnections, members, audit, policies, identities, conflicts, approvals, groups, domains, oidcConnections, oidcClients }),
  );

  const sessions = sessionMiddleware({
    models,
    secret: config.session.secret,
    ttlSeconds: config.session.ttlSeconds,
    secure: config.http.secureCookies,
  });
  app.use(sessions);
  app.use(samlRouter({ config, models, logger: logger.child({ component: 'saml' }), connections: samlConnections, signIn: deps.signIn }));
  app.use(oidcRouter({ models, logger: logger.child({ component: 'oidc' }), publicUrl: config.http.publicUrl, clockSkewMs: config.saml.clockSkewMs, connections: oidcConnections, clients: oidcClients, signIn: deps.signIn }));
  app.use(emailRouter({ models, logger: logger.child({ component: 'email-signin' }), publicUrl: config.http.publicUrl, emailSignIn, signIn: deps.signIn, outbox, showOutbox: config.env !== 'production' }));
  app.use(meRouter(members));
  app.use(tenantApiRouter({ models, tenants, approvals }));
  app.use(consoleRouter({ models, publicUrl: config.http.publicUrl, adminToken: config.adminToken, tenants, approvals }));

  app.use((req) => {
    throw notFound(`route ${req.method} ${req.path}`);
  });
  app.use(errorHandler(logger));
  return {
    app,
    close: async () => {
      outbox.stop();
      stopSweeper();
    },
  };
}
