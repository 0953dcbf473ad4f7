import type { Client } from '@temporalio/client';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { createApprovalSender, type ApprovalSender } from './approvalClient';
import { createDirectoryWriter, type DirectoryWriter } from './directoryClient';
import { createImportRunner, type ImportRunner } from './importClient';
import { createInvitationAcceptor, type InvitationAcceptor } from './invitationClient';
import { createMemberCreator, type MemberCreator } from './memberCreationClient';
import { emailSearchValue } from './searchEmail';
import { createSignInStarter, type SignInStarter } from './signInClient';
import { createTenantAdminRunner, type TenantAdminRunner } from './tenantAdminClient';
import { createWebhookRunner, webhookRunSettings, type WebhookRunner } from './webhookClient';

/**
 * Every run the web process starts, updates or signals — the one door to
 * Temporal from outside the workflows (Update-with-Start, search attributes,
 * "still pending" answers and deadlines live behind it). Libraries take their
 * part of it; the benchmark replaces parts of it with inline baselines
 * through the same seam (createServices' `runs`).
 */
export interface Runs {
  signIn: SignInStarter;
  directory: DirectoryWriter;
  imports: ImportRunner;
  invitations: InvitationAcceptor;
  tenantAdmin: TenantAdminRunner;
  memberCreation: MemberCreator;
  approvals: ApprovalSender;
  webhooks: WebhookRunner;
}

export function createRuns(client: Client, config: Config, logger: Logger): Runs {
  const searchEmail = emailSearchValue(config.temporal.searchEmail);
  const { taskQueue, workflowTaskTimeoutMs } = config.temporal;
  const writes = { taskQueue, waitMs: config.scim.waitMs, workflowTaskTimeoutMs, searchEmail };
  return {
    signIn: createSignInStarter(client, { taskQueue, waitMs: config.signInWaitMs, workflowTaskTimeoutMs, searchEmail }),
    directory: createDirectoryWriter(client, writes),
    imports: createImportRunner(client, { taskQueue, ...config.imports }),
    invitations: createInvitationAcceptor(client, { taskQueue, waitMs: config.signInWaitMs, searchEmail }),
    tenantAdmin: createTenantAdminRunner(client, writes),
    memberCreation: createMemberCreator(client, writes),
    approvals: createApprovalSender(client),
    webhooks: createWebhookRunner(client, { taskQueue, ...webhookRunSettings(config) }, logger.child({ component: 'webhooks' })),
  };
}
