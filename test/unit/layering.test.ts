import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

async function files(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(join(ROOT, dir), { withFileTypes: true })) {
    const rel = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await files(rel)));
    else if (e.name.endsWith('.ts')) out.push(rel);
  }
  return out;
}

/** Issue 13 §4: layering runs one way — routes → libraries → db/domain — never back up into the HTTP layer. */
describe('layering', () => {
  it.each(['src/library', 'src/db', 'src/domain', 'src/temporal', 'src/mail', 'activities', 'workflows'])('%s never imports src/http', async (dir) => {
    const offenders: string[] = [];
    for (const f of await files(dir)) {
      const text = await readFile(join(ROOT, f), 'utf8');
      if (/from '(\.\.\/)+(src\/)?http\//.test(text)) offenders.push(f);
    }
    expect(offenders).toEqual([]);
  });

  it('HTTP handlers go through libraries: no model query in src/http', async () => {
    const offenders: string[] = [];
    for (const f of await files('src/http')) {
      const text = await readFile(join(ROOT, f), 'utf8');
      if (/models\.\w+\.(find|findOne|findById|findOneAndUpdate|findOneAndDelete|updateOne|updateMany|insertMany|deleteOne|deleteMany|create|countDocuments)\(/.test(text)) offenders.push(f);
    }
    expect(offenders).toEqual([]);
  });
});
