import type { Config } from '../config';
import type { Store } from '../store/store';
import type { Logger } from '../logger';
import type { Outbox } from '../mail/outbox';
import type { Runs } from '../runs/runs';
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
import { createImportLibrary } from './imports';
import { createInvitationLibrary } from './invitations';
import { createInvitationLinkLibrary } from './invitationLinks';
import { createOidcConnectionLibrary } from './oidcConnections';
import { createOidcLoginStateLibrary } from './oidcLoginStates';
import { createSamlConnectionLibrary } from './samlConnections';
import { createSamlStateLibrary } from './samlState';
import { createSamlMetadataLibrary } from './samlMetadata';
import { createScimDirectoryLibrary } from './scimDirectories';
import { createDirectoryContentsLibrary } from './directoryContents';
import { createScimGroupLibrary } from './scimGroups';
import { createScimUserLibrary } from './scimUsers';
import { createTenantPolicyLibrary } from './tenantPolicies';
import { createTenantLibrary } from './tenants';
import { createEventLibrary } from './events';
import { createWebhookLibrary } from './webhooks';
/**
 * Every library of onramp, built once (by createServices, the one wiring
 * function) over the store (src/store/store.ts) and the runs (src/runs/runs.ts):
 * the HTTP app, the dev launcher and the CLI receive them instead of building
 * their own. Libraries build no clients and start no background work.
 */
export function createLibraries({ store, config, runs, outbox, logger }: { store: Store; config: Config; runs: Runs; outbox: Outbox; logger: Logger }) {
  const publicUrl = config.http.publicUrl;
  const samlConnections = createSamlConnectionLibrary(store, publicUrl, config.encryptionKey);
  return {
    tenants: createTenantLibrary(store),
    samlConnections,
    samlMetadata: createSamlMetadataLibrary(store, samlConnections, {
      policy: config.webhooks.policy,
      allowHttpIdpUrls: config.env !== 'production',
      refreshMs: config.saml.metadataRefreshMs,
      logger: logger.child({ component: 'saml-metadata' }),
    }),
    oidcConnections: createOidcConnectionLibrary(store, publicUrl, config.encryptionKey),
    oidcLoginStates: createOidcLoginStateLibrary(store),
    samlState: createSamlStateLibrary(store),
    connections: createConnectionLibrary(store, publicUrl),
    members: createMemberLibrary(store),
    invitations: createInvitationLibrary(store, outbox, publicUrl),
    invitationLinks: createInvitationLinkLibrary(store, runs.invitations, publicUrl),
    imports: createImportLibrary(store, runs.imports),
    lifecycle: createMemberLifecycleLibrary(store, runs.tenantAdmin, runs.memberCreation),
    audit: createAuditLibrary(store),
    policies: createTenantPolicyLibrary(store),
    identities: createIdentityLibrary(store),
    conflicts: createConflictLibrary(store),
    approvals: createApprovalLibrary(store, runs.approvals),
    groups: createGroupLibrary(store),
    domains: createDomainLibrary(store, config.dns),
    scimDirectories: createScimDirectoryLibrary(store, publicUrl),
    scimUsers: createScimUserLibrary(store, runs.directory),
    scimGroups: createScimGroupLibrary(store, runs.directory),
    directoryContents: createDirectoryContentsLibrary(store),
    events: createEventLibrary(store, config.events),
    webhooks: createWebhookLibrary(store, runs.webhooks, { encryptionKey: config.encryptionKey, policy: config.webhooks.policy }),
    emailSignIn: createEmailSignInLibrary(store, outbox, config.encryptionKey, publicUrl),
    outbox,
  };
}

export type Libraries = ReturnType<typeof createLibraries>;
