import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Types } from 'mongoose';
import { askedIds, isUnacknowledgedWrite } from '../../src/store/replyGuard';
import { ROOT, sourceFiles } from '../support/sourceFiles';

/** FerretDB v1 answers unacknowledged writes, and the driver then hands that answer to the next query. */
describe('no unacknowledged writes', () => {
  it('no source file asks for w: 0 (or an unacknowledged write concern)', async () => {
    const offenders: string[] = [];
    for (const dir of ['src', 'activities', 'workflows', 'bench']) {
      for (const { file, text } of await sourceFiles(dir)) {
        if (file === join('src', 'store', 'replyGuard.ts')) continue; // the guard that watches for it names it
        if (/\bw\s*:\s*['"]?0\b|unacknowledged\s*:\s*true|autoRemove\s*:/.test(text.replace(/\/\/.*|\/\*[\s\S]*?\*\/|`[^`]*`/g, ''))) offenders.push(file);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('no dependency that sweeps with unacknowledged deletes (connect-mongo) is installed as onramp’s own', async () => {
    const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(Object.keys(pkg.dependencies)).not.toContain('connect-mongo');
  });

  it('recognizes an unacknowledged write command, and only that', () => {
    expect(isUnacknowledgedWrite('delete', { delete: 'sessions', writeConcern: { w: 0 } })).toBe(true);
    expect(isUnacknowledgedWrite('update', { update: 'x', writeConcern: { w: 0 } })).toBe(true);
    expect(isUnacknowledgedWrite('delete', { delete: 'sessions', writeConcern: { w: 1 } })).toBe(false);
    expect(isUnacknowledgedWrite('delete', { delete: 'sessions' })).toBe(false);
    expect(isUnacknowledgedWrite('find', { find: 'x', writeConcern: { w: 0 } })).toBe(false);
  });
});

describe('the reply guard checks lookups by _id, and only those', () => {
  it('reads the _id a filter asks for', () => {
    const oid = new Types.ObjectId();
    expect(askedIds({ _id: 'a' })).toEqual(new Set(['a']));
    expect(askedIds({ _id: oid, tenantId: 'x' })).toEqual(new Set([oid.toHexString()]));
    expect(askedIds({ _id: { $in: ['a', oid] } })).toEqual(new Set(['a', oid.toHexString()]));
  });
  it('leaves range, existence and pattern filters alone', () => {
    expect(askedIds({ _id: { $gt: 'a' } })).toBeNull();
    expect(askedIds({ _id: /^old-/ })).toBeNull();
    expect(askedIds({ email: 'a@b.c' })).toBeNull();
  });
});
