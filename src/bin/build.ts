/**
 * `npm run build [-- --out DIR]`: what production runs, compiled ahead of time
 * (the image runs it with plain `node`, not through tsx):
 * - `serve.mjs` and `onramp.mjs`: the entry points with onramp's own code
 *   bundled by esbuild (packages stay in node_modules), with source maps;
 * - `failureConverter.cjs`, which the worker loads by path;
 * - `workflow-bundle.js`: the workflow code bundled once, as the worker would
 *   at every start (`ONRAMP_WORKFLOW_BUNDLE_PATH` points the worker at it).
 */
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { build, type Plugin } from 'esbuild';
import { FAILURE_CONVERTER_PATH } from '../runs/dataConverter';
import { bundleWorkflows } from '../runs/worker';

export const ENTRY_POINTS = { serve: 'src/bin/serve.ts', onramp: 'src/bin/onramp.ts' } as const;

/**
 * Runs first in each entry point: unless told otherwise, the worker takes the
 * workflow bundle built beside it (its sources are not in the image).
 */
const BANNER = "process.env.ONRAMP_WORKFLOW_BUNDLE_PATH ||= decodeURIComponent(new URL('./workflow-bundle.js', import.meta.url).pathname);";

/** The packages a built entry point loads: each must be a production dependency, or the image (`npm ci --omit=dev`) lacks it. */
async function productionPackagesOnly(imports: readonly string[]): Promise<void> {
  const manifest = JSON.parse(await readFile('package.json', 'utf8')) as { dependencies?: Record<string, string> };
  const allowed = new Set(Object.keys(manifest.dependencies ?? {}));
  const packageOf = (spec: string) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] ?? spec));
  const missing = [...new Set(imports.filter((i) => !i.startsWith('node:')).map(packageOf))].filter((p) => !allowed.has(p)).sort();
  if (missing.length) throw new Error(`the built entry points load packages that are not production dependencies: ${missing.join(', ')}`);
}

/**
 * Packages stay in node_modules, but for those whose entry is a JSON file
 * (`disposable-email-domains`): Node would need an import attribute to load
 * them as ES modules, so their data is bundled.
 */
const packagesExternalButJson: Plugin = {
  name: 'packages-external-but-json',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.pluginData === 'resolving' || args.path.startsWith('node:')) return args.pluginData === 'resolving' ? undefined : { external: true };
      const resolved = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: 'resolving' });
      return resolved.path.endsWith('.json') ? { path: resolved.path } : { path: args.path, external: true };
    });
  },
};

export async function buildProduction(outDir: string): Promise<{ outDir: string; files: string[]; packages: string[] }> {
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const result = await build({
    entryPoints: ENTRY_POINTS,
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    plugins: [packagesExternalButJson],
    sourcemap: true,
    // Stack traces need the mappings, not the sources' text: a smaller map that `--enable-source-maps` holds in memory.
    sourcesContent: false,
    metafile: true,
    banner: { js: BANNER },
    logLevel: 'warning',
  });
  const packages = [
    ...new Set(
      Object.values(result.metafile.outputs)
        .flatMap((o) => o.imports)
        .filter((i) => i.external)
        .map((i) => i.path),
    ),
  ].sort();
  await productionPackagesOnly(packages);
  await copyFile(FAILURE_CONVERTER_PATH, join(outDir, 'failureConverter.cjs'));
  await writeFile(join(outDir, 'workflow-bundle.js'), (await bundleWorkflows()).code);
  return { outDir, files: ['serve.mjs', 'onramp.mjs', 'failureConverter.cjs', 'workflow-bundle.js'], packages };
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]).endsWith(join('src', 'bin', 'build.ts'));
if (isMain) {
  const { values } = parseArgs({ options: { out: { type: 'string', default: 'dist' } } });
  const outDir = resolve(values.out);
  const { files } = await buildProduction(outDir);
  process.stdout.write(`built ${files.join(', ')} in ${outDir}\n`);
}
