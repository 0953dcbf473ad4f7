import type { Models } from './models';
import { createAccessStore } from './access';
import { createApprovalStore } from './approvals';
import { createAuditStore } from './audit';
import { createConflictStore } from './conflicts';
import { createConnectionStore } from './connections';
import { createDirectoryHoldStore } from './directoryHolds';
import { createDomainStore } from './domains';
import { createEmailSignInStore } from './emailSignIn';
import { createEventStore } from './events';
import { createGrantStore } from './grants';
import { createGroupStore } from './groups';
import { createIdentityStore } from './identities';
import { createImportStore } from './imports';
import { createInvitationStore } from './invitations';
import { createMemberStore } from './members';
import { createMembershipStore } from './memberships';
import { createOidcLoginStateStore } from './oidcLoginStates';
import { createRateLimitStore } from './rateLimit';
import { createSamlStateStore } from './samlState';
import { createScimDirectoryStore } from './scimDirectories';
import { createScimGroupStore } from './scimGroups';
import { createScimKeyStore } from './scimKeys';
import { createScimUserStore } from './scimUsers';
import { createSessionStore } from './sessions';
import { createTenantChangeStore } from './tenantChanges';
import { createTenantStore } from './tenants';
import { createUserStore } from './users';
import { createWebhookStore } from './webhooks';

/**
 * The store the libraries use: every query and write of theirs, by area, each
 * area a module of `src/store` built over the models. Libraries receive this
 * object and never the models, so the store stays the only code that touches them.
 */
export function createStore(models: Models) {
  return {
    // One line per area, in alphabetical order.
    access: createAccessStore(models),
    approvals: createApprovalStore(models),
    audit: createAuditStore(models),
    conflicts: createConflictStore(models),
    connections: createConnectionStore(models),
    directoryHolds: createDirectoryHoldStore(models),
    domains: createDomainStore(models),
    emailSignIn: createEmailSignInStore(models),
    events: createEventStore(models),
    grants: createGrantStore(models),
    groups: createGroupStore(models),
    identities: createIdentityStore(models),
    imports: createImportStore(models),
    invitations: createInvitationStore(models),
    members: createMemberStore(models),
    memberships: createMembershipStore(models),
    oidcLoginStates: createOidcLoginStateStore(models),
    rateLimit: createRateLimitStore(models),
    samlState: createSamlStateStore(models),
    scimDirectories: createScimDirectoryStore(models),
    scimGroups: createScimGroupStore(models),
    scimKeys: createScimKeyStore(models),
    scimUsers: createScimUserStore(models),
    sessions: createSessionStore(models),
    tenantChanges: createTenantChangeStore(models),
    tenants: createTenantStore(models),
    users: createUserStore(models),
    webhooks: createWebhookStore(models),
  };
}

export type Store = ReturnType<typeof createStore>;
