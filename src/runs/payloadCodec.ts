import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto';
import { OnrampError } from '../errors';

// CommonJS: its namespaces are read from the default export (node's ESM loader sees no named ones).
const ProtoPayload = proto.temporal.api.common.v1.Payload;

/** The encoding of a payload this codec sealed; payloads with any other encoding pass through (histories from before the codec). */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
/** Metadata key naming the key that sealed a payload. */
export const KEY_ID_METADATA = 'encryption-key-id';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_ID = /^[A-Za-z0-9_.-]{1,64}$/;

export interface CodecKey {
  /** Short, stable name of the key (kept in each payload's metadata). */
  id: string;
  /** 32 bytes (AES-256). */
  key: Buffer;
}

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const fromUtf8 = (b: Uint8Array | null | undefined): string => (b ? new TextDecoder().decode(b) : '');

/**
 * AES-256-GCM over the whole serialized payload (metadata and data), as in
 * Temporal's encryption sample. The first key seals; every key opens, so a
 * new key goes first and old ones stay until their histories are gone. The
 * key ID is bound as associated data: a payload relabelled with another key's
 * ID is refused like a tampered one.
 */
export class EncryptionCodec implements PayloadCodec {
  private readonly keys: Map<string, Buffer>;
  private readonly sealing: CodecKey | undefined;

  /** `seal: false` opens payloads sealed earlier but writes new ones in clear (encryption switched off). */
  constructor(keys: readonly CodecKey[], options: { seal?: boolean } = {}) {
    for (const k of keys) {
      if (!KEY_ID.test(k.id)) throw new Error(`encryption key id "${k.id}" must be 1-64 letters, digits, _ . or -`);
      if (k.key.length !== 32) throw new Error(`encryption key "${k.id}" must be 32 bytes`);
    }
    this.keys = new Map(keys.map((k) => [k.id, k.key]));
    if (this.keys.size !== keys.length) throw new Error('encryption key ids must be unique');
    this.sealing = options.seal === false ? undefined : keys[0];
    if (options.seal !== false && !this.sealing) throw new Error('encryption needs at least one key');
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const sealing = this.sealing;
    if (!sealing) return payloads;
    return payloads.map((payload) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', sealing.key, iv);
      cipher.setAAD(utf8(sealing.id));
      const plain = ProtoPayload.encode(payload).finish();
      const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return { metadata: { encoding: utf8(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8(sealing.id) }, data: sealed };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      if (fromUtf8(payload.metadata?.encoding) !== ENCRYPTED_ENCODING) return payload;
      const keyId = fromUtf8(payload.metadata?.[KEY_ID_METADATA]);
      const key = this.keys.get(keyId);
      if (!key) {
        throw new OnrampError(
          'temporal_payload_key_unknown',
          `a Temporal payload is sealed with encryption key "${keyId}", which is not among ONRAMP_TEMPORAL_ENCRYPTION_KEYS`,
        );
      }
      const data = payload.data ?? new Uint8Array();
      if (data.length < IV_BYTES + TAG_BYTES) throw undecryptable(keyId);
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
        decipher.setAAD(utf8(keyId));
        decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
        const plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
        return ProtoPayload.decode(plain);
      } catch (err) {
        throw undecryptable(keyId, err);
      }
    });
  }
}

const undecryptable = (keyId: string, cause?: unknown) =>
  new OnrampError(
    'temporal_payload_undecryptable',
    `a Temporal payload sealed with key "${keyId}" could not be opened: it was altered, or sealed with another key of that name`,
    { cause },
  );

/** Parse `id:base64key,id2:base64key` (the first seals). */
export function parseCodecKeys(spec: string): CodecKey[] | string {
  const keys: CodecKey[] = [];
  for (const part of spec
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const at = part.indexOf(':');
    const id = at > 0 ? part.slice(0, at) : '';
    if (!KEY_ID.test(id)) return `entry "${part.slice(0, 20)}…" must be <id>:<base64 key>, the id 1-64 letters, digits, _ . or -`;
    const key = Buffer.from(part.slice(at + 1), 'base64');
    if (key.length !== 32) return `key "${id}" must be 32 random bytes, base64-encoded (openssl rand -base64 32)`;
    if (keys.some((k) => k.id === id)) return `key id "${id}" appears twice`;
    keys.push({ id, key });
  }
  return keys.length > 0 ? keys : 'must list at least one <id>:<base64 key>';
}
