import { fileURLToPath } from 'node:url';
import type { DataConverter } from '@temporalio/common';
import type { Config } from '../config';
import { EncryptionCodec } from './payloadCodec';

/** The failure converter every client, worker and workflow bundle of onramp loads (messages and stack traces as payloads). */
export const FAILURE_CONVERTER_PATH = fileURLToPath(new URL('./failureConverter.cjs', import.meta.url));

/**
 * The data converter of every Temporal client and worker onramp creates:
 * failures encoded as payloads, and payloads sealed by the encryption codec
 * (with encryption off, payloads sealed earlier still open while their keys
 * are configured). Payloads recorded before the codec pass through it.
 */
export function temporalDataConverter(encryption: Config['temporal']['encryption']): DataConverter {
  const { enabled, keys } = encryption;
  if (enabled && keys.length === 0) throw new Error('Temporal payload encryption is on but no key is configured (ONRAMP_TEMPORAL_ENCRYPTION_KEYS)');
  return {
    failureConverterPath: FAILURE_CONVERTER_PATH,
    ...(keys.length > 0 ? { payloadCodecs: [new EncryptionCodec(keys, { seal: enabled })] } : {}),
  };
}

/** The codec alone (the codec endpoint decodes and encodes with it), or null when no key is configured. */
export function temporalCodec(encryption: Config['temporal']['encryption']): EncryptionCodec | null {
  return encryption.keys.length > 0 ? new EncryptionCodec(encryption.keys, { seal: encryption.enabled }) : null;
}
