import type { Models } from '../store/models';
import { recordAction } from '../store/audit';
import { conflict, isDuplicateKeyError, notFound } from '../errors';
import { page, type DocId } from './pagination';
import { BUILT_IN_ROLES } from '../domain/roles';

export interface TenantInput {
  slug: string;
  name: string;
  jit: { enabled: boolean; defaultRoles: string[] };
}

export function createTenantLibrary(models: Models) {
  return {
    async create(input: TenantInput, actor: { type: 'admin'; id: string | null }) {
      try {
        // Default roles beyond the built-in ones become the tenant's custom roles (only tenant roles are granted).
        const custom = input.jit.defaultRoles.filter((r) => !(BUILT_IN_ROLES as readonly string[]).includes(r));
        const tenant = await models.tenants.create({ ...input, roles: { custom, ownerFromIdp: false } });
        await recordAction(models, {
          tenantId: String(tenant._id),
          actor,
          action: 'tenant.created',
          target: { type: 'tenant', id: String(tenant._id) },
          after: input,
        });
        return tenant.toObject();
      } catch (err) {
        if (isDuplicateKeyError(err)) throw conflict('tenant_exists', `a tenant with slug "${input.slug}" already exists`);
        throw err;
      }
    },

    async list(limit: number, after: DocId | null) {
      const rows = await models.tenants
        .find(after ? { _id: { $gt: after } } : {})
        .sort({ _id: 1 })
        .limit(limit + 1)
        .lean();
      return page(rows, limit);
    },

    /** Tenants by ID, ordered by slug (the console's list for a tenant admin). */
    async byIds(ids: readonly string[]) {
      return ids.length
        ? models.tenants
            .find({ _id: { $in: ids } })
            .sort({ slug: 1 })
            .lean()
        : [];
    },

    async bySlug(slug: string) {
      const tenant = await models.tenants.findOne({ slug }).lean();
      if (!tenant) throw notFound(`tenant "${slug}"`);
      return tenant;
    },
  };
}
