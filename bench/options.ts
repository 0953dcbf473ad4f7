/**
 * The command line of `npm run bench`: every option with its default and
 * meaning (printed by `--help`), parsed by node's util.parseArgs and checked.
 * Pure: arguments in, options (or the usage text, or what is wrong) out.
 */
import { parseArgs } from 'node:util';

export type Mode = 'durable' | 'inline';
export type EndpointKind = 'none' | 'healthy' | 'dead';

export const MODES: readonly Mode[] = ['durable', 'inline'];
export const ENDPOINT_KINDS: readonly EndpointKind[] = ['none', 'healthy', 'dead'];
export const SCENARIO_SETS = ['signin', 'scim', 'admin', 'webhooks', 'startup'] as const;
export const RUNTIMES = ['built', 'tsx'] as const;
export type Runtime = (typeof RUNTIMES)[number];
export type ScenarioSet = (typeof SCENARIO_SETS)[number];

interface IntOption {
  kind: 'int';
  default: number;
  min: number;
  max: number;
  help: string;
}
interface ListOption {
  kind: 'list';
  default: string;
  values: readonly string[];
  help: string;
}
interface ChoiceOption {
  kind: 'choice';
  default: string;
  values: readonly string[];
  help: string;
}
interface TextOption {
  kind: 'text';
  default: string;
  help: string;
}
type OptionSpec = IntOption | ListOption | ChoiceOption | TextOption;

/** Every option of the bench, in the order `--help` lists them. */
export const OPTIONS = {
  scenarios: {
    kind: 'list',
    default: 'signin,scim,admin',
    values: SCENARIO_SETS,
    help: 'which scenario sets run: signin (SAML and OIDC sign-ins, the burst), scim, admin (import, invitations), webhooks (durable only), startup (worker and web start time and RSS, built vs tsx)',
  },
  modes: {
    kind: 'list',
    default: 'durable,inline',
    values: MODES,
    help: 'durable (through Temporal, the production workflows) and/or inline (the same flows in the request handler)',
  },
  count: {
    kind: 'int',
    default: 200,
    min: 1,
    max: 20_000,
    help: 'sign-ins per sign-in scenario (OIDC: at most 30; groups-200: at most 20); SCIM user creates',
  },
  concurrency: { kind: 'int', default: 20, min: 1, max: 200, help: 'requests in flight per scenario (groups-200: at most 5; invitations: at most 10)' },
  burst: { kind: 'int', default: 1000, min: 0, max: 20_000, help: 'new people in the burst (0: no burst; webhooks needs one)' },
  'burst-concurrency': { kind: 'int', default: 50, min: 1, max: 200, help: 'requests in flight during the burst' },
  'max-seconds': { kind: 'int', default: 1500, min: 30, max: 3600, help: 'deadline for the whole bench; scenarios still running stop sending' },
  'import-rows': { kind: 'int', default: 10_000, min: 1, max: 100_000, help: 'admin: rows of the imported CSV' },
  invitations: { kind: 'int', default: 20, min: 0, max: 20, help: 'admin: invitations accepted (code requests are limited to 20 per IP in 15 minutes)' },
  'scim-users': { kind: 'int', default: 10_000, min: 1, max: 100_000, help: "scim: users pushed by Entra's initial cycle" },
  'scim-groups': { kind: 'int', default: 50, min: 0, max: 1000, help: "scim: groups pushed by Entra's initial cycle" },
  'scim-group-max': { kind: 'int', default: 2000, min: 1, max: 100_000, help: 'scim: members of the largest group (group sizes spread up to it)' },
  'webhook-drain-seconds': {
    kind: 'int',
    default: 1800,
    min: 10,
    max: 3600,
    help: 'webhooks: how long the healthy run waits, after its burst, for the receiver to get every event',
  },
  'webhook-endpoints': {
    kind: 'list',
    default: 'none,healthy,dead',
    values: ENDPOINT_KINDS,
    help: 'webhooks: which runs of the burst, in order: no endpoint, a healthy receiver, a dead one',
  },
  runtime: {
    kind: 'choice',
    default: 'built',
    values: RUNTIMES,
    help: "how onramp's processes run: built (`npm run build`'s output with plain node and the prebuilt workflow bundle, as the image) or tsx (the sources)",
  },
  out: { kind: 'text', default: 'bench/results/latest.json', help: "where the run's JSON result (figures and the goals table) is written" },
} as const satisfies Record<string, OptionSpec>;

type Name = keyof typeof OPTIONS;

export interface BenchOptions {
  scenarios: ScenarioSet[];
  modes: Mode[];
  count: number;
  concurrency: number;
  burst: number;
  burstConcurrency: number;
  maxSeconds: number;
  importRows: number;
  invitations: number;
  scimUsers: number;
  scimGroups: number;
  scimGroupMax: number;
  webhookDrainSeconds: number;
  webhookEndpoints: EndpointKind[];
  runtime: Runtime;
  out: string;
}

export type ParsedArgs = { kind: 'options'; options: BenchOptions } | { kind: 'help'; text: string } | { kind: 'error'; message: string };

/** The usage text: every option, its default and what it means. */
export function usage(): string {
  const lines = ['Usage: npm run bench -- [options]', '', 'Options (default in brackets):'];
  const width = Math.max(...Object.keys(OPTIONS).map((n) => n.length)) + 10;
  for (const [name, spec] of Object.entries(OPTIONS) as [Name, OptionSpec][]) {
    const arg = spec.kind === 'int' ? ' N' : spec.kind === 'list' ? ' A,B' : spec.kind === 'choice' ? ' A' : ' PATH';
    const range =
      spec.kind === 'int'
        ? ` (${spec.min}–${spec.max})`
        : spec.kind === 'list' || spec.kind === 'choice'
          ? ` (${spec.kind === 'list' ? 'of' : 'one of'} ${spec.values.join(', ')})`
          : '';
    lines.push(`  --${name}${arg}`.padEnd(width) + `${spec.help}${range} [${spec.default}]`);
  }
  lines.push(`  --help, -h`.padEnd(width) + 'print this and exit');
  lines.push('', 'Ends with the goals table (bench/goals.ts): each goal, the figures of this run, met / not met / not measured.');
  lines.push('See docs/performance.md.');
  return lines.join('\n');
}

class BadOption extends Error {}

function int(name: Name, raw: string): number {
  const spec = OPTIONS[name] as OptionSpec;
  if (spec.kind !== 'int') throw new BadOption(`--${name} is not a number option`);
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(v) || v < spec.min || v > spec.max)
    throw new BadOption(`--${name} must be an integer in [${spec.min}, ${spec.max}] (got "${raw}")`);
  return v;
}

function list<T extends string>(name: Name, raw: string): T[] {
  const spec = OPTIONS[name] as OptionSpec;
  if (spec.kind !== 'list') throw new BadOption(`--${name} is not a list option`);
  const items = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const item of items) if (!spec.values.includes(item)) throw new BadOption(`--${name} lists ${spec.values.join(', ')} (got "${item}")`);
  if (items.length === 0) throw new BadOption(`--${name} needs at least one of ${spec.values.join(', ')}`);
  return [...new Set(items)] as T[];
}

function choice<T extends string>(name: Name, raw: string): T {
  const spec = OPTIONS[name] as OptionSpec;
  if (spec.kind !== 'choice') throw new BadOption(`--${name} is not a choice option`);
  if (!spec.values.includes(raw)) throw new BadOption(`--${name} is one of ${spec.values.join(', ')} (got "${raw}")`);
  return raw as T;
}

/** Parse the bench's arguments (without node and the script). */
export function parseBenchArgs(argv: readonly string[]): ParsedArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: 'boolean', short: 'h' },
        ...Object.fromEntries(Object.keys(OPTIONS).map((n) => [n, { type: 'string' as const }])),
      },
    }));
  } catch (err) {
    return { kind: 'error', message: err instanceof Error ? err.message : String(err) };
  }
  if (values.help) return { kind: 'help', text: usage() };
  const raw = (name: Name): string => {
    const v = values[name];
    return typeof v === 'string' ? v : String(OPTIONS[name].default);
  };
  try {
    return {
      kind: 'options',
      options: {
        scenarios: list<ScenarioSet>('scenarios', raw('scenarios')),
        modes: list<Mode>('modes', raw('modes')),
        count: int('count', raw('count')),
        concurrency: int('concurrency', raw('concurrency')),
        burst: int('burst', raw('burst')),
        burstConcurrency: int('burst-concurrency', raw('burst-concurrency')),
        maxSeconds: int('max-seconds', raw('max-seconds')),
        importRows: int('import-rows', raw('import-rows')),
        invitations: int('invitations', raw('invitations')),
        scimUsers: int('scim-users', raw('scim-users')),
        scimGroups: int('scim-groups', raw('scim-groups')),
        scimGroupMax: int('scim-group-max', raw('scim-group-max')),
        webhookDrainSeconds: int('webhook-drain-seconds', raw('webhook-drain-seconds')),
        webhookEndpoints: list<EndpointKind>('webhook-endpoints', raw('webhook-endpoints')),
        runtime: choice<Runtime>('runtime', raw('runtime')),
        out: raw('out'),
      },
    };
  } catch (err) {
    if (err instanceof BadOption) return { kind: 'error', message: err.message };
    throw err;
  }
}
