/**
 * Renders docs/configuration.md from the env schema (src/config/schema.ts): each variable's name, accepted values and
 * default come from the zod schema, its description from the JSDoc comment above it, and "required in production"
 * from loadConfig itself. `npm run docs:config` writes the file; test/unit/config-docs.test.ts keeps it current.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import type { z } from 'zod';
import { ConfigError, loadConfig } from '../config';
import { envSchema } from '../config/schema';

const SCHEMA_FILE = fileURLToPath(new URL('../config/schema.ts', import.meta.url));

/** The JSDoc text above each property of `envSchema = z.object({ … })`, by variable name. */
export function schemaDescriptions(source = readFileSync(SCHEMA_FILE, 'utf8')): Map<string, string> {
  const file = ts.createSourceFile('schema.ts', source, ts.ScriptTarget.ES2022, true);
  const out = new Map<string, string>();
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAssignment(node) && ts.isIdentifier(node.name)) {
      const docs = ts.getJSDocCommentsAndTags(node).filter(ts.isJSDoc);
      const text = docs
        .map((d) => ts.getTextOfJSDocComment(d.comment) ?? '')
        .join(' ')
        .replace(/\s+/g, ' ')
        .trim();
      if (text) out.set(node.name.text, text);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return out;
}

interface Def {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  entries?: Record<string, string>;
  format?: string;
  checks?: { _zod: { def: { check: string; value?: unknown; inclusive?: boolean; minimum?: number } } }[];
}
const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** What a variable accepts, in words: its enum values, a number range, a URL or a string. */
export function acceptedValues(schema: z.ZodType): string {
  const def = defOf(schema);
  if ((def.type === 'default' || def.type === 'optional') && def.innerType) return acceptedValues(def.innerType);
  if (def.type === 'pipe' && def.in) return acceptedValues(def.in);
  if (def.type === 'enum' && def.entries)
    return Object.values(def.entries)
      .map((v) => `\`${v}\``)
      .join(', ');
  if (def.type === 'number') {
    let min: unknown;
    let max: unknown;
    for (const c of def.checks ?? []) {
      const d = c._zod.def;
      if (d.check === 'greater_than') min = d.inclusive ? d.value : Number(d.value) + 1;
      if (d.check === 'less_than') max = d.inclusive ? d.value : Number(d.value) - 1;
    }
    return `integer${min !== undefined ? ` ≥ ${String(min)}` : ''}${max !== undefined ? `, ≤ ${String(max)}` : ''}`;
  }
  if (def.type === 'string') {
    if (def.format === 'url') return 'URL';
    const min = def.checks?.find((c) => c._zod.def.check === 'min_length')?._zod.def.minimum;
    return min !== undefined && min > 1 ? `string, ≥ ${min} characters` : 'string';
  }
  return def.type;
}

/** The value a variable takes when unset, or null when it has none. */
export function defaultValue(schema: z.ZodType): string | null {
  const parsed = schema.safeParse(undefined);
  if (!parsed.success || parsed.data === undefined) return null;
  return `\`${String(parsed.data)}\``;
}

/** A production environment that loadConfig accepts; each variable in it is tried missing. */
const PRODUCTION_SAMPLE: Record<string, string> = {
  NODE_ENV: 'production',
  ONRAMP_ADMIN_TOKEN: 'a'.repeat(32),
  ONRAMP_SESSION_SECRET: 's'.repeat(32),
  ONRAMP_PUBLIC_URL: 'https://onramp.example',
  ONRAMP_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'),
  ONRAMP_SMTP_URL: 'smtp://mail.example',
  MONGODB_URI: 'mongodb://db.example/onramp',
  TEMPORAL_ADDRESS: 'temporal.example:7233',
  ONRAMP_TEMPORAL_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 2).toString('base64')}`,
  ONRAMP_SEARCH_HASH_KEY: Buffer.alloc(32, 3).toString('base64'),
};

/** Variables loadConfig refuses to start without in production (with the other defaults). */
export function requiredInProduction(): Set<string> {
  loadConfig(PRODUCTION_SAMPLE); // the sample itself must pass
  const required = new Set<string>();
  for (const name of Object.keys(PRODUCTION_SAMPLE)) {
    if (name === 'NODE_ENV') continue;
    const { [name]: _dropped, ...rest } = PRODUCTION_SAMPLE;
    try {
      loadConfig(rest);
    } catch (err) {
      if (err instanceof ConfigError && err.variable === name) required.add(name);
      else throw err;
    }
  }
  return required;
}

const cell = (text: string): string => text.replace(/\|/g, '\\|');

/** The whole of docs/configuration.md. */
export function renderConfigReference(): string {
  const descriptions = schemaDescriptions();
  const required = requiredInProduction();
  const rows = Object.entries(envSchema.shape).map(([name, schema]) => {
    const description = descriptions.get(name);
    if (!description) throw new Error(`${name} has no description in src/config/schema.ts (add a /** … */ comment above it)`);
    const def = defaultValue(schema as z.ZodType);
    const need = required.has(name) ? '**required in production**' : (def ?? 'unset');
    return `| \`${name}\` | ${cell(acceptedValues(schema as z.ZodType))} | ${cell(need)} | ${cell(description)} |`;
  });
  return [
    '# Configuration reference',
    '',
    '<!-- Generated from src/config/schema.ts by `npm run docs:config`; do not edit by hand. -->',
    '',
    'onramp reads its configuration from environment variables only. They are validated once at start',
    '(`src/config/`): a bad value stops start-up with a message naming the variable. The web app, the worker, the CLI',
    "and docker-compose.yml's services use the same schema.",
    '',
    'Production (`NODE_ENV=production`) refuses to start without each variable marked **required in production**:',
    [...required].map((n) => `\`${n}\``).join(', ') + '.',
    '`ONRAMP_TEMPORAL_ENCRYPTION_KEYS` is not needed with `ONRAMP_TEMPORAL_ENCRYPTION=off`, nor `ONRAMP_SEARCH_HASH_KEY`',
    'with `ONRAMP_SEARCH_EMAIL=clear`; `ONRAMP_PUBLIC_URL` must be https unless `ONRAMP_ALLOW_INSECURE_HTTP=true`.',
    'Outside production, missing secrets and keys are generated or fixed development values. See',
    '[temporal-privacy.md](temporal-privacy.md) for the payload codec and search-attribute keys.',
    '',
    '| variable | accepts | default | |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}
