import type { Harness } from './harness';

export interface ScimAnswer {
  status: number;
  headers: Headers;
  body: Record<string, unknown> & {
    id?: string;
    active?: boolean;
    totalResults?: number;
    Resources?: Array<Record<string, unknown>>;
    scimType?: string;
    detail?: string;
    status?: string;
  };
}

/** A SCIM client as a provider is one: bearer token, `application/scim+json`. */
export function scimClient(baseUrl: string, token: string) {
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ScimAnswer> => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'application/scim+json',
        ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as ScimAnswer['body']) : {} };
  };
  return { call, baseUrl, token };
}

export type ScimClient = ReturnType<typeof scimClient>;

/** A directory of `tenant` and a client holding its token. */
export async function createDirectory(h: Harness, tenant: string, provider = 'generic'): Promise<ScimClient & { id: string }> {
  const res = await h.admin('POST', `/tenants/${tenant}/directories`, { name: `${provider} directory`, provider });
  if (res.status !== 201) throw new Error(`createDirectory: ${res.status} ${JSON.stringify(res.body)}`);
  const body = res.body as unknown as { id: string; baseUrl: string; token: string };
  return { ...scimClient(body.baseUrl, body.token), id: body.id };
}
