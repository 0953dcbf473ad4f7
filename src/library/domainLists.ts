import disposable from 'disposable-email-domains';
import freeProviders from 'email-providers';
import { OnrampError } from '../errors';

/**
 * Domains no tenant may claim: free-mail providers (email-providers, refreshed
 * monthly from public lists) and disposable-address services
 * (disposable-email-domains). A subdomain of one counts as the provider.
 */
const blocked = new Set<string>([...(freeProviders as string[]), ...(disposable as string[])].map((d) => d.toLowerCase()));

export function isPublicEmailDomain(domain: string): boolean {
  const labels = domain.toLowerCase().split('.');
  for (let i = 0; i < labels.length - 1; i++) if (blocked.has(labels.slice(i).join('.'))) return true;
  return false;
}

export const notClaimable = (domain: string): OnrampError =>
  new OnrampError('domain_not_claimable', `"${domain}" is a public email provider or a disposable-address service; no tenant can claim it`, { status: 400 });
