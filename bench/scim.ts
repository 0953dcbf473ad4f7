/**
 * SCIM scenarios of `npm run bench`, run against the same web
 * (and worker) processes as the sign-in scenarios, durable and inline:
 *
 * - scim-user-create: POST /Users at the bench's concurrency (p50/p95, rate).
 * - scim-initial-sync: the shape of Entra ID's initial cycle — for each
 *   User a `userName eq` probe then a POST; then for each Group a
 *   `displayName eq` probe, a POST without members, and PATCHes adding
 *   members 100 at a time. Reported: time to converge (every grant in the
 *   database), requests and stored documents per user.
 */
import type { Models } from '../src/store/models';
import { drive, type LoadResult, type Prepared } from './load';

export interface ScimSyncOptions {
  users: number;
  groups: number;
  groupMax: number;
  concurrency: number;
  deadline: number;
}

export interface ScimSyncResult {
  users: number;
  groups: number;
  memberships: number;
  requests: number;
  errors: number;
  errorSamples: string[];
  /** From the first request to the last answer. */
  seconds: number;
  /** From the first request until every grant the memberships imply is in the database. */
  convergedSeconds: number | null;
  usersPhase: LoadResult;
  groupsPhase: LoadResult;
  requestsPerUser: number;
  /** Documents onramp stores per pushed user (users, identities, memberships, grants, audit, SCIM resources and keys…). */
  documentsPerUser: number;
}

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const MEMBERS_PER_PATCH = 100;

export interface ScimDirectory {
  id: string;
  baseUrl: string;
  token: string;
}

const call = (dir: ScimDirectory, method: string, path: string, body?: unknown) =>
  fetch(`${dir.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${dir.token}`, ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

const userBody = (name: string) => ({
  schemas: [USER],
  userName: `${name}@scim.bench.test`,
  externalId: `ext-${name}`,
  active: true,
  emails: [{ primary: true, type: 'work', value: `${name}@scim.bench.test` }],
  name: { givenName: name, familyName: 'Bench' },
});

/** POST /Users for `count` new people (the request is timed, nothing else). */
export function userCreates(dir: ScimDirectory, prefix: string, count: number): Prepared[] {
  return Array.from({ length: count }, (_, i) => ({ subject: `${prefix}${i}`, send: () => call(dir, 'POST', '/Users', userBody(`${prefix}${i}`)) }));
}

const created = (status: number) => status === 201;
const ok = (status: number) => status >= 200 && status < 300;

/** The initial cycle of a directory with `users` people and `groups` groups of up to `groupMax` members. */
export async function initialSync(dir: ScimDirectory, models: Models, opts: ScimSyncOptions): Promise<ScimSyncResult> {
  const started = performance.now();
  const ids: string[] = new Array<string>(opts.users);
  let requests = 0;
  // Users: probe, then create (as Entra does for each one).
  const userItems: Prepared[] = Array.from({ length: opts.users }, (_, i) => ({
    subject: `sync${i}`,
    send: async () => {
      const probe = await call(dir, 'GET', `/Users?filter=${encodeURIComponent(`userName eq "sync${i}@scim.bench.test"`)}`);
      await probe.text();
      const res = await call(dir, 'POST', '/Users', userBody(`sync${i}`));
      requests += 2;
      const body = (await res
        .clone()
        .json()
        .catch(() => ({}))) as { id?: string };
      if (body.id) ids[i] = body.id;
      return res;
    },
  }));
  const usersPhase = await drive(userItems, opts.concurrency, opts.deadline, created);

  // Groups: sizes spread evenly up to groupMax; members a sliding window over the users.
  const sizes = Array.from({ length: opts.groups }, (_, g) => Math.max(1, Math.round((opts.groupMax * (g + 1)) / opts.groups)));
  const groupItems: Prepared[] = sizes.map((size, g) => ({
    subject: `group${g}`,
    send: async () => {
      const name = `Bench group ${g}`;
      await (await call(dir, 'GET', `/Groups?excludedAttributes=members&filter=${encodeURIComponent(`displayName eq "${name}"`)}`)).text();
      const res = await call(dir, 'POST', '/Groups', { schemas: [GROUP], displayName: name, externalId: `ext-group-${g}` });
      requests += 2;
      if (res.status !== 201) return res;
      const { id } = (await res.json()) as { id: string };
      const members = Array.from({ length: size }, (_, k) => ids[(g * 197 + k) % opts.users]).filter((m): m is string => Boolean(m));
      for (let k = 0; k < members.length; k += MEMBERS_PER_PATCH) {
        const value = members.slice(k, k + MEMBERS_PER_PATCH).map((v) => ({ value: v }));
        const patch = await call(dir, 'PATCH', `/Groups/${id}`, { schemas: [PATCH], Operations: [{ op: 'Add', path: 'members', value }] });
        requests++;
        const text = await patch.text();
        // A 503 (the write outlived ONRAMP_SCIM_WAIT_MS; it still completes) or a refusal: this group stops here, counted as an error.
        if (!ok(patch.status)) return new Response(text, { status: patch.status });
      }
      return new Response(null, { status: 201 });
    },
  }));
  // Entra works through groups with less parallelism than users.
  const groupsPhase = await drive(groupItems, Math.min(opts.concurrency, 4), opts.deadline, created);
  const seconds = (performance.now() - started) / 1000;

  // Converged: every membership of an existing group holds its grant.
  const expected = new Set<string>();
  for (const [g, size] of sizes.entries()) for (let k = 0; k < size; k++) expected.add(`${g}:${(g * 197 + k) % opts.users}`);
  let convergedSeconds: number | null = null;
  const until = Math.min(opts.deadline + 60_000, Date.now() + 300_000);
  while (Date.now() < until) {
    if ((await models.grants.countDocuments({ source: `directory:${dir.id}` })) >= expected.size) {
      convergedSeconds = (performance.now() - started) / 1000;
      break;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  let documents = 0;
  for (const model of Object.values(models)) documents += await model.estimatedDocumentCount();
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    users: usersPhase.ok,
    groups: groupsPhase.ok,
    memberships: expected.size,
    requests,
    errors: usersPhase.errors + groupsPhase.errors,
    errorSamples: [...usersPhase.errorSamples, ...groupsPhase.errorSamples].slice(0, 5),
    seconds: round(seconds),
    convergedSeconds: convergedSeconds === null ? null : round(convergedSeconds),
    usersPhase,
    groupsPhase,
    requestsPerUser: round(requests / Math.max(1, usersPhase.ok)),
    documentsPerUser: round(documents / Math.max(1, usersPhase.ok)),
  };
}
