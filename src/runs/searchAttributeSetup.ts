import type { Client } from '@temporalio/client';
import { OnrampError } from '../errors';
import { SEARCH_ATTRIBUTES } from './searchAttributes';

/** `register`: add what is missing (where the cluster allows it); `check`: never change the namespace, only verify. */
export type SearchAttributeMode = 'register' | 'check';

// temporal.api.enums.v1.IndexedValueType
const INDEXED = { Keyword: 2, KeywordList: 7 } as const;

/** What an operator runs to create the attributes by hand (self-hosted CLI, and Temporal Cloud's tcld). */
export function searchAttributeCommands(namespace: string, names: readonly string[]): string[] {
  const pairs = names.map((n) => [n, SEARCH_ATTRIBUTES[n] ?? 'Keyword'] as const);
  return [
    ...pairs.map(([n, t]) => `temporal operator search-attribute create --namespace ${namespace} --name ${n} --type ${t}`),
    `tcld namespace search-attributes add --namespace ${namespace} ${pairs.map(([n, t]) => `--search-attribute "${n}=${t}"`).join(' ')}`,
  ];
}

const missingError = (namespace: string, missing: readonly string[], why: string, cause?: unknown): OnrampError =>
  new OnrampError(
    'temporal_search_attributes_missing',
    [
      `Temporal namespace "${namespace}" lacks onramp's search attributes: ${missing.map((n) => `${n} (${SEARCH_ATTRIBUTES[n]})`).join(', ')}.`,
      why,
      'Create them with one of:',
      ...searchAttributeCommands(namespace, missing).map((c) => `  ${c}`),
      'or run `npm run onramp -- setup-temporal` with permission to change the namespace.',
    ].join('\n'),
    { status: 503, expose: true, cause, details: { missing: [...missing] } },
  );

async function missingOn(client: Client, namespace: string): Promise<string[]> {
  const { customAttributes } = await client.connection.operatorService.listSearchAttributes({ namespace });
  return Object.keys(SEARCH_ATTRIBUTES).filter((name) => !(name in (customAttributes ?? {})));
}

/**
 * Make sure the namespace has every search attribute onramp writes, before
 * any run starts (a start with an unknown attribute fails every sign-in).
 * Idempotent, and safe when several processes start at once. Throws an
 * OnrampError naming the attributes and the commands to create them when they
 * are missing and cannot (or may not) be added. Returns what it registered.
 */
export async function prepareSearchAttributes(client: Client, namespace: string, mode: SearchAttributeMode): Promise<string[]> {
  const missing = await missingOn(client, namespace);
  if (missing.length === 0) return [];
  if (mode === 'check') throw missingError(namespace, missing, 'ONRAMP_TEMPORAL_SEARCH_ATTRIBUTES=check: onramp does not change the namespace itself.');
  try {
    await client.connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((name) => [name, INDEXED[SEARCH_ATTRIBUTES[name] ?? 'Keyword']])),
    });
  } catch (err) {
    // Another process may have added them meanwhile; anything still missing is a refusal (e.g. Temporal Cloud).
    const still = await missingOn(client, namespace);
    if (still.length === 0) return missing;
    const reason = err instanceof Error ? err.message.slice(0, 300) : String(err);
    throw missingError(namespace, still, `The cluster refused to add them (${reason}).`, err);
  }
  return missing;
}
