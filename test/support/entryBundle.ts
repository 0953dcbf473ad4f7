import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Each source file keeps its own `import.meta.url`, so paths it finds beside itself (workflows, converters) stay right. */
const sourceUrls: Plugin = {
  name: 'source-urls',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      if (args.path.includes('/node_modules/')) return undefined;
      const text = await readFile(args.path, 'utf8');
      return { contents: text.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)), loader: 'ts' };
    });
  },
};

/** Packages stay imports node resolves at run time (as under tsx); a package that is only a JSON file is inlined. */
const packagesExternal: Plugin = {
  name: 'packages-external',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.pluginData === 'inner') return undefined;
      const resolved = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: 'inner' });
      return resolved.errors.length === 0 && resolved.path.endsWith('.json') ? resolved : { path: args.path, external: true };
    });
  },
};

/**
 * The production entry point `src/bin/serve.ts` as one JavaScript file, for the worker processes crash tests start
 * and kill: node starts it in well under a second, where loading every TypeScript file through tsx takes several.
 * It is written under the repository's `.onramp/` (ignored) so node finds the packages in node_modules.
 */
export async function bundleServeEntry(): Promise<{ path: string; dir: string }> {
  const dir = join(ROOT, '.onramp', 'test-bundles', `${process.pid}-${Date.now()}`);
  await mkdir(dir, { recursive: true });
  const path = join(dir, 'serve.mjs');
  await build({
    entryPoints: [join(ROOT, 'src', 'bin', 'serve.ts')],
    outfile: path,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
    plugins: [sourceUrls, packagesExternal],
  });
  return { path, dir };
}
