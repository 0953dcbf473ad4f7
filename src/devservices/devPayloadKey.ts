import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CodecKey } from '../runs/payloadCodec';

/**
 * The dev stack's Temporal payload key: generated on the first start and kept
 * in its data directory (0600), so the histories it keeps stay readable
 * across restarts — and differ from every other machine's.
 */
export async function devPayloadKey(dataDir: string): Promise<CodecKey> {
  const file = join(dataDir, 'temporal-payload-key.json');
  if (existsSync(file)) {
    const kept = JSON.parse(await readFile(file, 'utf8')) as { id: string; key: string };
    return { id: kept.id, key: Buffer.from(kept.key, 'base64') };
  }
  const key = { id: `dev-${randomBytes(3).toString('hex')}`, key: randomBytes(32) };
  await writeFile(file, JSON.stringify({ id: key.id, key: key.key.toString('base64') }), { mode: 0o600 });
  return key;
}
