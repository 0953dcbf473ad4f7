/**
 * An import chunk's new members in batches: each row is planned as
 * provisionMember plans it (its own world, the pure planner), and the rows
 * planned `created` are written together — their email claims, accounts,
 * audit events, memberships and their audit events, each kind in one
 * unordered insert — instead of ~9 sequential round trips per row. Every
 * other row (a link, a refusal, one whose email or membership someone else
 * took meanwhile) goes through provisionMember, one row at a time.
 *
 * Idempotent under retry as insertOnce is: every key comes from the row's
 * run (the email, a user ID derived from the run, the membership key, the
 * audit key of the run's step), a key already taken by this run is this
 * row's own earlier write, and one taken by anybody else sends the row to
 * provisionMember, which re-plans against it. A retried batch creates no
 * second account, membership, audit record or event.
 */
import type { MemberResult } from '../src/domain/memberResult';
import { Types } from 'mongoose';
import type { AuditInput } from '../src/store/audit';
import { membershipKey } from '../src/store/memberships';
import type { MemberRequest } from '../src/domain/adminProvisioning';
import { plan } from '../src/domain/plan';
import type { GrantSource } from '../src/domain/groups';
import type { ProvisioningContext } from '../src/domain/provisioningContext';
import { sameRun, type RunRef } from '../src/domain/runRef';
import type { adminProvisioningActivities, SharedReads } from './adminProvisioning';
import type { grantsActivities } from './grants';
import { deterministicId, inPool, runAuditKey, type ActivitySupport } from './support';

export type { MemberResult };

/** What the batch asks of the core (the activity functions; provisionMember's are the same). */
type Core = Pick<ReturnType<typeof adminProvisioningActivities>, 'loadAdminState'> & Pick<ReturnType<typeof grantsActivities>, 'applyGroupGrant'>;

/** How many rows' worlds are read at once (keyed reads, a few per row). */
export const PLAN_PARALLEL = 16;

export interface BatchRow {
  request: MemberRequest;
  scope: ProvisioningContext;
}

/** A row planned `created`: what the batch writes for it. */
interface NewMember {
  i: number;
  scope: ProvisioningContext;
  request: MemberRequest;
  email: string;
  userId: Types.ObjectId;
  roles: string[];
  groups: string[];
}

/** The account a row's run creates: derived from the run, so a retry names the same one. */
export const importedUserId = (run: RunRef): Types.ObjectId => deterministicId(`${run.workflowId}:${run.runId}:user`);

/**
 * Provision `rows` (results in the same order). `oneByOne` is the row-at-a-time
 * path (provisionMember) for every row the batch does not write itself.
 */
export async function provisionBatch(
  { store, now }: ActivitySupport,
  core: Core,
  rows: readonly BatchRow[],
  source: GrantSource,
  oneByOne: (row: BatchRow) => Promise<MemberResult>,
  parallel: number,
): Promise<MemberResult[]> {
  const results = new Array<MemberResult | undefined>(rows.length);
  const slow: number[] = [];
  const fresh: NewMember[] = [];

  // 1. Plan every row against its own world (as provisionMember's first plan).
  const shared = readOnce();
  await inPool(
    rows.map((row, i) => ({ row, i })),
    PLAN_PARALLEL,
    async ({ row, i }) => {
      const asked = { run: row.scope.run, tenantId: row.scope.tenantId, email: row.request.email, groups: row.request.groups };
      const state = await core.loadAdminState(asked, shared);
      const planned = plan(state, { kind: 'importRow', request: row.request });
      if (planned.outcome === 'created' && state.email) {
        fresh.push({
          i,
          scope: row.scope,
          request: row.request,
          email: state.email,
          userId: importedUserId(row.scope.run),
          roles: planned.roles,
          groups: planned.groups,
        });
      } else slow.push(i);
    },
  );
  fresh.sort((a, b) => a.i - b.i);
  const audit = (m: NewMember, step: string, event: Omit<AuditInput, 'key' | 'workflowId' | 'runId' | 'at' | 'tenantId' | 'actor'>): AuditInput => ({
    ...event,
    tenantId: m.scope.tenantId,
    actor: m.scope.actor,
    key: runAuditKey(m.scope.run, step),
    workflowId: m.scope.run.workflowId,
    runId: m.scope.run.runId,
    at: now(),
  });
  /** Rows whose key somebody else holds leave the batch for provisionMember. */
  const keep = async (members: NewMember[], refused: Set<string>, key: (m: NewMember) => string, ours: (m: NewMember) => Promise<boolean>) => {
    const kept: NewMember[] = [];
    for (const m of members) {
      if (!refused.has(key(m)) || (await ours(m))) kept.push(m);
      else slow.push(m.i);
    }
    return kept;
  };

  // 2. The email claims, naming the accounts about to be created.
  const claims = fresh.map((m) => ({ _id: m.email, userId: m.userId, createdBy: m.scope.run }));
  let batch = await keep(
    fresh,
    await store.users.insertEmailClaims(claims),
    (m) => m.email,
    async (m) => {
      const claim = await store.users.emailClaim(m.email);
      if (!claim || !sameRun(claim.createdBy, m.scope.run)) return false;
      m.userId = claim.userId; // this run's claim from before (an attempt of the old row-at-a-time path named another ID)
      return true;
    },
  );

  // 3. The accounts and their custom attributes.
  const users = batch.map((m) => ({ _id: m.userId, email: m.email, displayEmail: m.request.email.trim(), name: m.request.name, createdBy: m.scope.run }));
  batch = await keep(
    batch,
    await store.users.insertMany(users),
    (m) => String(m.userId),
    async (m) => sameRun((await store.users.byId(m.userId))?.createdBy, m.scope.run),
  );
  await inPool(
    batch.filter((m) => m.request.externalId),
    parallel,
    (m) => store.users.setCustomAttribute(String(m.userId), 'externalId', m.request.externalId ?? null),
  );
  const userAudits = batch.map((m) =>
    audit(m, 'user.created', {
      action: 'user.created',
      target: { type: 'user', id: String(m.userId) },
      userId: String(m.userId),
      // As ensureUser audits it: the stored account's name, absent (not null) when the row has none.
      after: { email: m.email, ...(m.request.name === null ? {} : { name: m.request.name }) },
    }),
  );

  // 4. The memberships and their audit events; one somebody else made meanwhile stands (as provisionMember: unchanged).
  const key = (m: NewMember) => membershipKey(m.scope.tenantId, String(m.userId));
  const memberships = batch.map((m) => ({
    _id: key(m),
    tenantId: new Types.ObjectId(m.scope.tenantId),
    userId: m.userId,
    roles: m.roles,
    status: 'active',
    createdBy: m.scope.run,
  }));
  const refused = await store.memberships.insertMany(memberships);
  const members: NewMember[] = [];
  for (const m of batch) {
    if (!refused.has(key(m))) {
      members.push(m);
      continue;
    }
    const doc = await store.memberships.byKey(m.scope.tenantId, String(m.userId));
    if (doc && sameRun(doc.createdBy, m.scope.run)) members.push({ ...m, roles: [...doc.roles] });
    else results[m.i] = { outcome: 'unchanged', reason: null, detail: null, userId: String(m.userId) };
  }
  // What the member search finds them by: the accounts are this run's own, with the row's email and name.
  await store.memberships.writeSearch(
    members.map((m) => ({ membershipId: key(m), tenantId: m.scope.tenantId, userId: String(m.userId), email: m.email, name: m.request.name })),
  );
  // The accounts' audit events and the memberships' in one write each (a retry finds the accounts its own and writes what is missing).
  await store.audit.recordAudits([
    ...userAudits,
    ...members.map((m) =>
      audit(m, 'membership.created', {
        action: 'membership.created',
        target: { type: 'membership', id: key(m) },
        userId: String(m.userId),
        after: { roles: m.roles, status: 'active' },
      }),
    ),
  ]);

  // 5. Group grants (as provisionMember: one after the other per member), then the rows left to the one-by-one path.
  await inPool(members, parallel, async (m) => {
    for (const group of m.groups) {
      await core.applyGroupGrant({
        ...m.scope,
        connectionId: m.scope.actor.id ?? source,
        userId: String(m.userId),
        grant: { kind: 'group', value: group, source },
        createGroup: false,
      });
    }
    results[m.i] = { outcome: 'created', reason: null, detail: null, userId: String(m.userId) };
  });
  await inPool(slow, parallel, async (i) => {
    results[i] = await oneByOne(rows[i] as BatchRow);
  });
  return results.map((r, i) => r ?? { outcome: 'failed', reason: 'concurrent_change', detail: `row ${i} was not provisioned`, userId: null });
}

/** Shared reads (activities/adminProvisioning.ts SharedReads) made once per batch. */
function readOnce(): SharedReads {
  const made = new Map<string, Promise<unknown>>();
  return <T>(key: string, read: () => Promise<T>): Promise<T> => {
    let hit = made.get(key) as Promise<T> | undefined;
    if (!hit) made.set(key, (hit = read()));
    return hit;
  };
}
