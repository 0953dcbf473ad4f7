import type { Types } from 'mongoose';
import type { Models } from './models';

/** Verified domains: which tenant holds each (`verified_domains`, keyed by the domain: one tenant at most). */
export function createDomainStore(models: Models) {
  return {
    /** Who verified `domain` (by `_id`), or null. */
    ownerOf: (domain: string) => models.verifiedDomains.findById(domain).lean(),
    /** The claims on these domains. */
    ownersOf: (domains: readonly string[]) => models.verifiedDomains.find({ _id: { $in: domains } }).lean(),
    /** Claim `domain` for the tenant: a plain insert, which a claim already there refuses with the driver's duplicate-key error. */
    claim: async (domain: string, tenantId: Types.ObjectId) => {
      await models.verifiedDomains.create({ _id: domain, tenantId });
    },
    /** Claim `domain` for the tenant unless someone holds it (an upsert that leaves a claim there as it is). */
    claimUnlessHeld: (domain: string, tenantId: Types.ObjectId) =>
      models.verifiedDomains.updateOne({ _id: domain }, { $setOnInsert: { tenantId } }, { upsert: true }),
    /** Give up the tenant's claim on `domain` (another tenant's is left). */
    release: (domain: string, tenantId: Types.ObjectId) => models.verifiedDomains.deleteOne({ _id: domain, tenantId }),
    /** Give up the tenant's claims on every domain but these. */
    releaseAllBut: (tenantId: Types.ObjectId, kept: readonly string[]) => models.verifiedDomains.deleteMany({ tenantId, _id: { $nin: kept } }),
  };
}
