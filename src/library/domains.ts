import { randomBytes } from 'node:crypto';
import { Resolver } from 'node:dns/promises';
import type { Types } from 'mongoose';
import type { Store } from '../store/store';
import type { DomainRow } from '../store/tenantChanges';
import { conflict, isDuplicateKeyError, notFound, OnrampError } from '../errors';
import { isPublicEmailDomain, notClaimable } from './domainLists';

type Actor = { type: 'admin'; id: string | null };

/** Where the tenant publishes the token: a TXT record on this name. */
export const challengeName = (domain: string): string => `_onramp-challenge.${domain}`;

const takenElsewhere = (domain: string) => conflict('domain_verified_by_other_tenant', `domain "${domain}" is already verified by another tenant`);

const present = (d: Pick<DomainRow, 'domain' | 'verified'> & Partial<DomainRow>) => ({
  domain: d.domain,
  verified: d.verified,
  verifiedAt: d.verifiedAt ?? null,
  txtRecord: d.verified || !d.token ? null : { name: challengeName(d.domain), value: d.token },
});

/**
 * A tenant's email domains, proved by a DNS TXT record. A domain is verified
 * by one tenant at most (`verified_domains`, keyed by the domain); public
 * email providers and disposable-address services cannot be claimed.
 */
export function createDomainLibrary(store: Store, dns: { servers: string[] | null }) {
  const resolver = new Resolver({ timeout: 3000, tries: 2 });
  if (dns.servers) resolver.setServers(dns.servers);

  const domainsOf = async (tenantId: Types.ObjectId): Promise<DomainRow[]> => {
    const tenant = await store.tenants.byId(tenantId);
    if (!tenant) throw notFound('tenant');
    return (tenant.domains ?? []) as DomainRow[];
  };
  const audit = (tenantId: Types.ObjectId, actor: Actor, action: string, domain: string, extra: { reason?: string; after?: unknown } = {}) =>
    store.audit.recordAction({ tenantId: String(tenantId), actor, action, target: { type: 'domain', id: domain }, ...extra });

  /** The TXT values published for the domain's challenge name; [] when there are none. */
  const txtValues = async (domain: string): Promise<string[]> => {
    try {
      return (await resolver.resolveTxt(challengeName(domain))).map((chunks) => chunks.join(''));
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'ENODATA' || code === 'ENOTFOUND' || code === 'NXDOMAIN') return [];
      throw new OnrampError('dns_unavailable', `could not look up ${challengeName(domain)} (${code ?? 'error'}); try again later`, { status: 503, cause: err });
    }
  };

  return {
    async list(tenantId: Types.ObjectId) {
      return (await domainsOf(tenantId)).map(present);
    },

    /** Add a domain and issue its verification token (the TXT value to publish). */
    async add(tenantId: Types.ObjectId, domain: string, actor: Actor) {
      if (isPublicEmailDomain(domain)) {
        await audit(tenantId, actor, 'domain.refused', domain, { reason: 'domain_not_claimable' });
        throw notClaimable(domain);
      }
      const owner = await store.domains.ownerOf(domain);
      if (owner && String(owner.tenantId) !== String(tenantId)) throw takenElsewhere(domain);
      const row: DomainRow = { domain, verified: false, token: `onramp-domain-verification=${randomBytes(24).toString('base64url')}`, verifiedAt: null };
      await store.tenantChanges.changeDomains(tenantId, (rows) => {
        if (rows.some((d) => d.domain === domain)) throw conflict('domain_exists', `domain "${domain}" is already added; verify it`);
        return [...rows, row];
      });
      await audit(tenantId, actor, 'domain.added', domain, { after: { domain, verified: false } });
      return present(row);
    },

    /** Look up the TXT record; verified when it carries the token. Refused (422) when it does not, with what was found. */
    async verify(tenantId: Types.ObjectId, domain: string, actor: Actor) {
      const row = (await domainsOf(tenantId)).find((d) => d.domain === domain);
      if (!row) throw notFound(`domain "${domain}" of this tenant`);
      if (row.verified) return present(row);
      const found = await txtValues(domain);
      if (!row.token || !found.includes(row.token)) {
        const reason = found.length === 0 ? 'txt_record_missing' : 'txt_record_mismatch';
        await audit(tenantId, actor, 'domain.verification_failed', domain, { reason });
        throw new OnrampError(
          'domain_not_verified',
          found.length === 0
            ? `no TXT record at ${challengeName(domain)}; publish "${row.token}" there and try again`
            : `the TXT record at ${challengeName(domain)} does not hold this tenant's token`,
          { status: 422, details: { reason } },
        );
      }
      /** Whether this call took the claim: a failure below gives up only a claim it took (another verification of the domain may hold it). */
      let tookClaim = false;
      try {
        await store.domains.claim(domain, tenantId);
        tookClaim = true;
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
        const owner = await store.domains.ownerOf(domain);
        if (owner && String(owner.tenantId) !== String(tenantId)) throw takenElsewhere(domain);
      }
      const verifiedAt = new Date();
      await store.tenantChanges
        .changeDomains(tenantId, (rows) => {
          // Removed meanwhile: nothing to verify (a claim this call took is given up below).
          if (!rows.some((d) => d.domain === domain)) throw notFound(`domain "${domain}" of this tenant`);
          return rows.map((d) => (d.domain === domain ? { ...d, verified: true, verifiedAt } : d));
        })
        .catch(async (err: unknown) => {
          if (tookClaim) await store.domains.release(domain, tenantId);
          throw err;
        });
      await audit(tenantId, actor, 'domain.verified', domain, { after: { domain, verified: true, method: 'dns-txt' } });
      return present({ ...row, verified: true, verifiedAt });
    },

    async remove(tenantId: Types.ObjectId, domain: string, actor: Actor) {
      await store.tenantChanges.changeDomains(tenantId, (rows) => {
        if (!rows.some((d) => d.domain === domain)) throw notFound(`domain "${domain}" of this tenant`);
        return rows.filter((d) => d.domain !== domain);
      });
      await store.domains.release(domain, tenantId);
      await audit(tenantId, actor, 'domain.removed', domain, { after: null });
    },

    async setDomainJit(tenantId: Types.ObjectId, enabled: boolean, actor: Actor) {
      const before = await store.tenantChanges.change(tenantId, (tenant) => ({ set: { domainJit: enabled }, result: tenant }));
      // The tenant's email sign-in follows the switch.
      await store.emailSignIn.setEnabled(tenantId, enabled);
      await store.audit.recordAction({
        tenantId: String(tenantId),
        actor,
        action: 'tenant.domain_jit_updated',
        target: { type: 'tenant', id: String(tenantId) },
        before: { domainJit: before.domainJit ?? false },
        after: { domainJit: enabled },
      });
      return { enabled };
    },
  };
}
