import type { Types } from 'mongoose';
import { notFound } from '../errors';
import type { Models } from './models';
import type { TenantDoc } from './models/tenant';
import { changeDocument } from './turns';

/** A tenant's domain row as stored (db/models/tenant.ts). */
export interface DomainRow {
  domain: string;
  verified: boolean;
  token: string | null;
  verifiedAt: Date | null;
}

/**
 * Change a tenant's settings in turn with every other writer of the tenant
 * (db/turns.ts): `change` gets the tenant as it is and returns what to `$set`
 * and what to answer; after a lost turn it is called again with the tenant
 * the winner wrote. Every write of a tenant document goes through here.
 */
export function changeTenant<R>(
  models: Models,
  tenantId: Types.ObjectId,
  change: (tenant: TenantDoc) => { set: Record<string, unknown>; result: R },
): Promise<R> {
  const load = async () => {
    const tenant = await models.tenants.findById(tenantId).lean();
    if (!tenant) throw notFound('tenant');
    return tenant;
  };
  return changeDocument(models, models.tenants, 'tenant', tenantId, load, change);
}

/**
 * Change a tenant's domain list (written whole: FerretDB v1 has no array
 * filters or positional updates) in turn; returns the rows before and after.
 */
export function changeDomains(
  models: Models,
  tenantId: Types.ObjectId,
  change: (rows: DomainRow[]) => DomainRow[],
): Promise<{ before: DomainRow[]; after: DomainRow[] }> {
  return changeTenant(models, tenantId, (tenant) => {
    const before = (tenant.domains ?? []) as DomainRow[];
    const after = change(before);
    return { set: { domains: after }, result: { before, after } };
  });
}

/** The tenant writes the libraries make, in turn, bound to the models (src/store/store.ts). */
export function createTenantChangeStore(models: Models) {
  return {
    /** Change a tenant's settings in turn (changeTenant). */
    change: <R>(tenantId: Types.ObjectId, change: (tenant: TenantDoc) => { set: Record<string, unknown>; result: R }) => changeTenant(models, tenantId, change),
    /** Change a tenant's domain list in turn (changeDomains). */
    changeDomains: (tenantId: Types.ObjectId, change: (rows: DomainRow[]) => DomainRow[]) => changeDomains(models, tenantId, change),
  };
}
