import { readFile } from 'node:fs/promises';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Config } from '../config';
import { SEARCH_ATTRIBUTES } from './searchAttributes';

export interface TemporalTarget {
  address: string;
  namespace: string;
  tls: Config['temporal']['tls'];
  apiKey: string | undefined;
}

async function tlsOptions(target: TemporalTarget) {
  if (!target.tls.enabled) return undefined;
  if (!target.tls.certPath || !target.tls.keyPath) return true;
  return {
    clientCertPair: { crt: await readFile(target.tls.certPath), key: await readFile(target.tls.keyPath) },
  };
}

export async function connectClient(target: TemporalTarget): Promise<Client> {
  const connection = await Connection.connect({
    address: target.address,
    tls: await tlsOptions(target),
    ...(target.apiKey ? { apiKey: target.apiKey } : {}),
  });
  return new Client({ connection, namespace: target.namespace });
}

export async function connectWorkerConnection(target: TemporalTarget): Promise<NativeConnection> {
  return NativeConnection.connect({
    address: target.address,
    tls: await tlsOptions(target),
    ...(target.apiKey ? { apiKey: target.apiKey } : {}),
  });
}

/**
 * Register onramp's search attributes on the namespace; already-registered
 * ones are left alone, so this is safe on every start.
 */
export async function ensureSearchAttributes(client: Client, namespace: string): Promise<void> {
  const { customAttributes } = await client.connection.operatorService.listSearchAttributes({ namespace });
  const missing = Object.entries(SEARCH_ATTRIBUTES).filter(([name]) => !(name in (customAttributes ?? {})));
  if (missing.length === 0) return;
  // temporal.api.enums.v1.IndexedValueType: KEYWORD = 2, KEYWORD_LIST = 7
  const indexed = { Keyword: 2, KeywordList: 7 } as const;
  await client.connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map(([name, type]) => [name, indexed[type]])),
  });
}
