import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheDir } from '../../src/devservices/paths';
import { ensureScimPeerSuites, type ScimPeerSuites } from '../../src/devservices/scimPeers';
import { startHarness, type Harness } from '../support/harness';
import { createDirectory, type ScimClient } from '../support/scimClient';

const run = promisify(execFile);

/** Run a peer suite; its exit code and output, whatever the exit code. */
async function suite(bin: string, args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(bin, args, { maxBuffer: 16 * 1024 * 1024, timeout: 120_000, env: { ...process.env, NO_COLOR: '1' } });
    return { code: 0, out: `${stdout}${stderr}` };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

/**
 * Two independent SCIM conformance suites from PyPI (installed by
 * `build-servers --test` into a cached virtualenv) against a directory of
 * the real stack: scim2-tester (through scim2-cli) and scim-sanity (strict,
 * Entra profile, compat).
 */
describe('SCIM conformance (peer suites)', () => {
  let h: Harness;
  let scim: ScimClient;
  let peers: ScimPeerSuites;

  beforeAll(async () => {
    peers = await ensureScimPeerSuites(cacheDir(process.env.ONRAMP_CACHE_DIR));
    h = await startHarness({ env: { ONRAMP_SCIM_RATE_PER_SECOND: '1000' } });
    await h.createTenant('conformance');
    scim = await createDirectory(h, 'conformance');
  });
  afterAll(async () => h?.close());

  it('scim2-tester: every check succeeds', async () => {
    const { code, out } = await suite(peers.scim2Cli, ['--url', scim.baseUrl, '-h', `Authorization: Bearer ${scim.token}`, 'test']);
    const failed = out.split('\n').filter((l) => /^(ERROR|CRITICAL)\b/.test(l));
    expect(failed, out).toEqual([]);
    expect(code, out).toBe(0);
    expect(out.split('\n').filter((l) => l.startsWith('SUCCESS')).length).toBeGreaterThanOrEqual(110);
  }, 180_000);

  it.each([
    ['strict', []],
    ['the Entra profile', ['--profile', 'entra', '--user-domain', 'conformance.test']],
    ['compat', ['--compat']],
  ])(
    'scim-sanity (%s): every probe passes',
    async (_mode, extra) => {
      const { code, out } = await suite(peers.scimSanity, ['probe', scim.baseUrl, '--token', scim.token, ...extra, '--i-accept-side-effects']);
      expect(out).not.toMatch(/\[FAIL\]/);
      expect(out, out).toMatch(/Result: All tests passed/);
      expect(code, out).toBe(0);
      // Skipped: only the Agent drafts (draft-abbey-scim-agent-extension, not served); the Group phases run.
      const skipped = [...out.matchAll(/\[SKIP\] (.+)/g)].map((m) => m[1]?.trim());
      expect(skipped.every((s) => /Agent/.test(s ?? ''))).toBe(true);
      expect(out).toMatch(/\[PASS\] PATCH \/Groups\/\{id\} add member/);
    },
    120_000,
  );
});
