import { createRequire } from 'node:module';
import freeProviders from 'email-providers';
import { OnrampError } from '../errors';

/**
 * The disposable-address list (~120,000 domains, a JSON file) is loaded at
 * its first use, not at start: a process that never checks a domain (the
 * worker, mostly) does not hold it, and the built entry points do not carry
 * it (nor its source map).
 */
const load = createRequire(import.meta.url);
let blocked: Set<string> | undefined;

/**
 * Domains no tenant may claim: free-mail providers (email-providers, refreshed
 * monthly from public lists) and disposable-address services
 * (disposable-email-domains). A subdomain of one counts as the provider.
 */
function blockedDomains(): Set<string> {
  blocked ??= new Set<string>([...(freeProviders as string[]), ...(load('disposable-email-domains') as string[])].map((d) => d.toLowerCase()));
  return blocked;
}

export function isPublicEmailDomain(domain: string): boolean {
  const labels = domain.toLowerCase().split('.');
  const list = blockedDomains();
  for (let i = 0; i < labels.length - 1; i++) if (list.has(labels.slice(i).join('.'))) return true;
  return false;
}

export const notClaimable = (domain: string): OnrampError =>
  new OnrampError('domain_not_claimable', `"${domain}" is a public email provider or a disposable-address service; no tenant can claim it`, { status: 400 });
