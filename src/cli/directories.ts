import { UsageError, type AdminCall, type CliArgs } from './adminClient';

interface Directory {
  id: string;
  name: string;
  provider: string;
  enabled: boolean;
  baseUrl: string;
  tokens: Array<{ id: string; expiresAt: string | null }>;
  token?: string;
}

const describe = (d: Directory) =>
  `${d.id}\t${d.provider}\t${d.enabled ? 'enabled' : 'disabled'}\t${d.name}\t${d.baseUrl}\ttokens ${d.tokens.map((t) => `${t.id}${t.expiresAt ? ` (until ${t.expiresAt})` : ''}`).join(', ') || '-'}`;

/** One row of a directory's users, groups or operations, tab-separated. */
function listed(kind: string, row: Record<string, unknown>): string {
  if (kind === 'users') return [row.id, row.userName, row.active ? 'active' : 'inactive', row.userId ?? '-', row.lastModified].join('\t');
  if (kind === 'groups') return [row.id, row.displayName, `tenant group ${String(row.tenantGroup)}`, row.lastModified].join('\t');
  const target = row.target as { type?: string; id?: string | null } | undefined;
  return [row.at, row.action, `${target?.type ?? ''}:${target?.id ?? ''}`, row.reason ?? ''].join('\t');
}

/**
 * `onramp directories create|list|rotate|revoke-token|enable|disable|delete|users|groups|operations|sync-settings`.
 * A token is printed once, when it is made.
 */
export async function directoriesCommand(call: AdminCall, { command, args, values, out }: CliArgs): Promise<number> {
  const str = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  const need = (usage: string) => {
    const [id] = args;
    if (!id) throw new UsageError(`onramp directories ${usage}`);
    return encodeURIComponent(id);
  };
  const show = (d: Directory | null) => {
    if (!d) return 1;
    out(describe(d));
    if (d.token) out(`token (shown once; give it to the IdP with the base URL): ${d.token}`);
    return 0;
  };
  switch (command) {
    case 'create': {
      const name = str('name');
      if (!name) throw new UsageError('onramp directories create --tenant <slug> --name <name> [--provider entra|okta|google|onelogin|jumpcloud|generic]');
      return show(await call<Directory>('POST', '/directories', { name, provider: str('provider') ?? 'generic' }));
    }
    case 'list': {
      const list = await call<{ data: Directory[] }>('GET', '/directories');
      if (!list) return 1;
      if (list.data.length === 0) out('no directories');
      for (const d of list.data) out(describe(d));
      return 0;
    }
    case 'rotate': {
      const id = need('rotate <directory-id> --tenant <slug> [--overlap-seconds <n>]');
      const overlap = str('overlap-seconds');
      return show(await call<Directory>('POST', `/directories/${id}/tokens`, overlap !== undefined ? { overlapSeconds: Number(overlap) } : {}));
    }
    case 'revoke-token': {
      const id = need('revoke-token <directory-id> <token-id> --tenant <slug>');
      const tokenId = args[1];
      if (!tokenId) throw new UsageError('onramp directories revoke-token <directory-id> <token-id> --tenant <slug>');
      return show(await call<Directory>('DELETE', `/directories/${id}/tokens/${encodeURIComponent(tokenId)}`));
    }
    case 'enable':
    case 'disable':
      return show(await call<Directory>('PATCH', `/directories/${need(`${command} <directory-id> --tenant <slug>`)}`, { enabled: command === 'enable' }));
    case 'delete': {
      const done = await call<object>('DELETE', `/directories/${need('delete <directory-id> --tenant <slug>')}`);
      if (!done) return 1;
      out(`${args[0]}: deleted`);
      return 0;
    }
    case 'users':
    case 'groups':
    case 'operations': {
      const id = need(`${command} <directory-id> --tenant <slug> [--limit <n>] [--cursor <c>]`);
      const query = new URLSearchParams({ limit: str('limit') ?? '50', ...(str('cursor') ? { cursor: str('cursor') as string } : {}) });
      const list = await call<{ data: Array<Record<string, unknown>>; nextCursor: string | null }>('GET', `/directories/${id}/${command}?${query}`);
      if (!list) return 1;
      if (list.data.length === 0) out(`no ${command}`);
      for (const row of list.data) out(listed(command, row));
      if (list.nextCursor) out(`more: --cursor ${list.nextCursor}`);
      return 0;
    }
    case 'sync-settings': {
      const authoritative = str('authoritative');
      const deprovision = str('deprovision');
      const subjectMatch = str('subject-match');
      type SyncSettings = { authoritative: boolean; deprovision: string; subjectMatch: string };
      let settings = await call<SyncSettings>('GET', '/directory-sync');
      if (!settings) return 1;
      if (authoritative !== undefined || deprovision !== undefined || subjectMatch !== undefined) {
        if (authoritative !== undefined && authoritative !== 'true' && authoritative !== 'false') throw new UsageError('--authoritative takes true or false');
        settings = await call<SyncSettings>('PUT', '/directory-sync', {
          authoritative: authoritative === undefined ? settings.authoritative : authoritative === 'true',
          deprovision: deprovision ?? settings.deprovision,
          subjectMatch: subjectMatch ?? settings.subjectMatch,
        });
        if (!settings) return 1;
      }
      out(`authoritative: ${settings.authoritative}\tdeprovision: ${settings.deprovision}\tsubject-match: ${settings.subjectMatch}`);
      return 0;
    }
    default:
      throw new UsageError(`unknown command "directories ${command ?? ''}"`);
  }
}
