/**
 * One SCIM write to one User, through the provisioning core:
 * apply the write to the stored resource, hold its unique keys, plan against
 * the world as a directory's intent (domain/plan.ts), carry out the same account actions (accountActions.ts), or
 * deprovision; then store the resource. Deterministic: the world is reached
 * only through `acts`.
 */
import type { DirectoryGroupActivities } from '../activities/directoryGroups';
import type { ProvisioningActivities } from '../activities/provisioning';
import type { IdentityClaim } from '../src/domain/claim';
import type { DenialReason } from '../src/domain/decision';
import { refusalMessage } from '../src/domain/refusals';
import { plan } from '../src/domain/plan';
import { directoryContext } from '../src/domain/provisioningContext';
import type { RunRef } from '../src/domain/runRef';
import type { ScimResource } from '../src/scim/canonical';
import { userFacts, type UserFacts } from '../src/scim/users';
import type { ScimRefusal, ScimUserWrite, ScimWriteResult, StoredScimUser } from '../src/scim/userWrites';
import { carryOutAccountActions, StalePlan, type AccountActivities } from './accountActions';
import { legacyDirectoryDeprovision } from './lifecycleActions';

export type DirectoryUserActivities = AccountActivities &
  Pick<
    ProvisioningActivities,
    | 'loadProvisioningState'
    | 'revokeGroupGrant'
    | 'prepareScimUserWrite'
    | 'claimScimKeys'
    | 'releaseScimKeys'
    | 'storeScimUser'
    | 'deleteScimUser'
    | 'setMembershipStatus'
    | 'directoryGrantsOf'
    | 'endTenantSessions'
    | 'recordScimRefusal'
    | 'removeMembership'
    | 'releaseDirectoryHold'
    | 'requestLifecycleChange'
  > &
  Pick<DirectoryGroupActivities, 'grantDirectoryGroupsTo' | 'forgetGroupMember'>;

export interface DirectoryResourceTarget {
  directoryId: string;
  tenantId: string;
  scimId: string;
}

const MAX_PLANS = 3;

/** A planner denial in SCIM's terms: what the directory's admin reads in the provisioning log. */
function refusalFor(reason: DenialReason | 'link_requires_approval', detail?: string): ScimRefusal {
  switch (reason) {
    case 'link_refused':
    case 'identity_conflict':
      return { status: 409, scimType: 'uniqueness', detail: `${refusalMessage(reason)}${detail ? ` (${detail})` : ''}`, code: 'scim_uniqueness' };
    case 'link_requires_approval':
      return {
        status: 409,
        scimType: 'uniqueness',
        detail:
          "An account with this email already exists; this tenant's link policy asks an administrator to approve linking it, which a directory cannot do.",
        code: 'scim_uniqueness',
      };
    case 'domain_owned_by_other_tenant':
      return { status: 403, detail: "The User's email domain is verified by another organization: this directory cannot provision it.", code: 'scim_refused' };
    default:
      return { status: 403, detail: refusalMessage(reason), code: 'scim_refused' };
  }
}

const keyFacts = (f: UserFacts | null) => (f ? { userName: f.userName, externalId: f.externalId } : null);

export async function runDirectoryUserWrite(
  target: DirectoryResourceTarget,
  write: ScimUserWrite,
  run: RunRef,
  acts: DirectoryUserActivities,
  note: (decision: string) => void,
  /** Whether status changes go through the tenant's lifecycle run (every new run; `patched()` in the workflow). */
  lifecycleThroughRun: () => boolean = () => true,
): Promise<ScimWriteResult> {
  const scope = directoryContext(target.directoryId, target.tenantId, run);
  const by = `directory:${target.directoryId}`;
  const refuse = async (error: ScimRefusal, reason: string): Promise<ScimWriteResult> => {
    note(`refused:${reason}`);
    await acts.recordScimRefusal({ ...scope, ...target, write: { id: write.id, kind: write.kind }, error, reason });
    return { ok: false, error };
  };

  /**
   * Suspend (or, as the tenant asks, remove) the membership by the one
   * lifecycle rule (the `lifecycle` intent, src/domain/plan.ts), through the
   * tenant's lifecycle run, which serializes it with admins' changes and
   * carries it out (lifecycleActions.ts). Runs from before that kept their
   * own steps (legacyDirectoryDeprovision).
   */
  const deprovision = async (userId: string, mode: 'suspend' | 'remove') => {
    if (lifecycleThroughRun()) {
      const done = await acts.requestLifecycleChange({ ...scope, userId, directoryId: target.directoryId, action: mode, writeId: write.id });
      if (done === 'changed') note(mode === 'remove' ? 'membership_removed' : 'membership_suspended');
      return;
    }
    await legacyDirectoryDeprovision(scope, target.directoryId, userId, mode, acts, note);
  };
  /** Restore a membership the directory suspended (the rule leaves anyone else's suspension alone). */
  const restore = async (userId: string): Promise<string> => {
    if (lifecycleThroughRun()) {
      const done = await acts.requestLifecycleChange({ ...scope, userId, directoryId: target.directoryId, action: 'reactivate', writeId: write.id });
      return done;
    }
    return acts.setMembershipStatus({ ...scope, userId, status: 'active', by });
  };

  const prepared = await acts.prepareScimUserWrite({ ...target, run, write });
  if (!prepared.ok) return prepared.error.status === 404 ? { ok: false, error: prepared.error } : refuse(prepared.error, prepared.error.code);
  /** The directory's groups that name this User, granted to its account (each grant audited once). */
  const grantGroups = async (userId: string) => {
    const granted = await acts.grantDirectoryGroupsTo({ ...scope, directoryId: target.directoryId, scimId: target.scimId, userId, writeId: write.id });
    if (granted > 0) note(`group_grants_restored:${granted}`);
  };
  if (prepared.applied) {
    // Stored before a crash: only the step after the store is left (idempotent).
    note('already_applied');
    if (prepared.applied.resource.active !== false && prepared.applied.userId) await grantGroups(prepared.applied.userId);
    return { ok: true, status: write.kind === 'create' ? 201 : 200, user: prepared.applied };
  }
  const { before, after } = prepared;
  const mode = prepared.deprovision ?? 'suspend';
  const previous = before ? userFacts(before.resource) : null;

  if (after === null) {
    // DELETE: deprovision as `active: false` would, then forget the resource.
    if (before?.userId) await deprovision(before.userId, mode);
    await acts.forgetGroupMember({ directoryId: target.directoryId, scimId: target.scimId });
    await acts.deleteScimUser({
      ...scope,
      ...target,
      write: { id: write.id },
      facts: keyFacts(previous) ?? { userName: '', externalId: null },
      userId: before?.userId ?? null,
    });
    note('deleted');
    return { ok: true, status: 204, user: null };
  }

  const facts = userFacts(after);
  const keys = await acts.claimScimKeys({ ...target, userName: facts.userName, externalId: facts.externalId });
  if (!keys.ok) return refuse(keys.error, 'uniqueness');
  const giveBackNewKeys = () => acts.releaseScimKeys({ ...target, previous: keyFacts(facts), current: keyFacts(previous) });

  let userId = before?.userId ?? null;
  let groupsPending = false;
  if (facts.active) {
    const claim: IdentityClaim = {
      tenantId: target.tenantId,
      connectionId: target.directoryId,
      subject: target.scimId,
      email: facts.email,
      emailVerified: facts.email !== null,
      name: facts.name,
      groups: null,
      attributes: [],
      protocol: 'scim',
    };
    for (let attempt = 1; ; attempt++) {
      const state = await acts.loadProvisioningState({ run, claim });
      // An active User restores a membership the directory suspended: the plan says so (`reactivate`).
      const planned = plan(state, { kind: 'directory', claim });
      if (planned.kind === 'deny' && planned.reason === 'email_missing') {
        // A User without an email is valid SCIM: kept, and provisioned once the directory sends an address.
        note('unprovisioned:email_missing');
        break;
      }
      if (planned.kind !== 'provision') {
        await giveBackNewKeys();
        return planned.kind === 'deny'
          ? refuse(refusalFor(planned.reason, planned.detail), planned.reason)
          : refuse(refusalFor('link_requires_approval'), 'link_requires_approval');
      }
      try {
        const done = await carryOutAccountActions(planned, claim, scope, acts, note);
        userId = done.userId;
        if (done.newUser) note('account_created');
        if (planned.reactivate || done.membership.status !== 'active') {
          const restored = await restore(userId);
          note(restored === 'changed' ? 'membership_restored' : `membership_left_suspended:${restored}`);
        }
        // The directory says active: a hold from an earlier removal (this User's, or a deleted one's) ends.
        if (previous?.active !== true) await acts.releaseDirectoryHold({ tenantId: target.tenantId, userId });
        // A User that groups already name (reactivated, or provisioned only now) gets their grants, after the store.
        groupsPending = before !== null && (previous?.active === false || before.userId === null || planned.reactivate);
        break;
      } catch (err) {
        if (!(err instanceof StalePlan) || attempt >= MAX_PLANS) throw err;
      }
    }
  } else if (userId) {
    await deprovision(userId, mode);
  }

  const wasActive = previous ? previous.active : null;
  // Old keys go before the store: a retry that finds the write applied has no key left to give back.
  await acts.releaseScimKeys({ ...target, previous: keyFacts(previous), current: keyFacts(facts) });
  const user: StoredScimUser = await acts.storeScimUser({
    ...scope,
    ...target,
    write: { id: write.id, kind: write.kind },
    resource: after as ScimResource,
    userId,
    version: (before?.version ?? 0) + 1,
    wasActive,
  });
  // After the store: a group adding this User meanwhile reads it active and grants itself (each side writes, then reads the other).
  if (groupsPending && userId) await grantGroups(userId);
  return { ok: true, status: before ? 200 : 201, user };
}
