#!/usr/bin/env -S node --import tsx
/**
 * The onramp CLI, a thin client of the admin API:
 *
 *   onramp approvals list    --tenant <slug> [--kind link|new-member|privileged-grant] [--email <e>] [--limit <n>] [--cursor <c>] [--json]
 *   onramp approvals approve <request-id> --tenant <slug> [--roles member,admin] [--reason <text>]
 *   onramp approvals reject  <request-id> --tenant <slug> --reason <text>
 *   onramp setup-temporal    (register onramp's search attributes on TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE)
 *
 * ONRAMP_URL (default http://127.0.0.1:3000) and ONRAMP_ADMIN_TOKEN, or --url / --token.
 * Exit codes: 0 done, 1 the API refused (its error code and message are printed), 2 usage.
 */
import { parseArgs } from 'node:util';
import { setupTemporal } from '../temporal/setupCommand';

const USAGE = `usage:
  onramp approvals list    --tenant <slug> [--kind <kind>] [--email <email>] [--limit <n>] [--cursor <c>] [--json]
  onramp approvals approve <request-id> --tenant <slug> [--roles <role,role>] [--reason <text>]
  onramp approvals reject  <request-id> --tenant <slug> --reason <text>
  onramp setup-temporal    register onramp's search attributes on the Temporal namespace (TEMPORAL_* settings)
environment: ONRAMP_URL (default http://127.0.0.1:3000), ONRAMP_ADMIN_TOKEN (or --url, --token)`;

class UsageError extends Error {}

interface Pending {
  id: string;
  kind: string;
  reasons: string[];
  email: string | null;
  name: string | null;
  planned: { roles: string[] | null; grants: string[] } | null;
  expiresAt: string;
}

async function main(argv: string[]): Promise<number> {
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
      json: { type: 'boolean', default: false },
      url: { type: 'string' },
      token: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [group, command, requestId] = positionals;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (group === 'setup-temporal') {
    await setupTemporal((line) => process.stdout.write(`${line}\n`));
    return 0;
  }
  if (group !== 'approvals' || !command) throw new UsageError('expected: onramp approvals list|approve|reject, or onramp setup-temporal');
  const tenant = values.tenant;
  if (!tenant) throw new UsageError('--tenant is required');
  const base = (values.url ?? process.env.ONRAMP_URL ?? 'http://127.0.0.1:3000').replace(/\/+$/, '');
  const token = values.token ?? process.env.ONRAMP_ADMIN_TOKEN;
  if (!token) throw new UsageError('set ONRAMP_ADMIN_TOKEN (or pass --token)');

  const call = async (method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> => {
    const res = await fetch(`${base}/api/admin/tenants/${encodeURIComponent(tenant)}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const parsed: unknown = await res.json().catch(() => null);
    if (!res.ok) {
      const err = (parsed as { error?: { code?: string; message?: string } } | null)?.error;
      process.stderr.write(`onramp: ${res.status} ${err?.code ?? 'error'}: ${err?.message ?? res.statusText}\n`);
      return null;
    }
    return parsed;
  };

  switch (command) {
    case 'list': {
      const q = new URLSearchParams();
      for (const k of ['kind', 'email', 'limit', 'cursor'] as const) if (values[k]) q.set(k, String(values[k]));
      const out = (await call('GET', `/approvals${q.size ? `?${q}` : ''}`)) as { data: Pending[]; nextCursor: string | null } | null;
      if (!out) return 1;
      if (values.json) process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      else {
        if (out.data.length === 0) process.stdout.write('no pending approvals\n');
        for (const r of out.data) {
          const planned = r.planned ? [r.planned.roles ? `roles ${r.planned.roles.join(',')}` : null, ...r.planned.grants].filter(Boolean).join(' ') : '';
          process.stdout.write(`${r.id}\t${r.kind}\t${r.email ?? '-'}\t${r.reasons.join(',')}\t${planned}\texpires ${r.expiresAt}\n`);
        }
        if (out.nextCursor) process.stdout.write(`more: --cursor ${out.nextCursor}\n`);
      }
      return 0;
    }
    case 'approve':
    case 'reject': {
      if (!requestId) throw new UsageError(`onramp approvals ${command} <request-id> --tenant <slug>`);
      if (command === 'reject' && !values.reason) throw new UsageError('--reason is required to reject');
      const roles = values.roles ? values.roles.split(',').map((r) => r.trim()).filter(Boolean) : null;
      const body = command === 'approve' ? { reason: values.reason ?? null, ...(roles ? { roles } : {}) } : { reason: values.reason };
      const out = (await call('POST', `/approvals/${encodeURIComponent(requestId)}/${command}`, body)) as { status: string } | null;
      if (!out) return 1;
      process.stdout.write(`${requestId}: ${out.status}\n`);
      return 0;
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const usage = err instanceof UsageError || (err instanceof Error && 'code' in err && String((err as { code: unknown }).code).startsWith('ERR_PARSE_ARGS'));
    process.stderr.write(`onramp: ${err instanceof Error ? err.message : String(err)}\n${usage ? `${USAGE}\n` : ''}`);
    process.exitCode = usage ? 2 : 1;
  },
);
