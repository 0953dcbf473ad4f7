import type { Models } from './models';
import { createAuditStore } from './audit';
import { createMemberStore } from './members';
import { createTenantStore } from './tenants';

/**
 * The store the libraries use: every query and write of theirs, by area, each
 * area a module of `src/store` built over the models. Libraries receive this
 * object and never the models, so the store stays the only code that touches them.
 */
export function createStore(models: Models) {
  return {
    // One line per area, in alphabetical order.
    audit: createAuditStore(models),
    members: createMemberStore(models),
    tenants: createTenantStore(models),
  };
}

export type Store = ReturnType<typeof createStore>;
