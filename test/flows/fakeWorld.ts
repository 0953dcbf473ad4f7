/**
 * An in-memory world for flow tests: the documents the provisioning flows
 * read and write (accounts, email claims, identities, memberships, grants,
 * groups, sessions, holds, SCIM users and keys, invitations) and the audit
 * log keyed by run + step, as the real store keys them. The activities over
 * it are in fakeActivities.ts; they keep the real ones' idempotency (insert
 * once, `createdBy` / `statusChangedBy` remembering the run), so a flow run
 * again with the same run ref writes nothing new.
 */
import type { ApprovalTrigger } from '../../src/domain/approval';
import { DEFAULT_GROUP_SYNC, type Grant, type GroupSyncSettings } from '../../src/domain/groups';
import type { InvitationFacts } from '../../src/domain/invitations';
import type { LinkFallback, LinkPolicy } from '../../src/domain/linking';
import type { RunRef } from '../../src/domain/runRef';
import type { ScimResource } from '../../src/scim/canonical';

export interface FakeTenant {
  jit: boolean;
  defaultRoles: string[];
  linkPolicy: LinkPolicy;
  linkFallback: LinkFallback;
  verifiedDomains: string[];
  approvalWhen: ApprovalTrigger[];
  deprovision: 'suspend' | 'remove';
}

export interface FakeMember {
  tenantId: string;
  userId: string;
  roles: string[];
  status: 'active' | 'suspended';
  suspendedBy: string | null;
  statusChangedBy: RunRef | null;
  createdBy: RunRef | null;
}

export interface FakeGrant extends Grant {
  membershipId: string;
  grantedBy: string | null;
  createdBy: RunRef | null;
}

export interface FakeAudit {
  action: string;
  actor: string;
  target: string;
  userId: string | null;
  reason: string | null;
  detail: string | null;
}

export interface FakeScimUser {
  scimId: string;
  resource: ScimResource;
  userId: string | null;
  version: number;
  recentWrites: string[];
}

export interface FakeScimGroup {
  id: string;
  displayName: string;
  externalId: string | null;
  groupName: string;
  version: number;
  recentWrites: string[];
  /** A rename under way: the write that recorded `groupName`, and the tenant group it moves from (cleared by the store). */
  renamedFrom?: { writeId: string; groupName: string };
}

export const memberKey = (tenantId: string, userId: string): string => `${tenantId}:${userId}`;
export const grantKey = (membershipId: string, g: Grant): string => `${membershipId}|${g.kind}|${g.source}|${g.value}`;
export const scimKeyOf = (directoryId: string, attribute: string, value: string): string => `${directoryId}:User:${attribute}:${value}`;

/** A simulated worker crash: the activity's effects happened, its completion was lost. */
export class Crash extends Error {}

export const TENANT = 'tenant-1';

export class FakeWorld {
  tenants = new Map<string, FakeTenant>();
  /** Connections and directories: id → tenant, kind. */
  connections = new Map<string, { tenantId: string; kind: 'saml' | 'oidc' | 'email' | 'directory'; enabled: boolean }>();
  users = new Map<string, { email: string | null; name: string | null; attributes?: Record<string, string>; createdBy: RunRef | null }>();
  emails = new Map<string, { userId: string; createdBy: RunRef | null }>();
  identities = new Map<string, { userId: string; tenantId: string; createdBy: RunRef | null }>();
  memberships = new Map<string, FakeMember>();
  grants = new Map<string, FakeGrant>();
  /** Tenant groups; `createdFrom` names the directory that owns one (`directory:<id>`). */
  groups = new Map<string, { tenantId: string; name: string; roles: string[]; createdFrom?: string; createdBy: RunRef | null }>();
  sessions: { tenantId: string; userId: string }[] = [];
  holds = new Map<string, string>();
  /** Email domains verified by another tenant: domain → tenant (a tenant's own `verifiedDomains` count too). */
  domainOwners = new Map<string, string>();
  scimUsers = new Map<string, FakeScimUser>();
  scimKeys = new Map<string, string>();
  /** A directory's Groups (`directoryId:scimId`), their members (`directoryId:groupScimId:memberScimId`) and a write's staged member ids (`writeId:op:chunk`). */
  scimGroups = new Map<string, FakeScimGroup>();
  scimGroupMembers = new Map<string, { directoryId: string; group: string; member: string; seenBy: string | null }>();
  staged = new Map<string, string[]>();
  /** How many stored members one page step handles (the real page is 500). */
  memberPage = 500;
  invitations = new Map<string, InvitationFacts & { roles: string[]; groups: string[]; acceptedBy: string | null; acceptedRun?: RunRef | null }>();
  /** Open attribute conflicts: `tenant:user:field` → what each side says. */
  conflicts = new Map<string, { local: string | null; asserted: string; createdBy: RunRef | null }>();
  /** Approval requests of parked sign-ins, by request ID (the run). */
  approvals = new Map<string, { userId: string | null; kind: string; status: string }>();
  /** Every connection's group sync settings (the real ones are per connection). */
  groupSync: GroupSyncSettings = DEFAULT_GROUP_SYNC;
  /** Called before every activity call: a test's concurrent writer (another run changing the world between plan and act). */
  beforeCall: ((name: string) => void) | null = null;
  audits = new Map<string, FakeAudit>();
  /** The tenant lifecycle run's answers by update ID: a retried update is answered, not applied again (Temporal's update dedup). */
  lifecycleAnswers = new Map<string, unknown>();
  /** How many grants one revokeGroupGrants call revokes (the real batch is 200). */
  groupRevokeBatch = 200;
  /** Every activity call, by name, in order (what a test asserts a flow asked for). */
  calls: { name: string; input: unknown }[] = [];
  private nextId = 1;

  constructor(tenant: Partial<FakeTenant> = {}) {
    this.tenants.set(TENANT, {
      jit: true,
      defaultRoles: ['member'],
      linkPolicy: 'auto',
      linkFallback: 'deny',
      verifiedDomains: ['example.com'],
      approvalWhen: [],
      deprovision: 'suspend',
      ...tenant,
    });
  }

  newId(prefix: string): string {
    return `${prefix}-${this.nextId++}`;
  }

  /** One audit event per run and step: a second write under the same key writes nothing. */
  audit(run: RunRef, step: string, event: Omit<FakeAudit, 'userId' | 'reason' | 'detail'> & Partial<FakeAudit>): void {
    const key = `wf:${run.workflowId}:${run.runId}:${step}`;
    if (this.audits.has(key)) return;
    this.audits.set(key, { userId: null, reason: null, detail: null, ...event });
  }

  /** Whether this run audited `step` as `action` (how a step run again recognizes what it did itself). */
  auditedByRun(run: RunRef, step: string, action: string): boolean {
    return this.audits.get(`wf:${run.workflowId}:${run.runId}:${step}`)?.action === action;
  }

  /** The audit actions, in the order written. */
  actions(): string[] {
    return [...this.audits.values()].map((a) => a.action);
  }

  // Seeds: documents as an earlier run (or an admin) left them.
  addUser(email: string, opts: { userId?: string } = {}): string {
    const userId = opts.userId ?? this.newId('user');
    this.users.set(userId, { email, name: null, createdBy: null });
    this.emails.set(email, { userId, createdBy: null });
    return userId;
  }

  addMember(userId: string, opts: { roles?: string[]; status?: 'active' | 'suspended'; suspendedBy?: string; tenantId?: string } = {}): string {
    const tenantId = opts.tenantId ?? TENANT;
    const status = opts.status ?? 'active';
    this.memberships.set(memberKey(tenantId, userId), {
      tenantId,
      userId,
      roles: opts.roles ?? ['member'],
      status,
      suspendedBy: status === 'suspended' ? (opts.suspendedBy ?? 'admin') : null,
      statusChangedBy: null,
      createdBy: null,
    });
    return memberKey(tenantId, userId);
  }

  addGrant(userId: string, grant: Grant, tenantId = TENANT): void {
    const membershipId = memberKey(tenantId, userId);
    this.grants.set(grantKey(membershipId, grant), { ...grant, membershipId, grantedBy: null, createdBy: null });
  }

  addGroup(name: string, roles: string[] = [], tenantId = TENANT): void {
    this.groups.set(`${tenantId}:${name}`, { tenantId, name, roles, createdBy: null });
  }

  addSession(userId: string, tenantId = TENANT): void {
    this.sessions.push({ tenantId, userId });
  }

  /** A directory Group as an earlier write left it: the resource, its keys, the tenant group it owns, its members. */
  addDirectoryGroup(directoryId: string, scimId: string, name: string, members: string[] = [], tenantId = TENANT): void {
    this.scimGroups.set(`${directoryId}:${scimId}`, {
      id: scimId,
      displayName: name,
      externalId: null,
      groupName: name,
      version: 1,
      recentWrites: ['w-group-create'],
    });
    this.scimKeys.set(`${directoryId}:Group:displayName:${name}`, scimId);
    this.groups.set(`${tenantId}:${name}`, { tenantId, name, roles: [], createdFrom: `directory:${directoryId}`, createdBy: null });
    for (const member of members) this.scimGroupMembers.set(`${directoryId}:${scimId}:${member}`, { directoryId, group: scimId, member, seenBy: null });
  }

  grantsOf(userId: string, tenantId = TENANT): FakeGrant[] {
    const membershipId = memberKey(tenantId, userId);
    return [...this.grants.values()].filter((g) => g.membershipId === membershipId);
  }

  member(userId: string, tenantId = TENANT): FakeMember | undefined {
    return this.memberships.get(memberKey(tenantId, userId));
  }

  /** Everything the world holds, as plain data: two runs that converged compare equal. */
  snapshot(): unknown {
    const entries = <V>(m: Map<string, V>) => [...m.entries()].sort(([a], [b]) => a.localeCompare(b));
    return JSON.parse(
      JSON.stringify({
        users: entries(this.users),
        emails: entries(this.emails),
        identities: entries(this.identities),
        memberships: entries(this.memberships),
        grants: entries(this.grants),
        groups: entries(this.groups),
        sessions: this.sessions,
        holds: entries(this.holds),
        scimUsers: entries(this.scimUsers),
        scimKeys: entries(this.scimKeys),
        scimGroups: entries(this.scimGroups),
        scimGroupMembers: entries(this.scimGroupMembers),
        staged: entries(this.staged),
        invitations: entries(this.invitations),
        approvals: entries(this.approvals),
        conflicts: entries(this.conflicts),
        audits: entries(this.audits),
      }),
    );
  }
}
