import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { envSchema } from '../../src/config/schema';
import { renderConfigReference, schemaDescriptions } from '../../src/bin/configReference';

describe('docs/configuration.md', () => {
  it('is what `npm run docs:config` generates from src/config/schema.ts (run it after changing the schema)', () => {
    const written = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
    expect(written).toBe(renderConfigReference());
  });

  it('describes every variable of the schema', () => {
    const descriptions = schemaDescriptions();
    const missing = Object.keys(envSchema.shape).filter((name) => !descriptions.get(name));
    expect(missing).toEqual([]);
  });

  it('marks what loadConfig requires in production, and lists defaults', () => {
    const reference = renderConfigReference();
    expect(reference).toContain('| `MONGODB_URI` | string | **required in production** |');
    expect(reference).toContain('| `ONRAMP_PORT` | integer ≥ 0, ≤ 65535 | `3000` |');
    expect(reference).not.toContain('| `ONRAMP_DNS_SERVERS` | string | **required in production**');
  });
});
