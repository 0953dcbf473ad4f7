import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The repository's root. */
export const ROOT = join(import.meta.dirname, '..', '..');

/** Every `.ts` file below `dir` (relative to the root), with its text: for tests that check the sources themselves. */
export async function sourceFiles(dir: string): Promise<Array<{ file: string; text: string }>> {
  const out: Array<{ file: string; text: string }> = [];
  for (const entry of await readdir(join(ROOT, dir), { withFileTypes: true })) {
    const rel = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await sourceFiles(rel)));
    else if (/\.(ts|js|mjs)$/.test(entry.name)) out.push({ file: rel, text: await readFile(join(ROOT, rel), 'utf8') });
  }
  return out;
}
