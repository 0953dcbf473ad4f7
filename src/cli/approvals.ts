import { UsageError, type AdminCall, type CliArgs } from './adminClient';

interface Pending {
  id: string;
  kind: string;
  reasons: string[];
  email: string | null;
  planned: { roles: string[] | null; grants: string[] } | null;
  expiresAt: string;
}

/** `onramp approvals list|approve|reject`. Exit 0 done, 1 refused by the API. */
export async function approvalsCommand(call: AdminCall, { command, args, values, out }: CliArgs): Promise<number> {
  const str = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  switch (command) {
    case 'list': {
      const q = new URLSearchParams();
      for (const k of ['kind', 'email', 'limit', 'cursor']) if (str(k)) q.set(k, str(k) ?? '');
      const list = await call<{ data: Pending[]; nextCursor: string | null }>('GET', `/approvals${q.size ? `?${q}` : ''}`);
      if (!list) return 1;
      if (values.json) out(JSON.stringify(list, null, 2));
      else {
        if (list.data.length === 0) out('no pending approvals');
        for (const r of list.data) {
          const planned = r.planned ? [r.planned.roles ? `roles ${r.planned.roles.join(',')}` : null, ...r.planned.grants].filter(Boolean).join(' ') : '';
          out(`${r.id}\t${r.kind}\t${r.email ?? '-'}\t${r.reasons.join(',')}\t${planned}\texpires ${r.expiresAt}`);
        }
        if (list.nextCursor) out(`more: --cursor ${list.nextCursor}`);
      }
      return 0;
    }
    case 'approve':
    case 'reject': {
      const [requestId] = args;
      if (!requestId) throw new UsageError(`onramp approvals ${command} <request-id> --tenant <slug>`);
      const reason = str('reason');
      if (command === 'reject' && !reason) throw new UsageError('--reason is required to reject');
      const roles = str('roles')
        ? (str('roles') ?? '')
            .split(',')
            .map((r) => r.trim())
            .filter(Boolean)
        : null;
      const body = command === 'approve' ? { reason: reason ?? null, ...(roles ? { roles } : {}) } : { reason };
      const done = await call<{ status: string }>('POST', `/approvals/${encodeURIComponent(requestId)}/${command}`, body);
      if (!done) return 1;
      out(`${requestId}: ${done.status}`);
      return 0;
    }
    default:
      throw new UsageError(`unknown command "approvals ${command ?? ''}"`);
  }
}
