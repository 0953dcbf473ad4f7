import type { Client } from '@temporalio/client';
import type { Config } from '../config';
import type { Models } from '../db/models';
import { startSweeper } from '../db/sweeper';
import type { Logger } from '../logger';
import { createOutbox, logTransport, smtpTransport } from '../mail/outbox';
import { createApprovalLibrary } from './approvals';
import { createAuditLibrary } from './auditLog';
import { createConflictLibrary } from './conflicts';
import { createConnectionLibrary } from './connections';
import { createDomainLibrary } from './domains';
import { createEmailSignInLibrary } from './emailSignIn';
import { createGroupLibrary } from './groups';
import { createIdentityLibrary } from './identities';
import { createMemberLibrary } from './members';
import { createMemberLifecycleLibrary } from './memberLifecycle';
import { createTenantAdminRunner } from '../temporal/tenantAdminClient';
import { createMemberCreator } from '../temporal/memberCreationClient';
import { createImportRunner, type ImportRunner } from '../temporal/importClient';
import { createImportLibrary } from './imports';
import { createInvitationLibrary } from './invitations';
import { createInvitationAcceptor, type InvitationAcceptor } from '../temporal/invitationClient';
import { createOidcConnectionLibrary } from './oidcConnections';
import { createOidcLoginStateLibrary } from './oidcLoginStates';
import { createSamlConnectionLibrary } from './samlConnections';
import { createSamlStateLibrary } from './samlState';
import { createSamlMetadataLibrary } from './samlMetadata';
import { createScimDirectoryLibrary } from './scimDirectories';
import { createDirectoryContentsLibrary } from './directoryContents';
import { createScimGroupLibrary } from './scimGroups';
import { createScimUserLibrary } from './scimUsers';
import { createDirectoryWriter, type DirectoryWriter } from '../temporal/directoryClient';
import { emailSearchValue } from '../temporal/searchEmail';
import { createTenantPolicyLibrary } from './tenantPolicies';
import { createTenantLibrary } from './tenants';

import { createEventLibrary } from './events';
import { createWebhookLibrary } from './webhooks';
import { createWebhookRunner, webhookRunSettings } from '../temporal/webhookClient';
/**
 * Every library of onramp, built once (by createServices) over the models:
 * the HTTP app, the dev launcher and the CLI receive them instead of building
 * their own. `start()` starts the background work (outbox, sweeper); `stop()`
 * stops it.
 */
export function createLibraries({
  models,
  config,
  temporalClient,
  logger,
  directoryWriter: injectedWriter,
  importRunner,
  invitationAcceptor,
}: {
  models: Models;
  config: Config;
  temporalClient: Client;
  logger: Logger;
  /** How SCIM writes reach their resource's run: through Temporal (default); the benchmark injects an inline baseline. */
  directoryWriter?: DirectoryWriter;
  /** How imports and invitation acceptances run: through Temporal (default); the benchmark injects inline baselines. */
  importRunner?: ImportRunner;
  invitationAcceptor?: InvitationAcceptor;
}) {
  const outbox = createOutbox(
    models,
    config.mail.smtpUrl ? smtpTransport(config.mail.smtpUrl) : logTransport(logger.child({ component: 'mail' })),
    config.mail.from,
    logger.child({ component: 'outbox' }),
    config.mail.retryMs,
  );
  const publicUrl = config.http.publicUrl;
  let stopSweeper: (() => void) | null = null;
  const searchEmail = emailSearchValue(config.temporal.searchEmail);
  const temporalWrites = {
    taskQueue: config.temporal.taskQueue,
    waitMs: config.scim.waitMs,
    workflowTaskTimeoutMs: config.temporal.workflowTaskTimeoutMs,
    searchEmail,
  };
  const directoryWriter = injectedWriter ?? createDirectoryWriter(temporalClient, temporalWrites);
  const webhookRunner = createWebhookRunner(
    temporalClient,
    { taskQueue: config.temporal.taskQueue, ...webhookRunSettings(config) },
    logger.child({ component: 'webhooks' }),
  );
  const samlConnections = createSamlConnectionLibrary(models, publicUrl, config.encryptionKey);
  const samlMetadata = createSamlMetadataLibrary(models, samlConnections, {
    policy: config.webhooks.policy,
    allowHttpIdpUrls: config.env !== 'production',
    refreshMs: config.saml.metadataRefreshMs,
    logger: logger.child({ component: 'saml-metadata' }),
  });
  return {
    tenants: createTenantLibrary(models),
    samlConnections,
    samlMetadata,
    oidcConnections: createOidcConnectionLibrary(models, publicUrl, config.encryptionKey),
    oidcLoginStates: createOidcLoginStateLibrary(models),
    samlState: createSamlStateLibrary(models),
    connections: createConnectionLibrary(models, publicUrl),
    members: createMemberLibrary(models),
    invitations: createInvitationLibrary(
      models,
      outbox,
      invitationAcceptor ?? createInvitationAcceptor(temporalClient, { taskQueue: config.temporal.taskQueue, waitMs: config.signInWaitMs, searchEmail }),
      publicUrl,
    ),
    imports: createImportLibrary(
      models,
      importRunner ?? createImportRunner(temporalClient, { taskQueue: config.temporal.taskQueue, ...config.imports }),
      logger,
    ),
    lifecycle: createMemberLifecycleLibrary(
      models,
      createTenantAdminRunner(temporalClient, temporalWrites),
      createMemberCreator(temporalClient, temporalWrites),
    ),
    audit: createAuditLibrary(models),
    policies: createTenantPolicyLibrary(models),
    identities: createIdentityLibrary(models),
    conflicts: createConflictLibrary(models),
    approvals: createApprovalLibrary(models, temporalClient),
    groups: createGroupLibrary(models),
    domains: createDomainLibrary(models, config.dns),
    scimDirectories: createScimDirectoryLibrary(models, publicUrl),
    scimUsers: createScimUserLibrary(models, directoryWriter),
    scimGroups: createScimGroupLibrary(models, directoryWriter),
    directoryContents: createDirectoryContentsLibrary(models),
    events: createEventLibrary(models, config.events),
    webhooks: createWebhookLibrary(models, webhookRunner, { encryptionKey: config.encryptionKey, policy: config.webhooks.policy }),
    webhookRunner,
    emailSignIn: createEmailSignInLibrary(models, outbox, config.encryptionKey, publicUrl),
    outbox,
    start() {
      outbox.start();
      samlMetadata.start();
      stopSweeper ??= startSweeper(models, logger.child({ component: 'sweeper' }), config.sweepIntervalMs, config.events.retentionMs);
    },
    stop() {
      outbox.stop();
      samlMetadata.stop();
      stopSweeper?.();
      stopSweeper = null;
    },
  };
}

export type Libraries = ReturnType<typeof createLibraries>;
