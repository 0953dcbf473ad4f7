import type { Store } from '../store/store';
import { conflict, isDuplicateKeyError, notFound } from '../errors';
import { page, type DocId } from './pagination';
import { BUILT_IN_ROLES } from '../domain/roles';

export interface TenantInput {
  slug: string;
  name: string;
  jit: { enabled: boolean; defaultRoles: string[] };
}

export function createTenantLibrary(store: Store) {
  return {
    async create(input: TenantInput, actor: { type: 'admin'; id: string | null }) {
      try {
        // Default roles beyond the built-in ones become the tenant's custom roles (only tenant roles are granted).
        const custom = input.jit.defaultRoles.filter((r) => !(BUILT_IN_ROLES as readonly string[]).includes(r));
        const tenant = await store.tenants.create({ ...input, roles: { custom, ownerFromIdp: false } });
        await store.audit.recordAction({
          tenantId: String(tenant._id),
          actor,
          action: 'tenant.created',
          target: { type: 'tenant', id: String(tenant._id) },
          after: input,
        });
        return tenant;
      } catch (err) {
        if (isDuplicateKeyError(err)) throw conflict('tenant_exists', `a tenant with slug "${input.slug}" already exists`);
        throw err;
      }
    },

    async list(limit: number, after: DocId | null) {
      const rows = await store.tenants.after(after, limit);
      return page(rows, limit);
    },

    /** Tenants by ID, ordered by slug (the console's list for a tenant admin). */
    async byIds(ids: readonly string[]) {
      return ids.length ? store.tenants.byIds(ids) : [];
    },

    async bySlug(slug: string) {
      const tenant = await store.tenants.bySlug(slug);
      if (!tenant) throw notFound(`tenant "${slug}"`);
      return tenant;
    },
  };
}
