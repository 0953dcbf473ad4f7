/**
 * A thin client of the admin API for one tenant (null: the operator's
 * routes, across tenants); refusals are printed to `err` (`onramp: <status> <code>: <message>`) and answer null.
 */
export function adminClient(base: string, token: string, tenant: string | null, err: (line: string) => void) {
  const prefix = tenant === null ? '' : `/tenants/${encodeURIComponent(tenant)}`;
  return async <T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T | null> => {
    const res = await fetch(`${base}/api/admin${prefix}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    if (res.status === 204) return {} as T;
    const parsed: unknown = await res.json().catch(() => null);
    if (!res.ok) {
      const refusal = (parsed as { error?: { code?: string; message?: string } } | null)?.error;
      err(`onramp: ${res.status} ${refusal?.code ?? 'error'}: ${refusal?.message ?? res.statusText}`);
      return null;
    }
    return parsed as T;
  };
}

export type AdminCall = ReturnType<typeof adminClient>;

export class UsageError extends Error {}

/** What a command group reads from the command line. */
export interface CliArgs {
  command: string | undefined;
  /** Positional arguments after the command. */
  args: string[];
  values: Record<string, string | boolean | undefined>;
  out: (line: string) => void;
}
