import type { Types } from 'mongoose';
import type { Models } from './models';
import type { DocId } from './docId';

/** New tenant fields as the tenant library gives them. */
export interface NewTenant {
  slug: string;
  name: string;
  jit: { enabled: boolean; defaultRoles: string[] };
  roles: { custom: string[]; ownerFromIdp: boolean };
}

/** Tenants: creation (the unique slug refuses a second), lists by `_id`, lookups. */
export function createTenantStore(models: Models) {
  return {
    /** Insert a tenant; a taken slug throws the driver's duplicate-key error. */
    create: async (tenant: NewTenant) => (await models.tenants.create(tenant)).toObject(),
    /** The tenant's invitation settings (only `invitations` read), or null. */
    invitationSettings: (id: Types.ObjectId) => models.tenants.findById(id, { invitations: 1 }).lean(),
    /** Up to `limit + 1` tenants after `after`, in `_id` order (the caller pages). */
    after: (after: DocId | null, limit: number) =>
      models.tenants
        .find(after ? { _id: { $gt: after } } : {})
        .sort({ _id: 1 })
        .limit(limit + 1)
        .lean(),
    /** Tenants by ID, ordered by slug. */
    byIds: (ids: readonly string[]) =>
      models.tenants
        .find({ _id: { $in: ids } })
        .sort({ slug: 1 })
        .lean(),
    bySlug: (slug: string) => models.tenants.findOne({ slug }).lean(),
    /** The `_id` of the tenant with this slug (only the `_id` read). */
    idBySlug: (slug: string) => models.tenants.findOne({ slug }, { _id: 1 }).lean(),
    /** A tenant by `_id`. */
    byId: (id: Types.ObjectId | string) => models.tenants.findById(id).lean(),
    /** A tenant's domain list (only `domains` read). */
    domainsOf: (id: Types.ObjectId) => models.tenants.findById(id, { domains: 1 }).lean(),
    /** A tenant's directory sync settings (only `directorySync` read). */
    directorySyncOf: (id: Types.ObjectId | string) => models.tenants.findById(id, { directorySync: 1 }).lean(),
    /** A tenant's approval settings (only `approval` read), or null. */
    approvalSettings: (id: string) => models.tenants.findById(id, { approval: 1 }).lean(),
  };
}
