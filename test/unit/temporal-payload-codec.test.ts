import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { OnrampError } from '../../src/errors';
import { ENCRYPTED_ENCODING, EncryptionCodec, KEY_ID_METADATA, parseCodecKeys, type CodecKey } from '../../src/runs/payloadCodec';

const key = (id: string): CodecKey => ({ id, key: randomBytes(32) });
const text = (b: Uint8Array | null | undefined) => new TextDecoder().decode(b ?? new Uint8Array());
const personal = { email: 'sarah@superfantasy.test', name: 'Sarah Connor', groups: ['admins', 'eng'] };
const payloadOf = (value: unknown): Payload => defaultPayloadConverter.toPayload(value);

async function refusal(p: Promise<unknown>): Promise<OnrampError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(OnrampError);
  return err as OnrampError;
}

describe('the Temporal payload codec', () => {
  it('seals a payload (nothing of it readable, key id in the metadata) and opens it to the same payload', async () => {
    const codec = new EncryptionCodec([key('k1')]);
    const original = payloadOf(personal);
    const [sealed] = await codec.encode([original]);
    expect(text(sealed?.metadata?.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(text(sealed?.metadata?.[KEY_ID_METADATA])).toBe('k1');
    const raw = Buffer.from(sealed?.data ?? []).toString('latin1');
    for (const s of ['sarah', 'Sarah Connor', 'admins', 'json/plain']) expect(raw).not.toContain(s);
    const [opened] = await codec.decode([sealed as Payload]);
    expect(defaultPayloadConverter.fromPayload(opened as Payload)).toEqual(personal);
    expect(text(opened?.metadata?.encoding)).toBe('json/plain');
  });

  it('each seal uses a fresh nonce: the same value seals differently', async () => {
    const codec = new EncryptionCodec([key('k1')]);
    const [a] = await codec.encode([payloadOf(personal)]);
    const [b] = await codec.encode([payloadOf(personal)]);
    expect(Buffer.from(a?.data ?? []).equals(Buffer.from(b?.data ?? []))).toBe(false);
  });

  it('passes through payloads recorded before the codec (no encrypted encoding)', async () => {
    const codec = new EncryptionCodec([key('k1')]);
    const plain = payloadOf('recorded in clear');
    expect(await codec.decode([plain])).toEqual([plain]);
  });

  it('rotation: the first key seals, an older key still opens what it sealed', async () => {
    const old = key('2025');
    const [sealedByOld] = await new EncryptionCodec([old]).encode([payloadOf(personal)]);
    const rotated = new EncryptionCodec([key('2026'), old]);
    const [opened] = await rotated.decode([sealedByOld as Payload]);
    expect(defaultPayloadConverter.fromPayload(opened as Payload)).toEqual(personal);
    const [sealedNow] = await rotated.encode([payloadOf(personal)]);
    expect(text(sealedNow?.metadata?.[KEY_ID_METADATA])).toBe('2026');
  });

  it('a payload sealed with a key that is not configured is refused, naming the key id', async () => {
    const [sealed] = await new EncryptionCodec([key('gone')]).encode([payloadOf(personal)]);
    const err = await refusal(new EncryptionCodec([key('k1')]).decode([sealed as Payload]));
    expect(err.code).toBe('temporal_payload_key_unknown');
    expect(err.message).toContain('"gone"');
    expect(err.message).toContain('ONRAMP_TEMPORAL_ENCRYPTION_KEYS');
  });

  it('a tampered ciphertext, a truncated one and a relabelled key id are refused', async () => {
    const k1 = key('k1');
    const k2 = { id: 'k2', key: k1.key }; // same bytes, other id: the id is bound as associated data
    const codec = new EncryptionCodec([k1, k2]);
    const [sealed] = await codec.encode([payloadOf(personal)]);
    const data = Buffer.from(sealed?.data ?? []);
    const flipped = Buffer.from(data);
    flipped[20] = (flipped[20] ?? 0) ^ 1;
    const cases: Payload[] = [
      { ...sealed, data: flipped },
      { ...sealed, data: data.subarray(0, 20) },
      { metadata: { ...sealed?.metadata, [KEY_ID_METADATA]: new TextEncoder().encode('k2') }, data },
    ];
    for (const tampered of cases) {
      const err = await refusal(codec.decode([tampered]));
      expect(err.code).toBe('temporal_payload_undecryptable');
    }
  });

  it('with sealing off, new payloads stay in clear and sealed ones still open', async () => {
    const k = key('k1');
    const [sealed] = await new EncryptionCodec([k]).encode([payloadOf(personal)]);
    const off = new EncryptionCodec([k], { seal: false });
    const plain = payloadOf('x');
    expect(await off.encode([plain])).toEqual([plain]);
    expect(defaultPayloadConverter.fromPayload((await off.decode([sealed as Payload]))[0] as Payload)).toEqual(personal);
  });
});

describe('codec keys and their configuration', () => {
  const b64 = () => randomBytes(32).toString('base64');

  it('parses id:key lists and names what is wrong', () => {
    const parsed = parseCodecKeys(`new:${b64()}, old:${b64()}`);
    expect(typeof parsed === 'string' ? parsed : parsed.map((k) => k.id)).toEqual(['new', 'old']);
    expect(parseCodecKeys(`k1:${randomBytes(16).toString('base64')}`)).toMatch(/32 random bytes/);
    expect(parseCodecKeys(b64())).toMatch(/<id>:<base64 key>/);
    expect(parseCodecKeys(`a:${b64()},a:${b64()}`)).toMatch(/twice/);
  });

  const production = {
    NODE_ENV: 'production',
    ONRAMP_ADMIN_TOKEN: 'a'.repeat(32),
    ONRAMP_SESSION_SECRET: 'b'.repeat(32),
    ONRAMP_PUBLIC_URL: 'https://onramp.example.com',
    ONRAMP_ENCRYPTION_KEY: b64(),
    ONRAMP_SMTP_URL: 'smtp://mail.example.com',
    MONGODB_URI: 'mongodb://db.example.com',
    TEMPORAL_ADDRESS: 'temporal.example.com:7233',
  };

  it('production refuses encryption on without keys, and a hashed OnrampEmail without its key', () => {
    expect(() => loadConfig({ ...production, ONRAMP_SEARCH_HASH_KEY: b64() })).toThrow(/ONRAMP_TEMPORAL_ENCRYPTION_KEYS is required in production/);
    expect(() => loadConfig({ ...production, ONRAMP_TEMPORAL_ENCRYPTION_KEYS: `k:${b64()}` })).toThrow(/ONRAMP_SEARCH_HASH_KEY is required in production/);
    expect(() => loadConfig({ ...production, ONRAMP_TEMPORAL_ENCRYPTION_KEYS: 'k:c2hvcnQ=', ONRAMP_SEARCH_HASH_KEY: b64() })).toThrow(
      /ONRAMP_TEMPORAL_ENCRYPTION_KEYS.*32 random bytes/,
    );
    const ok = loadConfig({ ...production, ONRAMP_TEMPORAL_ENCRYPTION_KEYS: `k2:${b64()},k1:${b64()}`, ONRAMP_SEARCH_HASH_KEY: b64() });
    expect(ok.temporal.encryption).toMatchObject({ enabled: true, developmentKey: false });
    expect(ok.temporal.encryption.keys.map((k) => k.id)).toEqual(['k2', 'k1']);
    // Switched off explicitly (and the address in clear): starts without keys.
    expect(loadConfig({ ...production, ONRAMP_TEMPORAL_ENCRYPTION: 'off', ONRAMP_SEARCH_EMAIL: 'clear' }).temporal.encryption).toMatchObject({
      enabled: false,
      keys: [],
    });
  });

  it('outside production, encryption is on with a development key when none is configured', () => {
    const dev = loadConfig({ NODE_ENV: 'development' });
    expect(dev.temporal.encryption).toMatchObject({ enabled: true, developmentKey: true });
    expect(dev.temporal.encryption.keys).toHaveLength(1);
  });

  it('the Temporal UI origin must be an origin', () => {
    expect(loadConfig({ ONRAMP_TEMPORAL_UI_ORIGIN: 'http://127.0.0.1:8233/' }).temporal.uiOrigin).toBe('http://127.0.0.1:8233');
    expect(() => loadConfig({ ONRAMP_TEMPORAL_UI_ORIGIN: 'https://ui.example.com/namespaces' })).toThrow(/ONRAMP_TEMPORAL_UI_ORIGIN/);
  });
});
