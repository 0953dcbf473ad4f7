import { parseArgs } from 'node:util';
import { adminClient, UsageError } from './adminClient';
import { approvalsCommand } from './approvals';
import { directoriesCommand } from './directories';
import { membersCommand } from './members';
import { connectionsCommand } from './connections';
import { importCommand } from './imports';
import { invitationsCommand } from './invitations';
import { eventsCommand } from './events';
import { webhooksCommand } from './webhooks';
import { runsCommand } from './runs';
import { setupTemporal } from '../runs/setupCommand';

const USAGE = `usage:
  onramp approvals list    --tenant <slug> [--kind <kind>] [--email <email>] [--limit <n>] [--cursor <c>] [--json]
  onramp approvals approve <request-id> --tenant <slug> [--roles <role,role>] [--reason <text>]
  onramp approvals reject  <request-id> --tenant <slug> --reason <text>
  onramp directories create --tenant <slug> --name <name> [--provider <provider>]
  onramp directories list --tenant <slug>
  onramp directories rotate <directory-id> --tenant <slug> [--overlap-seconds <n>]
  onramp directories revoke-token <directory-id> <token-id> --tenant <slug>
  onramp directories enable|disable|delete <directory-id> --tenant <slug>
  onramp directories users|groups|operations <directory-id> --tenant <slug> [--limit <n>] [--cursor <c>]
  onramp directories sync-settings --tenant <slug> [--authoritative true|false] [--deprovision suspend|remove] [--subject-match none|userName|externalId]
  onramp connections list --tenant <slug>
  onramp connections saml-from-metadata --tenant <slug> --name <name> (--file <metadata.xml> | --metadata-url <url>) [--metadata-signing-certificate <cert.pem>]
  onramp connections saml-metadata <connection-id> --tenant <slug> (--file <metadata.xml> | --metadata-url <url>) [--metadata-signing-certificate <cert.pem>]
  onramp connections refresh-metadata|show <connection-id> --tenant <slug> [--json]
  onramp members suspend|reactivate|remove <user-id> --tenant <slug>
  onramp members remove-group <group> --tenant <slug>
  onramp invitations create --tenant <slug> --email <address> [--roles <a,b>] [--groups <a,b>] [--allow-any-email]
  onramp invitations list --tenant <slug> [--status pending|accepted|expired|revoked]
  onramp invitations resend|revoke <invitation-id> --tenant <slug>
  onramp import <file> --tenant <slug> [--dry-run] [--key <k>] [--format csv|jsonl] [--results <out.csv>]
  onramp webhooks add <https-url> [--tenant <slug>] [--types <a,b|family.*>] [--description <text>]
  onramp webhooks list [--tenant <slug>]
  onramp webhooks rotate <endpoint-id> [--tenant <slug>] [--overlap-seconds <n>]
  onramp webhooks deliveries <endpoint-id> [--tenant <slug>] [--event <event-id>] [--limit <n>]
  onramp webhooks resend <endpoint-id> <event-id> [--tenant <slug>]
  onramp webhooks replay <endpoint-id> --after <event-id> [--tenant <slug>]
  onramp webhooks enable|disable|delete <endpoint-id> [--tenant <slug>]
  onramp events list|tail [--tenant <slug>] [--after <event-id>] [--types <a,b>] [--limit <n>] [--max <n>] [--interval-ms <ms>] [--json]
    (webhooks and events without --tenant: the operator's, across every tenant)
  onramp setup-temporal    register onramp's search attributes on the Temporal namespace (TEMPORAL_* settings)
  onramp runs --email <address> [--limit <n>] [--json]
                           a person's Temporal runs (OnrampEmail holds a keyed hash: TEMPORAL_*, ONRAMP_SEARCH_HASH_KEY)
environment: ONRAMP_URL (default http://127.0.0.1:3000), ONRAMP_ADMIN_TOKEN (or --url, --token)`;

const GROUPS = {
  approvals: approvalsCommand,
  directories: directoriesCommand,
  members: membersCommand,
  connections: connectionsCommand,
  invitations: invitationsCommand,
  webhooks: webhooksCommand,
  events: eventsCommand,
} as const;
/** Groups that act across tenants (the operator's) when no --tenant is given. */
const OPERATOR_GROUPS: ReadonlySet<string> = new Set(['webhooks', 'events']);

async function dispatch(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      tenant: { type: 'string' },
      kind: { type: 'string' },
      email: { type: 'string' },
      limit: { type: 'string' },
      cursor: { type: 'string' },
      roles: { type: 'string' },
      reason: { type: 'string' },
      name: { type: 'string' },
      provider: { type: 'string' },
      'overlap-seconds': { type: 'string' },
      authoritative: { type: 'string' },
      deprovision: { type: 'string' },
      'subject-match': { type: 'string' },
      json: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      key: { type: 'string' },
      format: { type: 'string' },
      results: { type: 'string' },
      groups: { type: 'string' },
      status: { type: 'string' },
      'allow-any-email': { type: 'boolean', default: false },
      url: { type: 'string' },
      token: { type: 'string' },
      types: { type: 'string' },
      description: { type: 'string' },
      after: { type: 'string' },
      event: { type: 'string' },
      max: { type: 'string' },
      'interval-ms': { type: 'string' },
      file: { type: 'string' },
      'metadata-url': { type: 'string' },
      'metadata-signing-certificate': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [group, command, ...args] = positionals;
  const { out } = io;
  if (values.help) {
    out(USAGE);
    return 0;
  }
  if (group === 'setup-temporal') {
    await setupTemporal(out);
    return 0;
  }
  if (group === 'runs') return runsCommand(values, out);
  if (group !== 'import' && !(group !== undefined && group in GROUPS)) {
    throw new UsageError(
      'expected: onramp approvals …, connections …, directories …, members …, invitations …, import …, webhooks …, events …, runs --email …, or setup-temporal',
    );
  }
  if (!command) throw new UsageError(`expected: onramp ${group} <${group === 'import' ? 'file' : 'command'}>`);
  const tenant = values.tenant ?? null;
  if (!tenant && !OPERATOR_GROUPS.has(group)) throw new UsageError('--tenant is required');
  const base = (values.url ?? io.env.ONRAMP_URL ?? 'http://127.0.0.1:3000').replace(/\/+$/, '');
  const token = values.token ?? io.env.ONRAMP_ADMIN_TOKEN;
  if (!token) throw new UsageError('set ONRAMP_ADMIN_TOKEN (or pass --token)');
  if (group === 'import') return importCommand({ base, token, tenant: tenant ?? '', file: command, values, out, err: io.err, progress: io.progress });
  return GROUPS[group as keyof typeof GROUPS](adminClient(base, token, tenant, io.err), { command, args, values, out });
}

/** Where a CLI run reads its settings and writes: the process's own streams, or a test's. */
export interface CliIo {
  /** One line of the command's answer (stdout). */
  out: (line: string) => void;
  /** One line of a refusal or a usage message (stderr). */
  err: (line: string) => void;
  /** Where the import's progress bar is drawn (stderr). */
  progress: NodeJS.WritableStream;
  env: Record<string, string | undefined>;
}

/**
 * Run one `onramp …` command line; answers the exit code: 0 done, 1 the API
 * refused (its error was printed), 2 usage (the usage was printed).
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (err) {
    const usage = err instanceof UsageError || (err instanceof Error && 'code' in err && String((err as { code: unknown }).code).startsWith('ERR_PARSE_ARGS'));
    io.err(`onramp: ${err instanceof Error ? err.message : String(err)}${usage ? `\n${USAGE}` : ''}`);
    return usage ? 2 : 1;
  }
}
