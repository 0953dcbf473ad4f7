import type { Models } from './models';
import { createAccessStore } from './access';
import { createApprovalStore } from './approvals';
import { createAuditStore } from './audit';
import { createConflictStore } from './conflicts';
import { createConnectionStore } from './connections';
import { createDomainStore } from './domains';
import { createEventStore } from './events';
import { createGrantStore } from './grants';
import { createGroupStore } from './groups';
import { createIdentityStore } from './identities';
import { createImportStore } from './imports';
import { createInvitationStore } from './invitations';
import { createMembershipStore } from './memberships';
import { createMemberStore } from './members';
import { createTenantChangeStore } from './tenantChanges';
import { createTenantStore } from './tenants';

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
    domains: createDomainStore(models),
    events: createEventStore(models),
    grants: createGrantStore(models),
    groups: createGroupStore(models),
    identities: createIdentityStore(models),
    imports: createImportStore(models),
    invitations: createInvitationStore(models),
    members: createMemberStore(models),
    memberships: createMembershipStore(models),
    tenantChanges: createTenantChangeStore(models),
    tenants: createTenantStore(models),
  };
}

export type Store = ReturnType<typeof createStore>;
