import { loadConfig } from '../config';
import { connectClient } from './connection';
import { temporalDataConverter } from './dataConverter';
import { prepareSearchAttributes } from './searchAttributeSetup';

/**
 * `onramp setup-temporal`: register onramp's search attributes on the
 * configured namespace (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TLS / API key
 * settings) and exit. docker-compose runs it once before the app starts.
 */
export async function setupTemporal(out: (line: string) => void): Promise<void> {
  const config = loadConfig();
  if (!config.temporal.address) throw new Error('TEMPORAL_ADDRESS must be set');
  const target = {
    address: config.temporal.address,
    namespace: config.temporal.namespace,
    tls: config.temporal.tls,
    apiKey: config.temporal.apiKey,
    dataConverter: temporalDataConverter(config.temporal.encryption),
  };
  const client = await connectClient(target);
  try {
    const registered = await prepareSearchAttributes(client, target.namespace, 'register');
    out(
      registered.length
        ? `registered on namespace ${target.namespace}: ${registered.join(', ')}`
        : `namespace ${target.namespace} already has onramp's search attributes`,
    );
  } finally {
    await client.connection.close();
  }
}
